/**
 * The whole request-time pipeline over one scored list, in the one order that keeps every rule:
 *   1. the request's candidate rule (`accepts`: seen, exclude, allow, the catalogue filter);
 *   2. the caps, greedily in score order;
 *   3. MMR re-ranking (when `diversity` > 0) of the capped items down to `limit`;
 *   4. backfill from the rankings, under the same rule and the same caps (the caps' counts so far carry over).
 * Backfilled items follow the scored ones and are not re-ranked by MMR (they are scored 0: see backfill.ts).
 *
 * Why caps before MMR: a subset of a capped list is capped, so MMR cannot break a cap; and backfill runs only when
 * fewer than `limit` items survived, in which case MMR kept all of them and the caps' counts are exact.
 *
 * Scorers cut their lists to `limit`: for filters to find `limit` items among the scored ones, score a larger pool
 * (backfill fills what is still missing).
 *
 * Safety properties (test/engine/filters-arrange.test.ts): every listed item passes `accepts`; no cap is exceeded;
 * min(limit, what the rule and the caps allow) items; deterministic.
 */
import type { Recommendation } from '../types.js';
import type { CatalogueLookup } from './apply.js';
import { backfill, type BackfillRanking } from './backfill.js';
import { GroupCaps, mmrRerank, type DiversityCaps, type ItemSimilarity } from './diversity.js';

export interface ArrangeOptions {
  limit: number;
  /** The request's candidate rule (backfill.ts `requestAccepts`); must not count or keep state. */
  accepts: (item: string) => boolean;
  catalogue: CatalogueLookup;
  caps?: DiversityCaps;
  /** 0..1; needs `similarity`. */
  diversity?: number;
  similarity?: ItemSimilarity;
  /** Filled from in order, e.g. [trending, popular]. */
  rankings?: readonly BackfillRanking[];
}

export function arrange(scored: readonly Recommendation[], options: ArrangeOptions): Recommendation[] {
  const { limit, accepts, catalogue } = options;
  const diversity = options.diversity ?? 0;
  if (diversity !== 0 && options.similarity === undefined)
    throw new TypeError('arrange: diversity > 0 needs a similarity function');
  const caps = new GroupCaps(options.caps ?? {}, catalogue);
  const capped: Recommendation[] = [];
  for (const candidate of scored) {
    // Without MMR the first `limit` kept are the list; with it, MMR chooses among every capped item.
    if (diversity === 0 && capped.length >= limit) break;
    if (accepts(candidate.item) && caps.admit(candidate.item)) capped.push(candidate);
  }
  const list = diversity === 0 ? capped : mmrRerank(capped, limit, diversity, options.similarity!);
  return backfill(list, limit, options.rankings ?? [], (item) => accepts(item) && caps.admit(item));
}
