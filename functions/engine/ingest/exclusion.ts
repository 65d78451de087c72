/**
 * Erasure and takedown at ingest: the rows of excluded users (erased) and items (taken down) are dropped while a
 * dataset's files are combined into one log (load-sources.ts), whichever file they came from. The caller decides
 * what is excluded (the build: by keyed hash for users, by id for items); this module only applies it.
 *
 * Safety properties (test/engine/ingest-exclusion.test.ts):
 * - Nothing of an excluded id reaches the log: none of its rows, and not the id itself (an id is interned only
 *   with its first kept row, so a user whose every row was of a taken-down item is no user at all).
 * - Each distinct id is asked once across all files (a keyed hash per user id is the cost of asking).
 * - Counted, never named: the report says how many rows, users and items were dropped, not which.
 * - Without an exclusion the combination is exactly as before (ids interned in the same order).
 */
import type { IdDictionary, InteractionLog } from '../data/index.js';

export interface InteractionExclusion {
  /** True when the user's rows must be dropped. */
  user?: (id: string) => boolean;
  /** True when the item's rows must be dropped. */
  item?: (id: string) => boolean;
}

/** What the exclusion dropped. */
export interface ErasedRows {
  rows: number;
  /** Distinct excluded users / items found in the files. */
  users: number;
  items: number;
}

/** One side's decisions (users or items), each id asked once. */
class Decisions {
  private readonly dropped = new Set<string>();
  /** Kept, but not (yet) in the log: every row of theirs went with the other side's exclusion. */
  private readonly keptAbsent = new Set<string>();

  constructor(private readonly excluded: ((id: string) => boolean) | undefined) {}

  get droppedCount(): number {
    return this.dropped.size;
  }

  drops(id: string, into: IdDictionary): boolean {
    if (!this.excluded) return false;
    if (this.dropped.has(id)) return true;
    if (into.indexOf(id) !== undefined || this.keptAbsent.has(id)) return false;
    if (this.excluded(id)) {
      this.dropped.add(id);
      return true;
    }
    this.keptAbsent.add(id);
    return false;
  }

  /** Called once the id is in the log (the set only needs the ones that are not). */
  interned(id: string): void {
    if (this.keptAbsent.size > 0) this.keptAbsent.delete(id);
  }
}

/** Applies one exclusion across every file of a build. */
export class ExclusionFilter {
  private readonly users: Decisions;
  private readonly items: Decisions;
  private droppedRows = 0;

  constructor(exclusion: InteractionExclusion) {
    this.users = new Decisions(exclusion.user);
    this.items = new Decisions(exclusion.item);
  }

  get report(): ErasedRows {
    return { rows: this.droppedRows, users: this.users.droppedCount, items: this.items.droppedCount };
  }

  /** Appends `part`'s kept rows to `into`; returns how many rows it dropped. */
  append(into: InteractionLog, part: InteractionLog): number {
    const userIds = part.users.toArray();
    const itemIds = part.items.toArray();
    // -1: kept, not yet interned; -2: dropped; else the index in `into`.
    const users = new Int32Array(userIds.length);
    const items = new Int32Array(itemIds.length);
    for (let k = 0; k < userIds.length; k++) users[k] = this.users.drops(userIds[k], into.users) ? -2 : -1;
    for (let k = 0; k < itemIds.length; k++) items[k] = this.items.drops(itemIds[k], into.items) ? -2 : -1;
    const { user, item, value, timestamp } = part.columns();
    into.reserve(into.length + user.length);
    let dropped = 0;
    for (let k = 0; k < user.length; k++) {
      const u = user[k];
      const i = item[k];
      if (users[u] === -2 || items[i] === -2) {
        dropped++;
        continue;
      }
      if (users[u] === -1) {
        users[u] = into.users.intern(userIds[u]);
        this.users.interned(userIds[u]);
      }
      if (items[i] === -1) {
        items[i] = into.items.intern(itemIds[i]);
        this.items.interned(itemIds[i]);
      }
      into.addIndexed(users[u], items[i], value[k], timestamp?.[k]);
    }
    this.droppedRows += dropped;
    return dropped;
  }
}
