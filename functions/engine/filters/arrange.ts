/**
 * The whole request-time pipeline over one scored list, in the one order that keeps every rule:
 *   1. the request's candidate rule (`accepts`: seen, exclude, allow, the catalogue filter);
 *   2. MMR re-ranking (when `diversity` > 0) of the whole filtered scored pool (diversity.ts mmrOrder);
 *   3. the caps, greedily in that order (score order when `diversity` is 0), until `limit` items are kept;
 *   4. backfill from the rankings, under the same rule and the same caps (the caps' counts so far carry over).
 * Backfilled items follow the scored ones and are not re-ranked by MMR (they are scored 0: see backfill.ts).
 *
 * Why MMR before the caps: the caps are the hard rule, so they run last over the scored items and hold whatever
 * order MMR chose (checked by the property test); and the item a category keeps is the one MMR ranked first
 * (relevant and unlike what is already listed), not merely the best scored. MMR sees every filtered candidate,
 * also those a cap refuses afterwards: it stops as soon as the caps have admitted `limit` items, so it costs
 * O(picks × pool) similarity calls. Backfill runs only when the caps ran through the whole pool, so their counts
 * are exact.
 *
 * Scorers cut their lists to `limit`: for filters to find `limit` items among the scored ones, score a larger pool
 * (backfill fills what is still missing).
 *
 * Safety properties (test/engine/filters-arrange.test.ts): every listed item passes `accepts`; no cap is exceeded
 * (with or without MMR); min(limit, what the rule and the caps allow in that order) items; diversity 0 is the
 * score order; deterministic.
 */
import type { Recommendation } from '../types.js';
import type { CatalogueLookup } from './apply.js';
import { backfill, type BackfillRanking } from './backfill.js';
import { GroupCaps, mmrOrder, type DiversityCaps, type ItemSimilarity } from './diversity.js';

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
  const filtered = diversity === 0 ? scored : scored.filter((candidate) => accepts(candidate.item));
  const list: Recommendation[] = [];
  for (const candidate of mmrOrder(filtered, diversity, options.similarity ?? (() => 0))) {
    if (list.length >= limit) break;
    if (accepts(candidate.item) && caps.admit(candidate.item)) list.push(candidate);
  }
  return backfill(list, limit, options.rankings ?? [], (item) => accepts(item) && caps.admit(item));
}
