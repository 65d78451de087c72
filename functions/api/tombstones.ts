/**
 * The serving side of erasure and takedown: every answer of a dataset passes its rows through the dataset's
 * tombstones (../adapters/erasure-contract.ts), read with the manifest (same cache), whichever version serves.
 * service.ts applies it in a few places: to the rows BEFORE the engine scores them, so an erased user's data no
 * longer scores anything and a taken-down item can neither be recommended nor contribute.
 *
 * Safety properties (tests: test/api/erasure-serving.test.ts; end to end test/pipeline/erasure.test.ts):
 * - An erased user is an unknown user: their own recommendations are popularity (fallback unknown-user), they
 *   have no similar users, and they are dropped from every user-neighbour list before the neighbours' histories
 *   are read, so they are in no similar-users answer, no user-based score and no explanation.
 * - A taken-down item is dropped from every item-neighbour row (so it is never a candidate nor a similar item),
 *   from every history (stored, posted, or a neighbour's) before scoring, and from popularity; its own similar
 *   items and catalogue entry answer 404.
 * - Whatever version serves: the filter applies to the active version and to any kept one a rollback activates,
 *   and to rows cached in memory, because it applies to the rows as they are read, not to what is stored.
 * - Cheap when nothing is erased: with no erased users no id is hashed (and the key is never loaded).
 */
import type { Tombstones } from '../adapters/erasure-contract.js';
import type { HistoryEntry, Neighbour, NeighbourLookup, PopularItem } from '../engine/types.js';

export class ServingFilter {
  constructor(
    private readonly tombstones: Tombstones,
    /** The keyed pseudonym of a user id; only called when some user is erased. */
    private readonly pseudonymOf: (id: string) => string,
  ) {}

  isErasedUser(userId: string): boolean {
    return this.tombstones.users.size > 0 && this.tombstones.users.has(this.pseudonymOf(userId));
  }

  isTakenDown(itemId: string): boolean {
    return this.tombstones.items.has(itemId);
  }

  /** A user-neighbour list without erased users. */
  users(neighbours: readonly Neighbour[]): Neighbour[] {
    return this.tombstones.users.size === 0 ? [...neighbours] : neighbours.filter(({ id }) => !this.isErasedUser(id));
  }

  /** An item-neighbour row without taken-down items. */
  items(neighbours: readonly Neighbour[]): Neighbour[] {
    return this.tombstones.items.size === 0 ? [...neighbours] : neighbours.filter(({ id }) => !this.isTakenDown(id));
  }

  /** Item rows as the engine looks them up: a taken-down item has no row, and is in no one else's. */
  itemRows(rows: ReadonlyMap<string, readonly Neighbour[]>): NeighbourLookup {
    if (this.tombstones.items.size === 0) return (id) => rows.get(id);
    return (id) => {
      const row = rows.get(id);
      return row === undefined || this.isTakenDown(id) ? undefined : this.items(row);
    };
  }

  history(history: readonly HistoryEntry[]): HistoryEntry[] {
    return this.tombstones.items.size === 0 ? [...history] : history.filter(({ item }) => !this.isTakenDown(item));
  }

  popularity(popularity: readonly PopularItem[]): PopularItem[] {
    return this.tombstones.items.size === 0
      ? [...popularity]
      : popularity.filter(({ item }) => !this.isTakenDown(item));
  }
}

const filters = new WeakMap<Tombstones, Promise<ServingFilter>>();

/**
 * The filter for one tombstone read (memoised per read: the store hands out the same object while it caches it).
 * The pseudonymiser (which needs the key) is asked for only when some user is erased.
 */
export function servingFilter(
  tombstones: Tombstones,
  pseudonymizer: () => Promise<(id: string) => string>,
): Promise<ServingFilter> {
  let filter = filters.get(tombstones);
  if (!filter) {
    filter = (async () => {
      const pseudonymOf = tombstones.users.size > 0 ? await pseudonymizer() : unreachablePseudonym;
      return new ServingFilter(tombstones, pseudonymOf);
    })();
    // A failed key load is not remembered: the next request tries again.
    filter.catch(() => filters.delete(tombstones));
    filters.set(tombstones, filter);
  }
  return filter;
}

function unreachablePseudonym(): string {
  throw new Error('no user is erased: nothing to hash');
}
