import {
  UserInputError,
  type FallbackReason,
  type PopularItem,
  type PopularityReason,
  type RatingMatrix,
  type RecommendationResult,
  type RecommendOptions,
} from '../types.js';
import { CandidateFilter } from './candidates.js';
import { resolveRecommendOptions } from './options.js';
import { topN } from './top-n.js';

export type { FallbackReason } from '../types.js';

/** Popularity order: count desc, then mean value desc, then item id ascending. */
export const morePopular = (a: PopularItem, b: PopularItem): boolean =>
  a.count > b.count ||
  (a.count === b.count && (a.meanValue > b.meanValue || (a.meanValue === b.meanValue && a.item < b.item)));

/**
 * The most popular items that pass the filters (`seen` when excludeSeen, `exclude`, `allow`), ranked by
 * {@link morePopular} whatever the input order. Score = the item's count; `because` is one `popular` entry
 * with that count and the fallback reason, or empty when explanations are off (explainTop 0).
 * With `fallbackReason`, the result is flagged as a fallback from the requested algorithm.
 */
export function recommendPopular(
  popularity: readonly PopularItem[],
  options?: Partial<RecommendOptions>,
  seen?: Iterable<string>,
  fallbackReason?: FallbackReason,
): RecommendationResult {
  const resolved = resolveRecommendOptions(options);
  const filter = new CandidateFilter(resolved, seen);
  const best = topN(
    popularity.filter((p) => filter.accepts(p.item)),
    resolved.limit,
    morePopular,
  );
  const result: RecommendationResult = {
    algorithm: 'popularity',
    items: best.map((p) => ({
      item: p.item,
      score: p.count,
      because: resolved.explainTop > 0 ? [popularityReason(p, fallbackReason)] : [],
    })),
  };
  if (fallbackReason !== undefined) result.fallback = { reason: fallbackReason, algorithm: 'popularity' };
  return result;
}

function popularityReason(popular: PopularItem, fallback: FallbackReason | undefined): PopularityReason {
  return fallback === undefined
    ? { kind: 'popular', interactions: popular.count }
    : { kind: 'popular', interactions: popular.count, fallback };
}

/**
 * Items by number of distinct users (count desc, mean value desc, item id asc); items nobody rated are left
 * out. `limit` (a positive integer) keeps only the first ones.
 */
export function popularityRanking(matrix: RatingMatrix, limit?: number): PopularItem[] {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new UserInputError(
      `popularity limit must be a positive integer, got ${limit}`,
      'limit',
      'Pass a whole number of 1 or more, or no limit.',
    );
  }
  const { indptr, values, rows } = matrix.byItem;
  const ranked: PopularItem[] = [];
  for (let row = 0; row < rows; row++) {
    const count = indptr[row + 1] - indptr[row];
    if (count === 0) continue;
    let sum = 0;
    for (let k = indptr[row]; k < indptr[row + 1]; k++) sum += values[k];
    ranked.push({ item: matrix.items.idAt(row), count, meanValue: sum / count });
  }
  return topN(ranked, limit ?? ranked.length, morePopular);
}
