/**
 * Offline evaluation: split the ratings, build each configuration on the train part, recommend k items to
 * every test user (or a deterministic sample), and score the lists against the held-out items.
 * A popularity baseline row is always included, so every other row has something to beat.
 */
import { describeSpec, servedKind, type ModelSpec } from '../models/index.js';
import { InMemoryModel, popularityRanking, recommendPopular } from '../recommend/index.js';
import { resolveSimilarityOptions } from '../similarity/index.js';
import { UserInputError, type RatingMatrix, type SimilarityOptions } from '../types.js';
import { validateModels } from './model-selection.js';
import { EASE_LAMBDA_WIDENING } from '../models/index.js';
import { checkEvaluateOptions } from './options.js';
import { scoreRecommender } from './score.js';
import { holdoutSplit, leaveLastOutSplit, sampleUsers } from './split.js';
import type { EvaluateOptions, EvaluationConfig, EvaluationReport, EvaluationRow, RankedList } from './types.js';

export async function evaluate(matrix: RatingMatrix, options: EvaluateOptions): Promise<EvaluationReport> {
  const checked = checkEvaluateOptions(options);
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
    let chosen: { spec: ModelSpec; reason?: string } | undefined;
    if (config.algorithm === 'ease' || config.algorithm === 'auto') {
      chosen = await modelOf(train, config, seed, options.threads);
      const { spec } = chosen;
      const model = await InMemoryModel.build(train, { spec, models: [servedKind(spec)], threads: options.threads });
      recommend = (user) => {
        const result = model.recommendForUser(train.users.idAt(user), { limit: k, explainTop: 0 });
        return { items: itemIndices(result.items), fallback: result.fallback !== undefined };
      };
    } else if (config.algorithm === 'popularity') {
      const popularity = popularityRanking(train);
      recommend = (user) => ({
        items: itemIndices(recommendPopular(popularity, { limit: k, explainTop: 0 }, seenItems(train, user)).items),
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
    if (chosen) row.model = chosen.spec;
    if (config.algorithm === 'auto' && chosen)
      Object.assign(row, { chosen: describeSpec(chosen.spec), reason: chosen.reason });
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

/** The EASE spec of an `ease` row; for `auto`, the build's validation on the training part picks the model. */
async function modelOf(
  train: RatingMatrix,
  config: EvaluationConfig,
  seed: number,
  threads: number | undefined,
): Promise<{ spec: ModelSpec; reason?: string }> {
  if (config.algorithm === 'ease') {
    const { lambda, k, method = 'exact' } = config.ease!;
    return { spec: { model: 'ease', lambda, k, method } };
  }
  const { report, chosen } = await validateModels(train, {
    candidates: config.candidates!,
    widen: EASE_LAMBDA_WIDENING, // as the build does
    users: config.validationUsers,
    seed,
    threads,
  });
  return { spec: chosen, reason: report.reason };
}

function seenItems(train: RatingMatrix, user: number): string[] {
  const { indptr, indices } = train.byUser;
  const seen: string[] = [];
  for (let p = indptr[user]; p < indptr[user + 1]; p++) seen.push(train.items.idAt(indices[p]));
  return seen;
}
