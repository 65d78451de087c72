/**
 * The fallback for new users: where a recommendation falls back for an unknown user or an empty history, the
 * version's trending list answers when it has one (README "Trending"), flagged `fallback: { reason, algorithm:
 * 'trending' }`, each item explained by one `trending` entry; popularity otherwise, as before.
 *
 * `no-candidates` (a known history whose rows scored nothing) stays popularity: the user is not new, and the
 * all-time ranking is the steadier stand-in for someone whose items are just outside every neighbourhood.
 *
 * Rounds: trending (one Query) only once the engine has fallen back; popularity only when the trending list leaves
 * fewer than `limit` items (then the rest is filled from popularity within the same candidate rule, labelled
 * `backfill` / `popular`), or when the version has no trending list.
 *
 * Safety properties (test/api/trending.test.ts): a version with a trending list answers a new user from it; one
 * without (no timestamps, or built before trending) with popularity; every item passes the candidate rule.
 */
import type { TrendingItem } from '../engine/filters/index.js';
import { backfill, popularBackfill, recommendTrending } from '../engine/filters/index.js';
import { CandidateFilter } from '../engine/recommend/candidates.js';
import { resolveRecommendOptions } from '../engine/recommend/options.js';
import type { FallbackReason, PopularItem, RecommendationResult, RecommendOptions } from '../engine/types.js';
import type { ActiveModel } from './active-version.js';

/** The version's two fallback rankings, each read at most once per request (service.ts lazyPopularity / lazyTrending). */
export interface FallbackRankings {
  popularity: () => Promise<PopularItem[]>;
  trending: () => Promise<TrendingItem[]>;
}

/** The window of the active version's trending list, or undefined when it has none. */
export function trendingWindow(active: ActiveModel): { windowDays: number; halfLifeDays: number } | undefined {
  const trending = active.info?.trending;
  if (trending === undefined || 'none' in trending) return undefined;
  return { windowDays: trending.windowDays, halfLifeDays: trending.halfLifeDays };
}

/**
 * Runs without popularity first; when the engine falls back, trending answers if the reason and the version allow
 * (see {@link trendingFallback}), else popularity is read and the engine runs again.
 */
export async function withFallback(
  run: (popularity: readonly PopularItem[]) => RecommendationResult,
  active: ActiveModel,
  rankings: FallbackRankings,
  options: Partial<RecommendOptions>,
  seen: readonly string[],
): Promise<RecommendationResult> {
  const first = run([]);
  if (!first.fallback) return first;
  const trended = await trendingFallback(first.fallback.reason, active, rankings, options, seen);
  return trended ?? run(await rankings.popularity());
}

/**
 * The trending answer for a fallback of `reason`, or undefined when popularity should answer: the reason is
 * no-candidates, the version has no trending list, or its list is empty after the tombstones.
 */
export async function trendingFallback(
  reason: FallbackReason,
  active: ActiveModel,
  rankings: FallbackRankings,
  options: Partial<RecommendOptions>,
  seen: readonly string[],
): Promise<RecommendationResult | undefined> {
  if (reason === 'no-candidates') return undefined;
  const window = trendingWindow(active);
  if (window === undefined) return undefined;
  const trending = await rankings.trending();
  if (trending.length === 0) return undefined;
  const result = recommendTrending(trending, window, options, seen, reason);
  const resolved = resolveRecommendOptions(options);
  if (result.items.length >= resolved.limit) return result;
  // A short window may list fewer items than asked for: "always N when N exist", from popularity, labelled.
  const candidates = new CandidateFilter(resolved, seen);
  const ranking = popularBackfill(await rankings.popularity());
  const items = backfill(result.items, resolved.limit, [ranking], (item) => candidates.accepts(item));
  return { ...result, items };
}
