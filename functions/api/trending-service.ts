/**
 * GET …/trending: the active version's stored trending list (functions/model-build/trending.ts), through the same
 * filter and caps as the popular route.
 *
 * Rounds: the trending list (one Query); with rules, the catalogue entries of its first poolSize(limit) items (one
 * BatchGetItem round) and, only when fewer than `limit` pass, popularity and the entries of popular items in the
 * backfill's bounded rounds (./request-filters.ts); those items are labelled `backfill` / `popular`, score 0.
 *
 * Safety properties (test/api/trending.test.ts): a version without a trending list (its data had no timestamps, or
 * it was built before trending) is a 409 model-not-built saying how to get one; every listed item passes the filter
 * and the caps; trending order (score desc, count desc, id asc) whatever the stored order; no taken-down item.
 */
import type { ModelReader } from '../adapters/store-contract.js';
import { configKey } from '../adapters/bucket-layout.js';
import { moreTrending } from '../engine/filters/index.js';
import { CandidateFilter } from '../engine/recommend/candidates.js';
import { topN } from '../engine/recommend/top-n.js';
import type { Recommendation, RecommendOptions } from '../engine/types.js';
import type { ActiveModel } from './active-version.js';
import { modelNotBuilt } from './problems.js';
import { arrangeRequest, parseRules, poolSize, type ListRules } from './request-filters.js';
import type { FallbackRankings } from './trending-fallback.js';
import type { TrendingBody } from './trending-schemas.js';

export type { TrendingBody } from './trending-schemas.js';

export async function trendingAttempt(
  store: ModelReader,
  active: ActiveModel,
  limit: number,
  given: ListRules | undefined,
  rankings: FallbackRankings,
): Promise<{ complete: boolean; answer: () => TrendingBody }> {
  const { dataset, version } = active;
  const recorded = active.info?.trending;
  if (recorded === undefined || 'none' in recorded) {
    const why =
      recorded === undefined
        ? 'was built before trending lists existed'
        : 'was built from interactions without timestamps, so it has no trending list';
    throw modelNotBuilt(
      `Dataset ${JSON.stringify(dataset)} (version ${version}) ${why}.`,
      'Upload the interactions with a timestamp column (user,item,rating,timestamp: seconds or milliseconds since ' +
        `the epoch, or ISO 8601; name it in input.columns.timestamp of ${configKey(dataset)} if it is not found), ` +
        'and wait for the build; GET …/popular answers without timestamps.',
    );
  }
  const window = { windowDays: recorded.windowDays, halfLifeDays: recorded.halfLifeDays, now: recorded.now };
  const rules = parseRules(active, given?.rules, given?.allow !== undefined);
  const trending = await rankings.trending();
  const byItem = new Map(trending.map((entry) => [entry.item, entry]));
  const ranked = topN(trending, rules ? poolSize(limit) : limit, moreTrending);
  const scored: Recommendation[] = ranked.map(({ item, score }) => ({ item, score, because: [] }));
  const candidates = new CandidateFilter(
    { exclude: given?.exclude, allow: given?.allow, excludeSeen: false } as RecommendOptions,
    undefined,
  );
  const listed = rules
    ? await arrangeRequest({ store, active, rules, limit, scored, candidates, popularity: rankings.popularity })
    : scored;
  const items = listed.map(({ item, score, because }) => {
    const count = byItem.get(item)?.count ?? 0;
    const labels = because.filter((reason) => reason.kind === 'backfill');
    return labels.length > 0 ? { item, score, count, because: labels } : { item, score, count };
  });
  const body: TrendingBody = { dataset, version, window, items };
  // The version records a non-empty list: none read means its rows are gone (a version pruned under us).
  return { complete: recorded.items === 0 || trending.length > 0, answer: () => body };
}
