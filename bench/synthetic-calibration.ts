/**
 * Calibration of the synthetic generator against published MovieLens-100K figures (docs/SYNTHETIC.md): on the
 * generator's default-shaped data, NDCG@10 of popularity, item-kNN (cosine, k 50), user-kNN (cosine, k 50) from
 * the engine's own `evaluate` (holdout 0.2, seen items removed, every held-out rating relevant), and exact EASE
 * (`computeEase`, k 200, on the binarised train part) scored on the same split for λ in {10, 50, 100, 200, 500}.
 * Run: `node --import tsx bench/synthetic-calibration.ts [6k|ml100k|both] [seed]` (default both, seed 1).
 * `… content [seed] [6k|ml100k]`: the descriptions' signal (docs/SYNTHETIC.md, "Calibration of `contentSignal`")
 * on a shape, for contentSignal 0, 0.25, 0.5, 1: the share of an item's top-10 content neighbours (engine/content, TF-IDF) in its
 * taste factor and in its genre, and NDCG@10 of a content-only item-based recommender (history × content cosine,
 * k 50) next to item-kNN on the same split, and a naive hybrid (item-kNN rows + α × content rows).
 * Its figures are quoted in docs/SYNTHETIC.md; no test asserts them.
 * Experiments: env SYNTH_JSON='{"zipf":1.2}' adds generator options, SYNTH_TASTE='{"focus":0.7}' overrides the
 * model's knobs (functions/engine/synthetic/model.ts), SYNTH_LAMBDAS='100,200' narrows the λ grid.
 */
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { computeEase, type SignedNeighbourBlock } from '../functions/engine/ease/index.js';
import { evaluate, holdoutSplit, scoreRecommender } from '../functions/engine/evaluate/index.js';
import { computeNeighbourBlock } from '../functions/engine/similarity/index.js';
import type { CatalogueEntry } from '../functions/engine/catalogue/types.js';
import {
  contentNeighbourBlock,
  resolveContentOptions,
  vectoriseCatalogue,
  type ContentOptionsInput,
} from '../functions/engine/content/index.js';
import {
  syntheticCatalogue,
  syntheticItems,
  syntheticLog,
  type SyntheticOptions,
} from '../functions/engine/synthetic/index.js';
import { TASTE } from '../functions/engine/synthetic/model.js';
import type { NeighbourBlock, RatingMatrix } from '../functions/engine/types.js';

const SHAPES: Record<string, SyntheticOptions> = {
  '6k': { users: 6000, items: 3000, ratings: 400_000 },
  ml100k: { users: 943, items: 1682, ratings: 100_000 },
};
const LAMBDAS = (process.env.SYNTH_LAMBDAS || '10,50,100,200,500').split(',').map(Number);
const SPLIT_SEED = 1;
const K = 10;

/** The same matrix with every value 1: EASE as published (and the λ grid) is for 0/1 data. */
function binarised(matrix: RatingMatrix): RatingMatrix {
  const ones = (values: Float32Array): Float32Array => new Float32Array(values.length).fill(1);
  return {
    ...matrix,
    byUser: { ...matrix.byUser, values: ones(matrix.byUser.values) },
    byItem: { ...matrix.byItem, values: ones(matrix.byItem.values) },
  };
}

/** Top-k by score of the items the user has not seen in train (ties: lower index first). */
function easeRecommender(train: RatingMatrix, block: SignedNeighbourBlock): (user: number) => { items: number[] } {
  const n = train.byItem.rows;
  const score = new Float64Array(n);
  const seen = new Uint8Array(n);
  return (user) => {
    score.fill(0);
    seen.fill(0);
    const { indptr, indices, values } = train.byUser;
    for (let p = indptr[user]; p < indptr[user + 1]; p++) {
      const j = indices[p];
      seen[j] = 1;
      const x = values[p];
      const row = j - block.start;
      const base = row * block.k;
      for (let e = 0; e < block.count[row]; e++) score[block.neighbour[base + e]] += x * block.weight[base + e];
    }
    const top: number[] = [];
    for (let i = 0; i < n; i++) {
      if (seen[i]) continue;
      if (top.length < K || score[i] > score[top[top.length - 1]]) {
        let at = Math.min(top.length, K - 1);
        top[at] = i;
        while (at > 0 && score[top[at - 1]] < score[i]) {
          top[at] = top[at - 1];
          top[--at] = i;
        }
      }
    }
    return { items: top };
  };
}

async function measure(name: string, options: SyntheticOptions): Promise<void> {
  const started = performance.now();
  const { matrix } = buildRatingMatrix(syntheticLog(options));
  const generateSeconds = (performance.now() - started) / 1000;
  const report = await evaluate(matrix, {
    split: 'holdout',
    ratio: 0.2,
    seed: SPLIT_SEED,
    k: K,
    configs: [
      { name: 'item', algorithm: 'item', similarity: { measure: 'cosine', k: 50 } },
      { name: 'user', algorithm: 'user', similarity: { measure: 'cosine', k: 50 } },
    ],
  });
  const split = holdoutSplit(matrix, { ratio: 0.2, seed: SPLIT_SEED });
  const users = [...split.test.keys()].sort((a, b) => a - b);
  const ndcg = new Map(report.rows.map((row) => [row.name, row.ndcg]));
  const binary = binarised(split.train);
  let best = { lambda: 0, ndcg: -1 };
  const perLambda: string[] = [];
  for (const lambda of LAMBDAS) {
    const block = await computeEase(binary, { lambda, k: 200 });
    const metrics = scoreRecommender(split, users, K, easeRecommender(binary, block));
    perLambda.push(`λ=${lambda}: ${metrics.ndcg.toFixed(4)}`);
    if (metrics.ndcg > best.ndcg) best = { lambda, ndcg: metrics.ndcg };
  }
  const ease = best.ndcg;
  const row = (label: string, value: number, published: string): string =>
    `  ${label.padEnd(22)} ${value.toFixed(4)}   ${(value / ease).toFixed(2)}× EASE   (ML-100K published ${published})`;
  console.log(
    `\n${name}: ${matrix.users.size} users × ${matrix.items.size} items × ${matrix.byUser.indices.length} ratings, ` +
      `generated in ${generateSeconds.toFixed(2)} s; options ${JSON.stringify(options)}`,
  );
  console.log(`  NDCG@${K}, holdout 0.2 (seed ${SPLIT_SEED}), ${users.length} test users`);
  console.log(row('popularity', ndcg.get('popularity') ?? NaN, '0.220, 0.49×'));
  console.log(row('item-kNN (cosine, 50)', ndcg.get('item') ?? NaN, '0.399, 0.89×'));
  console.log(row('user-kNN (cosine, 50)', ndcg.get('user') ?? NaN, '≈0.40, 0.89×'));
  console.log(row(`EASE (best λ ${best.lambda})`, ease, '≈0.45, 1×'));
  console.log(`  EASE by λ: ${perLambda.join(', ')}`);
}

/** Top-k over scores of the unseen items, by a neighbour block (row = item, weights = similarities). */
function blockRecommender(train: RatingMatrix, block: NeighbourBlock): (user: number) => { items: number[] } {
  return easeRecommender(train, { ...block, weight: block.similarity });
}

/** Row by row: a's neighbours with weight cf + alpha × content (a neighbour in one list only gets that one). */
function blend(cf: NeighbourBlock, content: NeighbourBlock, alpha: number): NeighbourBlock {
  const k = cf.k + content.k;
  const rows = cf.end - cf.start;
  const out = {
    start: cf.start,
    end: cf.end,
    k,
    count: new Uint32Array(rows),
    neighbour: new Uint32Array(rows * k),
    similarity: new Float64Array(rows * k),
    support: new Uint32Array(rows * k),
  };
  for (let r = 0; r < rows; r++) {
    const weights = new Map<number, number>();
    for (let e = 0; e < cf.count[r]; e++) weights.set(cf.neighbour[r * cf.k + e], cf.similarity[r * cf.k + e]);
    for (let e = 0; e < content.count[r]; e++) {
      const b = content.neighbour[r * content.k + e];
      weights.set(b, (weights.get(b) ?? 0) + alpha * content.similarity[r * content.k + e]);
    }
    let n = 0;
    for (const [b, w] of weights) {
      out.neighbour[r * k + n] = b;
      out.similarity[r * k + n] = w;
      n++;
    }
    out.count[r] = n;
  }
  return out;
}

async function measureContent(options: SyntheticOptions): Promise<void> {
  const { matrix } = buildRatingMatrix(syntheticLog(options));
  const catalogue = syntheticCatalogue(options);
  const split = holdoutSplit(matrix, { ratio: 0.2, seed: SPLIT_SEED });
  const users = [...split.test.keys()].sort((a, b) => a - b);
  const report = await evaluate(matrix, {
    split: 'holdout',
    ratio: 0.2,
    seed: SPLIT_SEED,
    k: K,
    configs: [{ name: 'item', algorithm: 'item', similarity: { measure: 'cosine', k: 50 } }],
  });
  const ndcg = new Map(report.rows.map((row) => [row.name, row.ndcg]));
  const cf = computeNeighbourBlock(split.train, 'items', 0, split.train.byItem.rows, { measure: 'cosine', k: 50 });
  const cfNdcg = scoreRecommender(split, users, K, blockRecommender(split.train, cf)).ndcg;
  console.log(
    `\ncontent, 6k shape (${matrix.items.size} rated items, ${catalogue.factors} factors), NDCG@${K} on holdout 0.2: ` +
      `popularity ${ndcg.get('popularity')?.toFixed(4)}, item-kNN (cosine, 50) ${ndcg.get('item')?.toFixed(4)}`,
  );
  // Generator index of each matrix item (ids are itemPrefix + index).
  const generatorIndex = Array.from({ length: matrix.items.size }, (_, m) => Number(matrix.items.idAt(m).slice(1)));
  const fieldSets: [string, ContentOptionsInput][] = [
    ['all fields', {}],
    ['text + tags', { fields: { title: 0, categories: 0, series: 0, attributes: 0 } }],
  ];
  for (const signal of [0, 0.25, 0.5, 1]) {
    const byId = new Map<string, CatalogueEntry>();
    for (const { item, title, genres, tags, text } of syntheticItems({ ...options, contentSignal: signal })) {
      byId.set(item, { item, title, categories: genres, tags, text });
    }
    const entries = generatorIndex.map((_, m) => byId.get(matrix.items.idAt(m))!);
    for (const [label, input] of fieldSets) {
      const vectors = vectoriseCatalogue(entries, resolveContentOptions(input));
      const top = contentNeighbourBlock(vectors, K);
      let inFactor = 0;
      let inGenre = 0;
      let total = 0;
      for (let m = 0; m < entries.length; m++) {
        const i = generatorIndex[m];
        for (let e = 0; e < top.count[m]; e++) {
          const j = generatorIndex[top.neighbour[m * top.k + e]];
          total++;
          if (catalogue.factor[j] === catalogue.factor[i]) inFactor++;
          if (catalogue.cluster[j] === catalogue.cluster[i]) inGenre++;
        }
      }
      const rows = contentNeighbourBlock(vectors, 50);
      const metrics = scoreRecommender(split, users, K, blockRecommender(split.train, rows));
      // A simple hybrid: item-kNN rows plus α × content rows (the union of both neighbour lists).
      const blends = [0.1, 0.3, 1].map((alpha) => {
        const blended = scoreRecommender(split, users, K, blockRecommender(split.train, blend(cf, rows, alpha)));
        return `α ${alpha}: ${blended.ndcg.toFixed(4)}`;
      });
      console.log(
        `  contentSignal ${signal.toFixed(2)}, ${label.padEnd(11)}: top-${K} neighbours in the item's factor ` +
          `${(inFactor / total).toFixed(3)}, in its genre ${(inGenre / total).toFixed(3)} ` +
          `(chance ${(1 / catalogue.factors).toFixed(3)} / ${(1 / (options.clusters ?? 10)).toFixed(2)}); ` +
          `content-only NDCG@${K} ${metrics.ndcg.toFixed(4)} (${(metrics.ndcg / (ndcg.get('item') ?? NaN)).toFixed(2)}× item-kNN)`,
      );
      console.log(
        `    item-kNN rows + α·content rows, NDCG@${K} (item-kNN rows alone ${cfNdcg.toFixed(4)}): ${blends.join(', ')}`,
      );
    }
  }
}

const which = process.argv[2] ?? 'both';
const seed = Number(process.argv[3] ?? 1);
Object.assign(TASTE, JSON.parse(process.env.SYNTH_TASTE || '{}'));
const extra = JSON.parse(process.env.SYNTH_JSON || '{}') as Partial<SyntheticOptions>;
if (which === 'content') await measureContent({ ...(SHAPES[process.argv[4] ?? '6k'] ?? SHAPES['6k']), seed, ...extra });
for (const [name, shape] of Object.entries(SHAPES)) {
  if (which === 'both' || which === name) await measure(name, { ...shape, seed, ...extra });
}
