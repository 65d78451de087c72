/**
 * A trending list as a recommendation result: the stand-in for popularity when a version has a trending list and
 * the requested algorithm cannot be used for a new user (unknown user, empty history).
 *
 * Safety properties (test/engine/trending-results.test.ts): items pass the candidate rule (seen when excludeSeen,
 * `exclude`, `allow`); the order is the trending order (score desc, count desc, id asc) whatever the input order;
 * score = the trending score; each item has one `trending` explanation with the fallback reason (none when
 * explanations are off); the result is flagged `fallback: { reason, algorithm: 'trending' }`.
 */
import {
  type FallbackReason,
  type RecommendationResult,
  type RecommendOptions,
  type TrendingReason,
} from '../types.js';
import { CandidateFilter } from '../recommend/candidates.js';
import { resolveRecommendOptions } from '../recommend/options.js';
import { topN } from '../recommend/top-n.js';
import { moreTrending, type TrendingItem, type TrendingOptions } from './trending.js';

export function recommendTrending(
  trending: readonly TrendingItem[],
  window: Pick<TrendingOptions, 'windowDays' | 'halfLifeDays'>,
  options: Partial<RecommendOptions> | undefined,
  seen: Iterable<string> | undefined,
  fallbackReason: FallbackReason,
): RecommendationResult {
  const resolved = resolveRecommendOptions(options);
  const filter = new CandidateFilter(resolved, seen);
  const best = topN(
    trending.filter((t) => filter.accepts(t.item)),
    resolved.limit,
    moreTrending,
  );
  const reason = (t: TrendingItem): TrendingReason => ({
    kind: 'trending',
    score: t.score,
    count: t.count,
    windowDays: window.windowDays,
    halfLifeDays: window.halfLifeDays,
    fallback: fallbackReason,
  });
  return {
    algorithm: 'popularity',
    fallback: { reason: fallbackReason, algorithm: 'trending' },
    items: best.map((t) => ({ item: t.item, score: t.score, because: resolved.explainTop > 0 ? [reason(t)] : [] })),
  };
}
