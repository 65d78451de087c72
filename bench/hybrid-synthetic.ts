// Content and hybrid on the generator's data: the build's own validation (auto, item rows) with the generator's
// metadata as the catalogue, per seed, newReleases and contentSignal; prints popularity, the best CF, content and the
// hybrids, and the share of held-out items cold (0) or nearly cold (≤ 2 interactions) in the training part.
// docs/SYNTHETIC.md, "Content and hybrid on synthetic data", "New releases" and "Series in the catalogue", has the
// figures. Nothing is asserted. SERIES=0,1,r: without / with the metadata's series column (seriesInCatalogue) / with
// the column's values permuted over the items (series sizes kept, their link to taste and to the histories lost);
// SEQUELS=0,1: new releases drawn as before / preferring later series parts (newReleaseSequels).
//   SHAPE='{"users":2000,"items":1000,"ratings":20000}' SEEDS=1,2,3 SIGNALS=0,0.5,1 NEW_RELEASES=0 SERIES=0 \
//     SEQUELS=0 node --import tsx bench/hybrid-synthetic.ts
import type { CatalogueEntry } from '../functions/engine/catalogue/types.js';
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { validationSplit, type CandidateScore } from '../functions/engine/evaluate/index.js';
import { DEFAULT_EVALUATION_USERS } from '../functions/engine/model-config.js';
import { parseModelConfig, validateConfigModels } from '../functions/engine/pipeline.js';
import { Random } from '../functions/engine/shared/index.js';
import { syntheticItems, syntheticLog, type SyntheticOptions } from '../functions/engine/synthetic/index.js';

const shape = JSON.parse(process.env.SHAPE ?? '{"users":2000,"items":1000,"ratings":20000}') as SyntheticOptions;
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const signals = (process.env.SIGNALS ?? '0,0.5,1').split(',').map(Number);
const shares = (process.env.NEW_RELEASES ?? '0').split(',').map(Number);
const seriesColumn = (process.env.SERIES ?? '0').split(',') as ('0' | '1' | 'r')[];
const sequelsFlags = (process.env.SEQUELS ?? '0').split(',').map((v) => v === '1');
const config = parseModelConfig({ model: 'auto', models: ['item'] });

for (const newReleaseSequels of sequelsFlags) {
  for (const newReleases of shares) {
    for (const seed of seeds) {
      const options: SyntheticOptions = { ...shape, seed, newReleases, newReleaseSequels };
      const matrix = buildRatingMatrix(syntheticLog(options)).matrix;
      // The split validateModels makes (seed 1, DEFAULT_EVALUATION_USERS), to count its held-out items' train counts.
      const split = validationSplit(matrix, { users: DEFAULT_EVALUATION_USERS, seed: 1 });
      const { indptr } = split.train.byItem;
      let held = 0;
      let cold = 0;
      let few = 0;
      for (const items of split.test.values()) {
        for (const i of items) {
          const n = indptr[i + 1] - indptr[i];
          held++;
          if (n === 0) cold++;
          if (n <= 2) few++;
        }
      }
      const coldShare = `held out cold ${((100 * cold) / held).toFixed(1)}%, ≤ 2 ${((100 * few) / held).toFixed(1)}%`;
      for (const seriesMode of seriesColumn) {
        for (const contentSignal of signals) {
          const items = [...syntheticItems({ ...options, contentSignal, seriesInCatalogue: seriesMode !== '0' })];
          const labels = items.map(({ series }) => series);
          if (seriesMode === 'r') {
            // A permutation of the labels (undefined included) over the items: same series sizes, random members.
            const order = new Random(seed, 99).shuffle(Uint32Array.from(labels.keys()));
            const permuted = Array.from(order, (k) => labels[k]);
            labels.splice(0, labels.length, ...permuted);
          }
          const catalogue = new Map<string, CatalogueEntry>();
          items.forEach(({ item, title, genres, tags, text }, k) => {
            const series = labels[k];
            catalogue.set(item, {
              item,
              title,
              categories: genres,
              tags,
              text,
              ...(series === undefined ? {} : { series }),
            });
          });
          const started = performance.now();
          const { report } = await validateConfigModels(matrix, config, { catalogue });
          const of = (models: string[]): CandidateScore[] =>
            report.candidates.filter(({ spec }) => spec !== undefined && models.includes(spec.model));
          const best = (list: CandidateScore[]): CandidateScore => list.reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
          const cf = best(of(['ease', 'item-knn']));
          const hybrids = of(['hybrid']);
          console.log(
            `sequels ${newReleaseSequels ? 1 : 0} newReleases ${newReleases} seed ${seed} series ${seriesMode} ` +
              `contentSignal ${contentSignal}: ` +
              `popularity ${report.candidates[0].ndcg.toFixed(4)}, CF ${cf.ndcg.toFixed(4)} (${cf.name}), ` +
              `content ${best(of(['content'])).ndcg.toFixed(4)}, ` +
              `hybrid ${hybrids.map(({ name, ndcg }) => `${name} ${ndcg.toFixed(4)}`).join(' / ')}; ` +
              `chosen ${report.chosen}; ${report.split.heldOut} held out, ${coldShare}; ` +
              `${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        }
      }
    }
  }
}
