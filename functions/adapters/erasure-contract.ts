/**
 * Erasure (a user's data) and takedown (an item) as the storage offers them, split by role like
 * ./store-contract.ts: the API serves with the tombstones and records, applies and shows erasures
 * (`ErasureRequests`); the build excludes erased users and taken-down items, applies erasures that arrived while
 * it ran, and prunes tombstones every stored version already excludes (`ErasureLedger`). The guarantees and the
 * order of the writes are in ../api/erasure-service.ts and ../model-build/build-erasures.ts; the layout in
 * ./dynamo/keys.ts.
 */

/** What is erased: a user (by pseudonym) or an item (by id). */
export type ErasureKind = 'user' | 'item';

/** `pending` from the first write of the record until every row was deleted; then `completed`. */
export type ErasureStatus = 'pending' | 'completed';

/** Rows of one erased subject deleted from one model version, and by whom. */
export interface ErasureDeletion {
  version: string;
  rows: number;
  /** `request`: the DELETE itself; `build`: a build that was running when the erasure arrived. */
  by: 'request' | 'build';
  at: string;
}

export interface ErasureRecord {
  dataset: string;
  kind: ErasureKind;
  /** kind user: storedUserIdOf(key, userId) (its keyed pseudonym), never the raw id; kind item: the item id. */
  subject: string;
  status: ErasureStatus;
  /** When the first DELETE for this subject was received (ISO). */
  requestedAt: string;
  completedAt?: string;
  deleted: ErasureDeletion[];
  /** The first version whose build excluded the subject from its input (item rows recomputed without it). */
  rebuiltIn?: { version: string; at: string };
}

/**
 * The serving tombstone set of a dataset: erased users (by pseudonym) and taken-down items, each with its
 * erasure's `requestedAt`. Every answer of the dataset is filtered through it (../api/tombstones.ts).
 */
export interface Tombstones {
  users: ReadonlyMap<string, string>;
  items: ReadonlyMap<string, string>;
}

export const NO_TOMBSTONES: Tombstones = Object.freeze({ users: new Map(), items: new Map() });

/** Which model rows an erasure deletes: the user's history and neighbour rows, the item's neighbour and catalogue rows. */
export const ERASED_ROW_KINDS = { user: ['h', 'u'], item: ['i', 'c'] } as const;

/** A model version that still has rows in the table (registry row present), with what its input excluded. */
export interface StoredVersion {
  version: string;
  /** Every erasure requested before this time was excluded from the version's input; absent: none known. */
  erasuresThrough?: string;
}

/** What serving needs: the tombstones, read with the manifest's cache. */
export interface TombstoneReader {
  getTombstones(dataset: string): Promise<Tombstones>;
}

/** What the API does for DELETE and GET of an erasure. */
export interface ErasureRequests extends TombstoneReader {
  getErasure(dataset: string, kind: ErasureKind, subject: string): Promise<ErasureRecord | undefined>;
  /** Creates the record (status pending, requestedAt = now) or returns the one there is, unchanged. */
  beginErasure(dataset: string, kind: ErasureKind, subject: string, now: Date): Promise<ErasureRecord>;
  /** Adds the subject to the tombstones (kept as it is when present); this process sees it at once. */
  addTombstone(dataset: string, kind: ErasureKind, subject: string, at: string): Promise<void>;
  /** Every version with rows in the table: kept, retired within the grace, building, or left by a crashed build. */
  storedVersions(dataset: string): Promise<StoredVersion[]>;
  /** Deletes one entity's rows of the given kind in one version; returns how many existed (0 or 1 per kind). */
  deleteEntityRows(dataset: string, version: string, kind: ErasureKind, id: string): Promise<number>;
  /** Marks the record completed (first completion wins) and appends `deleted`; returns the record as stored. */
  completeErasure(
    dataset: string,
    kind: ErasureKind,
    subject: string,
    deleted: readonly ErasureDeletion[],
    now: Date,
  ): Promise<ErasureRecord>;
  /** Appends rows a later sweep (a repeated DELETE) found and deleted. */
  noteErasureRows(dataset: string, kind: ErasureKind, subject: string, deletion: ErasureDeletion): Promise<void>;
  /** The user's live events (a store with live events has it); called by every DELETE of a user. */
  deleteUserLiveEvents?(dataset: string, userId: string): Promise<unknown>;
}

/** What a build does with erasures. */
export interface ErasureLedger {
  /** Every erasure record of the dataset (consistent read). */
  listErasures(dataset: string): Promise<ErasureRecord[]>;
  addTombstone(dataset: string, kind: ErasureKind, subject: string, at: string): Promise<void>;
  deleteEntityRows(dataset: string, version: string, kind: ErasureKind, id: string): Promise<number>;
  /** Appends what a build deleted to the record. */
  noteErasureRows(dataset: string, kind: ErasureKind, subject: string, deletion: ErasureDeletion): Promise<void>;
  /** Records the first version built without the subject (kept when already set). */
  markRebuilt(dataset: string, kind: ErasureKind, subject: string, version: string, at: string): Promise<void>;
  /** Writes the version's `erasuresThrough` on its registry row (before its activation). */
  recordErasuresThrough(dataset: string, version: string, through: string): Promise<void>;
  storedVersions(dataset: string): Promise<StoredVersion[]>;
  /** Removes tombstone entries whose time is before `before` (each only if still the same entry). */
  pruneTombstones(dataset: string, before: string): Promise<{ pruned: number }>;
}

/** The tombstone item is one DynamoDB item (400 KB): too many erasures between builds. */
export class TombstonesFullError extends Error {
  override readonly name = 'TombstonesFullError';
}
