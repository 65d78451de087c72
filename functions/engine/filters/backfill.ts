/**
 * "Always N when N exist": when filters, exclusions or `allow` leave fewer than `limit` scored candidates, the list is
 * filled from rankings (popularity, trending) within the same filter, each filled-in item labelled
 * `{ kind: 'backfill', reason, value }` and scored 0.
 *
 * Why score 0: a backfilled item was not scored by the model, and its ranking value (a count, a decayed count) is
 * not on the model's scale; 0 keeps the list's scores non-increasing (model scores are > 0, popularity counts ≥ 1,
 * trending scores > 0) while the label carries the ranking value. The label is there even with explanations off.
 *
 * Safety properties (test/engine/filters-backfill.test.ts): the result has min(limit, scored + acceptable ranked
 * items) items, i.e. fewer than `limit` only when fewer exist; the scored items come first, unchanged and in order;
 * no item twice; every filled-in item passes `accepts` and carries its label; deterministic (ranking order).
 */
import type { PopularItem, Recommendation, RecommendOptions, BackfillSource } from '../types.js';
import { CandidateFilter } from '../recommend/candidates.js';
import { morePopular } from '../recommend/popularity.js';
import type { CatalogueLookup } from './apply.js';
import { compileFilter } from './apply.js';
import type { Filter } from './filter.js';
import { moreTrending, type TrendingItem } from './trending.js';

/** A ranking to fill from: items best first, each with its value in that ranking. */
export interface BackfillRanking {
  reason: BackfillSource;
  items: readonly { item: string; value: number }[];
}

/**
 * `scored` (already filtered, best first) cut to `limit`, then filled from `rankings` in order. `accepts` is asked
 * at most once per ranked item, only for items not already listed, and every `true` is listed at once — so a
 * stateful check such as diversity's GroupCaps.admit can be part of it.
 */
export function backfill(
  scored: readonly Recommendation[],
  limit: number,
  rankings: readonly BackfillRanking[],
  accepts: (item: string) => boolean,
): Recommendation[] {
  const result = scored.slice(0, Math.max(0, limit));
  if (result.length >= limit) return result;
  const listed = new Set(result.map((r) => r.item));
  for (const { reason, items } of rankings) {
    for (const { item, value } of items) {
      if (result.length >= limit) return result;
      if (listed.has(item) || !accepts(item)) continue;
      listed.add(item);
      result.push({ item, score: 0, because: [{ kind: 'backfill', reason, value }] });
    }
  }
  return result;
}

/** The popularity ranking as a backfill source (count desc, mean value desc, id asc, whatever the input order). */
export function popularBackfill(popularity: readonly PopularItem[]): BackfillRanking {
  const ordered = [...popularity].sort((a, b) => (morePopular(a, b) ? -1 : morePopular(b, a) ? 1 : 0));
  return { reason: 'popular', items: ordered.map((p) => ({ item: p.item, value: p.count })) };
}

/** The trending ranking as a backfill source (trending.ts order). */
export function trendingBackfill(trending: readonly TrendingItem[]): BackfillRanking {
  const ordered = [...trending].sort((a, b) => (moreTrending(a, b) ? -1 : moreTrending(b, a) ? 1 : 0));
  return { reason: 'trending', items: ordered.map((t) => ({ item: t.item, value: t.score })) };
}

/**
 * The request's whole candidate rule as one predicate: seen (when excludeSeen), `exclude`, `allow` (the
 * recommend options' CandidateFilter) and the catalogue filter at `now` (ms since the epoch).
 */
export function requestAccepts(
  options: Pick<RecommendOptions, 'excludeSeen' | 'exclude' | 'allow'>,
  seen: Iterable<string> | undefined,
  filter: Filter,
  catalogue: CatalogueLookup,
  now: number,
): (item: string) => boolean {
  const candidates = new CandidateFilter(options as RecommendOptions, seen);
  const entryPasses = compileFilter(filter, now);
  return (item) => candidates.accepts(item) && entryPasses(catalogue(item));
}
