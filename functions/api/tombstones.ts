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
 * - Cheap when nothing is erased: with no erased users no id is hashed (and no key is needed).
 * - One rule for every dataset: a user is matched by `storedUserIdOf(key, id)`, so a raw id, a raw dataset's
 *   stored id and a pseudonymised dataset's stored pseudonym all find the same tombstone
 *   (test/pipeline/erasure-race.test.ts, "a pseudonymised dataset").
 */
import type { Tombstones } from '../adapters/erasure-contract.js';
import { storedUserIdOf } from '../engine/privacy/index.js';
import type { HistoryEntry, Neighbour, NeighbourLookup, PopularItem } from '../engine/types.js';

export class ServingFilter {
  constructor(
    private readonly tombstones: Tombstones,
    /** The erasure subject of a user id (createUserSubject); only called when some user is erased. */
    private readonly subjectOf: (id: string) => string,
  ) {}

  isErasedUser(userId: string): boolean {
    return this.tombstones.users.size > 0 && this.tombstones.users.has(this.subjectOf(userId));
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

const filters = new WeakMap<Tombstones, ServingFilter>();

/** The filter for one tombstone read (memoised per read: the store hands out the same object while it caches it). */
export function servingFilter(tombstones: Tombstones, userSubject: (id: string) => string): ServingFilter {
  let filter = filters.get(tombstones);
  if (!filter) {
    filter = new ServingFilter(tombstones, userSubject);
    filters.set(tombstones, filter);
  }
  return filter;
}

/** Ids hashed and kept per process (a request, and the next ones, name the same users many times). */
const SUBJECT_CACHE = 10_000;

/**
 * The id an erasure keys a user by: `storedUserIdOf(key, id)`, the keyed pseudonym (an id that is a pseudonym
 * already, as a pseudonymised dataset stores and shows them, is itself), so one rule matches the request's raw
 * id, a raw dataset's stored ids and a pseudonymised dataset's alike. Without a key it throws a plain error (503,
 * logged): a deployment fault, asked only when some user is erased or a user's erasure is requested.
 */
export function createUserSubject(idHashKey: Uint8Array | undefined): (id: string) => string {
  const cache = new Map<string, string>();
  return (id) => {
    if (idHashKey === undefined)
      throw new Error(
        'this API has no id hashing key (ID_HASH_KEY or ID_HASH_KEY_SECRET_ARN): erased users cannot be matched',
      );
    let subject = cache.get(id);
    if (subject === undefined) {
      subject = storedUserIdOf(idHashKey, id);
      if (cache.size >= SUBJECT_CACHE) cache.delete(cache.keys().next().value as string);
      cache.set(id, subject);
    }
    return subject;
  };
}
