/**
 * The report's chart data, from the matrix's counts alone (no id is named, so a pseudonymised dataset's report
 * stays free of users): the popularity long tail and the users' activity.
 */
import type { RatingMatrix } from '../types.js';

/** At most this many points on the popularity curve (Fibonacci ranks stay under it below ~10^13 items). */
export const MAX_CURVE_POINTS = 64;

export interface PopularityPoint {
  /** 1-based rank of an item when items are sorted by distinct users, most first. */
  rank: number;
  /** Distinct users of the item at that rank. */
  users: number;
}

export interface ActivityBin {
  /** Items interacted with, from `min` to `max` inclusive. */
  min: number;
  max: number;
  /** Users with that many items. */
  users: number;
}

/**
 * The sampled ranks for `items` items: 1, 2, 3, 5, 8, 13, … (Fibonacci: log-spaced, ratio → 1.618) below `items`,
 * then `items` itself; strictly increasing, first and last rank always present.
 */
export function curveRanks(items: number): number[] {
  if (items <= 0) return [];
  const ranks: number[] = [];
  for (let [a, b] = [1, 2]; a < items && ranks.length < MAX_CURVE_POINTS - 1; [a, b] = [b, a + b]) ranks.push(a);
  ranks.push(items);
  return ranks;
}

/** Items by distinct users, most first, at {@link curveRanks}. After the duplicate rule a row has one entry per user. */
export function popularityCurve(matrix: RatingMatrix): PopularityPoint[] {
  const { indptr, rows } = matrix.byItem;
  const counts = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) counts[r] = indptr[r + 1] - indptr[r];
  counts.sort().reverse();
  return curveRanks(rows).map((rank) => ({ rank, users: counts[rank - 1] }));
}

/** The activity bin of a count n ≥ 1: 0 for [1,1], b for [2^(b-1)+1, 2^b]. */
function binOf(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

/** Users by items interacted with, in bins [1,1], [2,2], [3,4], [5,8], …, every bin up to the last non-empty one. */
export function userActivity(matrix: RatingMatrix): ActivityBin[] {
  const { indptr, rows } = matrix.byUser;
  const bins: number[] = [];
  for (let r = 0; r < rows; r++) {
    const n = indptr[r + 1] - indptr[r];
    if (n === 0) continue; // a user without items has no bin (a matrix built from a log has none)
    const bin = binOf(n);
    while (bins.length <= bin) bins.push(0);
    bins[bin]++;
  }
  return bins.map((users, bin) => ({ min: bin === 0 ? 1 : 2 ** (bin - 1) + 1, max: 2 ** bin, users }));
}
