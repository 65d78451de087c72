/**
 * Offline evaluation: split the ratings, build each configuration on the train part, recommend k items to
 * every test user (or a deterministic sample), and score the lists against the held-out items.
 * A popularity baseline row is always included, so every other row has something to beat.
 */
import { InMemoryModel, popularityRanking, recommendPopular } from '../recommend/index.js';
import { resolveSimilarityOptions } from '../similarity/index.js';
import { Random } from '../synthetic/random.js';
import { UserInputError, type Algorithm, type RatingMatrix, type SimilarityOptions } from '../types.js';
import {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from './metrics.js';
import { holdoutSplit, leaveLastOutSplit, type Split } from './split.js';

export * from './metrics.js';
export { holdoutSplit, leaveLastOutSplit, type Split, type HoldoutOptions } from './split.js';
export { formatEvaluationTable } from './table.js';

const ALGORITHMS: readonly Algorithm[] = ['item', 'user', 'popularity'];
/** The recommenders cap a list at this many items. */
const MAX_K = 1000;

export interface EvaluationConfig {
  /** Row label; unique within one evaluation. */
  name: string;
  algorithm: Algorithm;
  /** Similarity options of item / user configurations (ignored for popularity). */
  similarity?: Partial<SimilarityOptions>;
}

export interface EvaluateOptions {
  /** 'holdout': per-user random holdout; 'last': leave-last-out by timestamp. */
  split: 'holdout' | 'last';
  /** Holdout share, default 0.2. */
  ratio?: number;
  /** Seeds the holdout and the user sample. Default 1. */
  seed?: number;
  /** List length. Default 10. */
  k?: number;
  configs: EvaluationConfig[];
  /** Worker threads for the neighbour computation. */
  threads?: number;
  /** Evaluate at most this many test users (a deterministic sample by seed). */
  maxUsers?: number;
  onProgress?(config: string, doneUsers: number, totalUsers: number): void;
}

/** The averages over evaluated users (coverage is over all their lists). */
export interface EvaluationMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  /** MAP@k: mean of average precision@k. */
  map: number;
  hitRate: number;
  /** Mean reciprocal rank within the k recommended items. */
  mrr: number;
  /** Distinct recommended items / items in the catalogue. */
  coverage: number;
  /** Users evaluated. */
  users: number;
  /** Users whose list came from the popularity fallback. */
  fallbackUsers: number;
}

export interface EvaluationRow extends EvaluationMetrics {
  name: string;
  algorithm: Algorithm;
  /** Resolved similarity options (item / user rows). */
  similarity?: SimilarityOptions;
  /** Model build time (neighbours or popularity ranking). */
  buildSeconds: number;
  /** Time to recommend for all evaluated users. */
  recommendSeconds: number;
}

export interface EvaluationReport {
  k: number;
  dataset: { users: number; items: number; ratings: number };
  split: {
    kind: 'holdout' | 'last';
    ratio?: number;
    seed: number;
    trainRatings: number;
    testRatings: number;
    testUsers: number;
  };
  /** Test users actually evaluated (all, or the maxUsers sample). */
  evaluatedUsers: number;
  rows: EvaluationRow[];
}

/** One ranked list of item indices for a user, and whether it came from a fallback. */
export interface RankedList {
  items: readonly number[];
  fallback?: boolean;
}

/**
 * Scores any recommender on a split: `recommend(user)` returns item indices, best first. Metrics are averaged
 * over `users` (user indices with a non-empty test set).
 */
export function scoreRecommender(
  split: Split,
  users: readonly number[],
  k: number,
  recommend: (user: number) => RankedList,
  onProgress?: (done: number, total: number) => void,
): EvaluationMetrics {
  const totals = { precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0, mrr: 0 };
  const lists: (readonly number[])[] = [];
  let fallbackUsers = 0;
  users.forEach((user, index) => {
    const relevant = split.test.get(user) ?? new Set<number>();
    const { items, fallback } = recommend(user);
    const top = items.slice(0, k);
    lists.push(top);
    if (fallback) fallbackUsers++;
    totals.precision += precisionAtK(top, relevant, k);
    totals.recall += recallAtK(top, relevant, k);
    totals.ndcg += ndcgAtK(top, relevant, k);
    totals.map += averagePrecisionAtK(top, relevant, k);
    totals.hitRate += hitRateAtK(top, relevant, k);
    totals.mrr += reciprocalRank(top, relevant);
    if (onProgress && (index + 1) % 500 === 0) onProgress(index + 1, users.length);
  });
  onProgress?.(users.length, users.length);
  const n = Math.max(1, users.length);
  return {
    precision: totals.precision / n,
    recall: totals.recall / n,
    ndcg: totals.ndcg / n,
    map: totals.map / n,
    hitRate: totals.hitRate / n,
    mrr: totals.mrr / n,
    coverage: catalogueCoverage(lists, split.train.items.size),
    users: users.length,
    fallbackUsers,
  };
}

export async function evaluate(matrix: RatingMatrix, options: EvaluateOptions): Promise<EvaluationReport> {
  const checked = checkOptions(options);
  const { k, seed } = checked;
  const split =
    options.split === 'last' ? leaveLastOutSplit(matrix) : holdoutSplit(matrix, { ratio: checked.ratio, seed });
  const testUsers = [...split.test.keys()].sort((a, b) => a - b);
  if (testUsers.length === 0) {
    throw new UserInputError(
      'nothing to evaluate: no user has a held-out rating (each needs at least 2 ratings, and timestamps for leave-last-out)',
      'split',
      'evaluate on a larger data set',
    );
  }
  const users = sampleUsers(testUsers, options.maxUsers, seed);
  const { train } = split;
  const itemIndices = (ids: readonly { item: string }[]): number[] =>
    ids.map(({ item }) => train.items.indexOf(item) as number);

  const configs = checked.configs.some((c) => c.algorithm === 'popularity')
    ? checked.configs
    : [{ name: 'popularity', algorithm: 'popularity' as const }, ...checked.configs];
  const rows: EvaluationRow[] = [];
  for (const config of configs) {
    const progress =
      options.onProgress && ((done: number, total: number) => options.onProgress?.(config.name, done, total));
    let started = performance.now();
    let recommend: (user: number) => RankedList;
    let similarity: SimilarityOptions | undefined;
    if (config.algorithm === 'popularity') {
      const popularity = popularityRanking(train);
      recommend = (user) => ({
        items: itemIndices(recommendPopular(popularity, { limit: k }, seenItems(train, user)).items),
      });
    } else {
      similarity = resolveSimilarityOptions(config.similarity);
      const algorithm = config.algorithm;
      const model = await InMemoryModel.build(train, { models: [algorithm], similarity, threads: options.threads });
      recommend = (user) => {
        const result = model.recommendForUser(train.users.idAt(user), { limit: k, algorithm, explainTop: 0 });
        return { items: itemIndices(result.items), fallback: result.fallback !== undefined };
      };
    }
    const buildSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const metrics = scoreRecommender(split, users, k, recommend, progress);
    const row: EvaluationRow = {
      name: config.name,
      algorithm: config.algorithm,
      ...metrics,
      buildSeconds,
      recommendSeconds: (performance.now() - started) / 1000,
    };
    if (similarity) row.similarity = similarity;
    rows.push(row);
  }

  let testRatings = 0;
  for (const items of split.test.values()) testRatings += items.size;
  return {
    k,
    dataset: { users: matrix.users.size, items: matrix.items.size, ratings: matrix.byUser.indices.length },
    split: {
      kind: options.split,
      ...(options.split === 'holdout' ? { ratio: checked.ratio } : {}),
      seed,
      trainRatings: train.byUser.indices.length,
      testRatings,
      testUsers: testUsers.length,
    },
    evaluatedUsers: users.length,
    rows,
  };
}

function seenItems(train: RatingMatrix, user: number): string[] {
  const { indptr, indices } = train.byUser;
  const seen: string[] = [];
  for (let p = indptr[user]; p < indptr[user + 1]; p++) seen.push(train.items.idAt(indices[p]));
  return seen;
}

/** All users, or `maxUsers` of them chosen uniformly by seed, in ascending order. */
function sampleUsers(users: number[], maxUsers: number | undefined, seed: number): number[] {
  if (maxUsers === undefined || maxUsers >= users.length) return users;
  const pool = users.slice();
  const random = new Random(seed, 202);
  for (let j = 0; j < maxUsers; j++) {
    const pick = j + random.int(pool.length - j);
    [pool[j], pool[pick]] = [pool[pick], pool[j]];
  }
  return pool.slice(0, maxUsers).sort((a, b) => a - b);
}

function checkOptions(options: EvaluateOptions): {
  k: number;
  seed: number;
  ratio: number;
  configs: EvaluationConfig[];
} {
  if (options === null || typeof options !== 'object') {
    throw new UserInputError('evaluation options must be an object', 'options', 'pass { split, configs }');
  }
  if (options.split !== 'holdout' && options.split !== 'last') {
    throw new UserInputError(
      `split must be "holdout" or "last", got ${JSON.stringify(options.split)}`,
      'split',
      'use "holdout" (random per user) or "last" (latest rating per user; needs timestamps)',
    );
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new UserInputError(`k must be an integer from 1 to ${MAX_K}, got ${String(k)}`, 'k', 'use e.g. k = 10');
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new UserInputError(`seed must be an integer, got ${String(seed)}`, 'seed', 'use e.g. seed 42');
  if (options.maxUsers !== undefined && (!Number.isInteger(options.maxUsers) || options.maxUsers < 1)) {
    throw new UserInputError(
      `maxUsers must be a positive integer, got ${String(options.maxUsers)}`,
      'maxUsers',
      'leave it out to evaluate every test user',
    );
  }
  if (!Array.isArray(options.configs)) {
    throw new UserInputError(
      'configs must be a list of { name, algorithm, similarity? }',
      'configs',
      'pass e.g. [{ name: "item-cosine", algorithm: "item" }]',
    );
  }
  const names = new Set<string>();
  options.configs.forEach((config, index) => {
    const where = `configs[${index}]`;
    if (typeof config?.name !== 'string' || config.name.trim() === '') {
      throw new UserInputError(
        `${where} needs a non-empty name`,
        `${where}.name`,
        'give every configuration a label, e.g. "item-cosine"',
      );
    }
    if (names.has(config.name))
      throw new UserInputError(
        `two configurations are named ${JSON.stringify(config.name)}`,
        `${where}.name`,
        'give each configuration its own name',
      );
    names.add(config.name);
    if (!ALGORITHMS.includes(config.algorithm)) {
      throw new UserInputError(
        `${where} (${config.name}) has algorithm ${JSON.stringify(config.algorithm)}`,
        `${where}.algorithm`,
        `use one of ${ALGORITHMS.join(', ')}`,
      );
    }
    if (config.algorithm === 'popularity') return;
    try {
      resolveSimilarityOptions(config.similarity);
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      throw new UserInputError(
        `${where} (${config.name}): ${error.message}`,
        `${where}.similarity.${error.where ?? ''}`,
        error.hint,
      );
    }
  });
  return { k, seed, ratio: options.ratio ?? 0.2, configs: options.configs };
}
