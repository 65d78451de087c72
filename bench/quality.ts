/**
 * Recommendation quality on the synthetic generator under the published protocol (random 80/20 per user, every
 * held-out interaction relevant, seen items removed, full ranking, @10): popularity, kNN (cosine, and the centred
 * measures), EASE exact over a λ grid, EASE approximate, auto (the build's own validation on the training part
 * chooses; its choice is scored on the test part), and EASE's K trade-off (NDCG@10 and row size by K).
 *   node --import tsx bench/quality.ts [users items ratings]   (default 6000 3000 400000)
 */
import { buildRatingMatrix } from '../functions/engine/data/index.js';
import { holdoutSplit, scoreRecommender, validateModels, type Split } from '../functions/engine/evaluate/index.js';
import { parseModelConfig } from '../functions/engine/model-config.js';
import { candidateSpecs, describeSpec, easeLambdaGrid, type ModelSpec } from '../functions/engine/models/index.js';
import {
  computeModelBlocks,
  InMemoryModel,
  popularityRanking,
  recommendPopular,
  type ModelBlocks,
} from '../functions/engine/recommend/index.js';
import { syntheticLog, type SyntheticOptions } from '../functions/engine/synthetic/index.js';
import type { NeighbourBlock, RatingMatrix, SimilarityMeasure } from '../functions/engine/types.js';

export interface QualityRow {
  name: string;
  ndcg: number;
  recall: number;
  hitRate: number;
  coverage: number;
  seconds: number;
}

export interface KRow {
  k: number;
  ndcg: number;
  weightsPerRow: number;
  rowBytes: number;
}

export interface QualityResult {
  dataset: { users: number; items: number; ratings: number };
  rows: QualityRow[];
  kTradeOff: KRow[];
  bestLambda: number;
}

const K = 10;
const knn = (model: 'item-knn' | 'user-knn', measure: SimilarityMeasure = 'cosine', shrinkage = 0): ModelSpec => ({
  model,
  similarity: { measure, k: 50, shrinkage, minSupport: 1, implicit: false },
});

export async function benchQuality(options: SyntheticOptions, threads = 2): Promise<QualityResult> {
  const { matrix } = buildRatingMatrix(syntheticLog(options));
  const split = holdoutSplit(matrix, { ratio: 0.2, seed: 1 });
  const users = [...split.test.keys()].sort((a, b) => a - b);
  const rows: QualityRow[] = [];
  const scoreModel = (name: string, model: InMemoryModel, seconds: number): QualityRow => {
    const metrics = scoreRecommender(split, users, K, (user) => {
      const result = model.recommendForUser(split.train.users.idAt(user), { limit: K, explainTop: 0 });
      return { items: result.items.map(({ item }) => split.train.items.indexOf(item)!) };
    });
    const row = { name, ...pick(metrics), seconds };
    rows.push(row);
    console.error(`${name}: NDCG@10 ${row.ndcg.toFixed(4)} (${seconds.toFixed(1)} s)`);
    return row;
  };
  const build = async (name: string, spec: ModelSpec): Promise<QualityRow> => {
    const started = performance.now();
    const model = await InMemoryModel.build(split.train, { spec, threads });
    return scoreModel(name, model, (performance.now() - started) / 1000);
  };

  const popularity = popularityRanking(split.train);
  rows.push({
    name: 'popularity',
    ...pick(
      scoreRecommender(split, users, K, (user) => ({
        items: recommendPopular(popularity, { limit: K, explainTop: 0 }, seen(split.train, user)).items.map(
          ({ item }) => split.train.items.indexOf(item)!,
        ),
      })),
    ),
    seconds: 0,
  });
  await build('item-knn (cosine, k 50)', knn('item-knn'));
  await build('item-knn (pearson, k 50, shrinkage 100)', knn('item-knn', 'pearson', 100));
  await build('item-knn (adjusted-cosine, k 50, shrinkage 100)', knn('item-knn', 'adjusted-cosine', 100));
  await build('user-knn (cosine, k 50)', knn('user-knn'));

  // EASE exact over a wide λ grid; K 500 once, then shorter K as prefixes (rows are sorted by |weight|).
  let best: { lambda: number; ndcg: number; block: NeighbourBlock } | undefined;
  for (const lambda of easeLambdaGrid(split.train, [0.25, 1, 4, 16])) {
    const started = performance.now();
    const { blocks } = await computeModelBlocks(split.train, {
      spec: { model: 'ease', lambda, k: 500, method: 'exact' },
      threads,
    });
    const spec: ModelSpec = { model: 'ease', lambda, k: 200, method: 'exact' };
    const row = scoreModel(
      `ease exact (λ ${lambda}, K 200)`,
      InMemoryModel.fromNeighbours(split.train, { item: prefix(blocks.item!, 200) }, spec),
      (performance.now() - started) / 1000,
    );
    if (!best || row.ndcg > best.ndcg) best = { lambda, ndcg: row.ndcg, block: blocks.item! };
  }
  const kTradeOff: KRow[] = [];
  for (const k of [20, 50, 100, 200, 500]) {
    const block = prefix(best!.block, k);
    const model = InMemoryModel.fromNeighbours(split.train, { item: block } satisfies ModelBlocks, {
      model: 'ease',
      lambda: best!.lambda,
      k,
      method: 'exact',
    });
    const metrics = scoreRecommender(split, users, K, (user) => ({
      items: model
        .recommendForUser(split.train.users.idAt(user), { limit: K, explainTop: 0 })
        .items.map(({ item }) => split.train.items.indexOf(item)!),
    }));
    const kept = block.count.reduce((s, c) => s + c, 0) / block.count.length;
    // The stored row: ["<id>",<weight>,0] per entry; ids here are like "i1234".
    const sample = model.neighboursOf('item', split.train.items.idAt(0)) ?? [];
    const bytes = JSON.stringify(sample.map((n) => [n.id, n.similarity, n.support])).length;
    kTradeOff.push({
      k,
      ndcg: metrics.ndcg,
      weightsPerRow: kept,
      rowBytes: sample.length ? (bytes / sample.length) * kept : 0,
    });
    console.error(`ease K ${k}: NDCG@10 ${metrics.ndcg.toFixed(4)}`);
  }
  await build(`ease approximate (λ ${best!.lambda}, K 200)`, {
    model: 'ease',
    lambda: best!.lambda,
    k: 200,
    method: 'approximate',
  });
  {
    const started = performance.now();
    const { chosen } = await validateModels(split.train, {
      candidates: candidateSpecs(parseModelConfig({}), split.train),
      threads,
    });
    const model = await InMemoryModel.build(split.train, { spec: chosen, threads });
    scoreModel(`auto → ${describeSpec(chosen)}`, model, (performance.now() - started) / 1000);
  }
  return {
    dataset: { users: matrix.users.size, items: matrix.items.size, ratings: matrix.byUser.indices.length },
    rows,
    kTradeOff,
    bestLambda: best!.lambda,
  };
}

function prefix(block: NeighbourBlock, k: number): NeighbourBlock {
  return { ...block, count: block.count.map((c) => Math.min(c, k)) };
}

function pick(m: { ndcg: number; recall: number; hitRate: number; coverage: number }) {
  return { ndcg: m.ndcg, recall: m.recall, hitRate: m.hitRate, coverage: m.coverage };
}

function seen(train: RatingMatrix, user: number): string[] {
  const { indptr, indices } = train.byUser;
  const items: string[] = [];
  for (let p = indptr[user]; p < indptr[user + 1]; p++) items.push(train.items.idAt(indices[p]));
  return items;
}

export type { Split };

if (import.meta.url === `file://${process.argv[1]}`) {
  const [users = 6000, items = 3000, ratings = 400_000] = process.argv.slice(2).map(Number);
  const result = await benchQuality({ users, items, ratings, seed: 7 });
  process.stdout.write(JSON.stringify(result));
}
