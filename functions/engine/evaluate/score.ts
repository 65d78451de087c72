/** Scoring one recommender's lists against a split's held-out items. */
import {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from './metrics.js';
import type { Split } from './split.js';
import type { EvaluationMetrics, RankedList } from './types.js';

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
  /** Coverage's denominator: the items a list could hold (default the training part's). */
  catalogueSize = split.train.items.size,
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
    coverage: catalogueCoverage(lists, catalogueSize),
    users: users.length,
    fallbackUsers,
  };
}
