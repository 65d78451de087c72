/**
 * Trending: popularity over a recent window, each interaction weighted by its age with exponential decay:
 *
 *   score(i) = Σ over the interactions (u, i, t) with now − windowDays ≤ t ≤ now of 0.5^((now − t) / halfLifeDays)
 *
 * Values (ratings, weights) do not count, only that the interaction happened, as for popularity. From a RatingMatrix
 * each (user, item) pair counts once at its kept timestamp; from an InteractionLog every event counts (repeat plays).
 * Timestamps are seconds unless the newest is above 1e11, then milliseconds (the rule of data/combine-events.ts);
 * `now` is milliseconds since the epoch, default the newest timestamp. Interactions after `now` or without a
 * timestamp are left out.
 *
 * Safety properties (test/engine/filters-trending.test.ts): scores equal a hand calculation; the order is score desc,
 * in-window count desc, item id asc (deterministic); an item with nothing in the window is absent; no timestamps at
 * all or a bad window / half-life is a UserInputError.
 */
import type { InteractionLog } from '../data/index.js';
import { UserInputError, type IdDictionaryView, type RatingMatrix } from '../types.js';
import { topN } from '../recommend/top-n.js';

export interface TrendingOptions {
  /** Only interactions at most this many days before `now`. */
  windowDays: number;
  /** An interaction halfLifeDays old counts half. */
  halfLifeDays: number;
  /** Milliseconds since the epoch; default the newest timestamp. */
  now?: number;
}

export interface TrendingItem {
  item: string;
  /** Σ 0.5^(age / halfLife) over the item's interactions in the window. */
  score: number;
  /** Interactions in the window. */
  count: number;
}

const MILLISECONDS_ABOVE = 1e11;
const MS_PER_DAY = 86_400_000;

export const moreTrending = (a: TrendingItem, b: TrendingItem): boolean =>
  a.score > b.score || (a.score === b.score && (a.count > b.count || (a.count === b.count && a.item < b.item)));

/** Trending over a matrix's pairs (`matrix.timestamps`, aligned with byUser). `limit` keeps the first ones. */
export function trendingRanking(matrix: RatingMatrix, options: TrendingOptions, limit?: number): TrendingItem[] {
  if (matrix.timestamps === undefined) throw noTimestamps();
  return trendingFromColumns(matrix.byUser.indices, matrix.timestamps, matrix.items, options, limit);
}

/** Trending over every event of a log (repeat interactions count each time). */
export function trendingFromLog(log: InteractionLog, options: TrendingOptions, limit?: number): TrendingItem[] {
  const { item, timestamp } = log.columns();
  if (timestamp === null) throw noTimestamps();
  return trendingFromColumns(item, timestamp, log.items, options, limit);
}

/** The newest timestamp in ms since the epoch (the unit rule above), or undefined when there is none. */
export function newestTimestampMs(timestamp: Float64Array): number | undefined {
  let newest = -Infinity;
  for (let k = 0; k < timestamp.length; k++) if (timestamp[k] > newest) newest = timestamp[k];
  if (newest === -Infinity) return undefined;
  return newest > MILLISECONDS_ABOVE ? newest : newest * 1000;
}

function noTimestamps(): UserInputError {
  return new UserInputError(
    'trending needs interaction timestamps, and this dataset has none',
    'trending',
    'Give the interactions a timestamp column, or use the popularity ranking.',
  );
}

function trendingFromColumns(
  item: Uint32Array,
  timestamp: Float64Array,
  items: IdDictionaryView,
  options: TrendingOptions,
  limit: number | undefined,
): TrendingItem[] {
  const { windowDays, halfLifeDays } = options;
  for (const [name, value] of [
    ['windowDays', windowDays],
    ['halfLifeDays', halfLifeDays],
  ] as const) {
    if (!(value > 0 && Number.isFinite(value)))
      throw new UserInputError(`${name} must be a number of days > 0 (got ${value})`, `trending.${name}`);
  }
  if (options.now !== undefined && !Number.isFinite(options.now))
    throw new UserInputError(`trending now must be a finite time in ms (got ${options.now})`, 'trending.now');
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UserInputError(`trending limit must be a positive integer, got ${limit}`, 'limit');

  let newest = -Infinity;
  for (let k = 0; k < timestamp.length; k++) if (timestamp[k] > newest) newest = timestamp[k];
  if (newest === -Infinity) throw noTimestamps();
  const unit = newest > MILLISECONDS_ABOVE ? 1 : 1000; // ms per timestamp unit
  const now = options.now === undefined ? newest : options.now / unit;
  const window = (windowDays * MS_PER_DAY) / unit;
  const halfLife = (halfLifeDays * MS_PER_DAY) / unit;

  const score = new Float64Array(items.size);
  const count = new Uint32Array(items.size);
  for (let k = 0; k < item.length; k++) {
    const age = now - timestamp[k];
    // NaN (no timestamp) fails both comparisons and is left out.
    if (!(age >= 0 && age <= window)) continue;
    score[item[k]] += Math.pow(0.5, age / halfLife);
    count[item[k]]++;
  }
  const ranked: TrendingItem[] = [];
  for (let i = 0; i < items.size; i++) {
    if (count[i] > 0) ranked.push({ item: items.idAt(i), score: score[i], count: count[i] });
  }
  return topN(ranked, limit ?? ranked.length, moreTrending);
}
