/**
 * The version's trending list: engine/filters/trending.ts over the built matrix (each (user, item) pair once, at its
 * kept timestamp), the first TRENDING_ROWS items stored next to popularity, and what the version records of it.
 *
 * Why `now` = the newest timestamp in the data, not the build's clock: a re-build of the same files gives the same
 * list (builds are reproducible, and a replayed or late build cannot empty the list of old data), and the window
 * means "the last week of the data". The cost: for data that stopped arriving, "trending" is that of its last week;
 * the version records `now`, so a client can see how old the list is.
 *
 * Safety properties (test/pipeline/trending.test.ts): the stored list equals a hand calculation on a tiny
 * timestamped file; data without timestamps stores no list and records `none: 'no-timestamps'` (not an error).
 */
import type { VersionTrending, VersionWriter } from '../adapters/store-contract.js';
import { newestTimestampMs, trendingRanking, type TrendingOptions } from '../engine/filters/index.js';
import type { RatingMatrix } from '../engine/types.js';
import { POPULARITY_ROWS } from './publish-model.js';

/** Trending items kept per version: as many as popularity (the API's limit is 100, the rest covers filters). */
export const TRENDING_ROWS = POPULARITY_ROWS;

/** Ranks, writes (when there are timestamps) and describes the version's trending list. */
export async function publishTrending(
  matrix: RatingMatrix,
  options: Pick<TrendingOptions, 'windowDays' | 'halfLifeDays'>,
  writer: Pick<VersionWriter, 'putTrending'>,
): Promise<VersionTrending> {
  const { windowDays, halfLifeDays } = options;
  // NaN marks a row without a timestamp: a matrix of only those has none.
  const now = matrix.timestamps && newestTimestampMs(matrix.timestamps);
  if (now === undefined) return { windowDays, halfLifeDays, none: 'no-timestamps' };
  const items = trendingRanking(matrix, { windowDays, halfLifeDays, now }, TRENDING_ROWS);
  await writer.putTrending(items);
  return { windowDays, halfLifeDays, now: new Date(now).toISOString(), items: items.length };
}
