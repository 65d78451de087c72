/**
 * Key layout of the single model table (string `pk` / `sk`). Every caller-supplied component (dataset,
 * version, id) goes through {@link escapeKeyPart} before it is joined with '#'. Escaped parts never contain
 * '#', and escaping is injective, so no id — whatever its characters — can address another dataset's,
 * version's or entity's rows.
 *
 * | Row                         | pk                                      | sk                  | Attributes                        |
 * |-----------------------------|-----------------------------------------|---------------------|-----------------------------------|
 * | Manifest                    | `ds#<dataset>`                          | `manifest`          | activeVersion, versions, revision, latestSourceOrder, updatedAt |
 * | Version registry            | `ds#<dataset>`                          | `ver#<version>`     | version, state (building/activated), startedAt |
 * | Job                         | `ds#<dataset>`                          | `job#<jobId>`       | the JobRecord fields, expiresAt   |
 * | Dataset build lease         | `ds#<dataset>`                          | `build`             | holderJobId, token, leaseUntil, pending (job ids) |
 * | Erasure record (user)       | `ds#<dataset>`                          | `erasure#u#<pseudonym>` | kind, subject, status, requestedAt, completedAt, deleted, rebuiltIn (../erasure-contract.ts) |
 * | Erasure record (item)       | `ds#<dataset>`                          | `erasure#i#<itemId>`| the same; subject = the item id   |
 * | Serving tombstones          | `ds#<dataset>`                          | `tombstones`        | users: { pseudonym: time }, items: { itemId: time }, updatedAt |
 * | Item neighbours             | `m#<dataset>#<version>#i#<shard>`       | `r#<itemId>`        | d = JSON `[[id, sim, support]…]`  |
 * | User neighbours             | `m#<dataset>#<version>#u#<shard>`       | `r#<userId>`        | d = JSON `[[id, sim, support]…]`  |
 * | User history                | `m#<dataset>#<version>#h#<shard>`       | `r#<userId>`        | d = JSON `[[item, value]…]`, n = entries before capping |
 * | Popularity page             | `m#<dataset>#<version>#p#0`             | `p#<page, 6 digits>`| d = JSON `[[item, count, mean]…]` |
 * | Trending page               | `m#<dataset>#<version>#p#0`             | `t#<page, 6 digits>`| d = JSON `[[item, score, count]…]` |
 * | Catalogue entry             | `m#<dataset>#<version>#c#<shard>`       | `r#<itemId>`        | d = JSON of the entry (rows.ts)   |
 * | Live event                  | `lv#<dataset>#<shard>`                  | `e#<userId>#<event>`| eventId, user, item, type?, value?, timestamp?, receivedAt, n |
 * | Dataset directory           | `datasets`                              | `d#<dataset>`       | dataset, createdAt (./dataset-directory.ts) |
 *
 * `<shard>` = FNV-1a(escaped id) mod {@link SHARDS}: a build's writes spread over many partitions, and a
 * version's rows can be enumerated for deletion by querying its (kind, shard) partitions — no Scan.
 * A user's history and neighbour rows share the user's shard, so one BatchGetItem fetches both.
 * The `r#` prefix keeps the sort key non-empty for an empty id.
 *
 * Erasure records never hold a raw user id: `<pseudonym>` is storedUserIdOf(key, userId) ('p_' + base64url HMAC, no
 * '#'), so one record per user and dataset, found again from the id alone (./erasures.ts). The version registry
 * row also carries the version's `erasuresThrough` once its build wrote it (../../model-build/build-erasures.ts).
 *
 * The dataset directory is one partition (a few bytes per dataset, written on a first job and on activations, read
 * by GET /v1/datasets), listed in sort-key order: by the escaped name, which is the name's own order for letters,
 * digits and `-_.~`. `datasets` starts with none of the other prefixes (`ds#`, `m#`, `lv#`), so no grant on those
 * reaches it.
 *
 * Live events (./live-events.ts) use the user's shard too, so one user's events are one Query (begins_with
 * `e#<userId>#`; escaped ids never hold '#', so no user's prefix is another's). `<event>` is base64url(SHA-256 of the
 * eventId): an escaped id may take 3 bytes per byte, and two escaped 256-byte ids would pass the 1,024-byte sort key
 * limit; the hash keeps the key under it (at most 2 + 768 + 1 + 43 bytes) and the eventId is kept as an attribute.
 */
import { createHash } from 'node:crypto';
import { MAX_ID_BYTES, UserInputError } from '../../engine/types.js';

export const SHARDS = 16;

/** DynamoDB limits on key attribute sizes (UTF-8 bytes). */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

export type RowKind = 'i' | 'u' | 'h' | 'p' | 'c';
export const ROW_KINDS: readonly RowKind[] = ['i', 'u', 'h', 'p', 'c'];
/** Kinds of rows keyed by one entity's id (sharded). */
export type EntityRowKind = 'i' | 'u' | 'h' | 'c';

// A type alias (not an interface) so it is assignable to the SDK's Record<string, unknown> keys.
export type TableKey = { pk: string; sk: string };

export const MANIFEST_SK = 'manifest';
export const JOB_SK_PREFIX = 'job#';
export const VERSION_SK_PREFIX = 'ver#';
export const DATASET_BUILD_SK = 'build';
export const POPULARITY_SK_PREFIX = 'p#';
/** Trending pages share the popularity partition (deleted with it, ./manifests.ts deleteRows), apart by prefix. */
export const TRENDING_SK_PREFIX = 't#';
export const ERASURE_SK_PREFIX = 'erasure#';
export const TOMBSTONES_SK = 'tombstones';
/** The one partition of the dataset directory. */
export const DATASET_DIRECTORY_PK = 'datasets';
export const DATASET_DIRECTORY_SK_PREFIX = 'd#';
/** Partitions of live events start with this (the API's IAM grant on them is scoped to it: infra/). */
export const LIVE_EVENT_PK_PREFIX = 'lv#';

const LONE_SURROGATE_SOURCE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE);

/**
 * `encodeURIComponent`, which escapes '#' and '%', extended to lone surrogates (which it rejects): they become
 * `%uXXXX`, a form encodeURIComponent never produces ('u' is not a hex digit), so the mapping stays injective.
 */
export function escapeKeyPart(value: string): string {
  if (!HAS_LONE_SURROGATE.test(value)) return encodeURIComponent(value);
  let escaped = '';
  let from = 0;
  for (const match of value.matchAll(new RegExp(LONE_SURROGATE_SOURCE, 'g'))) {
    escaped += encodeURIComponent(value.slice(from, match.index));
    escaped += `%u${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    from = match.index + 1;
  }
  return escaped + encodeURIComponent(value.slice(from));
}

/** FNV-1a over the UTF-16 code units: stable across processes and releases (never change it: rows move). */
export function shardOf(escapedId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < escapedId.length; i++) {
    hash ^= escapedId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

export function datasetPk(dataset: string): string {
  return checkedPk(`ds#${escapeKeyPart(dataset)}`, 'dataset');
}

/** A dataset's row in the dataset directory. */
export function datasetDirectoryKey(dataset: string): TableKey {
  return {
    pk: DATASET_DIRECTORY_PK,
    sk: checkedSk(`${DATASET_DIRECTORY_SK_PREFIX}${escapeKeyPart(dataset)}`, 'dataset'),
  };
}

export function manifestKey(dataset: string): TableKey {
  return { pk: datasetPk(dataset), sk: MANIFEST_SK };
}

export function datasetBuildKey(dataset: string): TableKey {
  return { pk: datasetPk(dataset), sk: DATASET_BUILD_SK };
}

export function jobKey(dataset: string, jobId: string): TableKey {
  return { pk: datasetPk(dataset), sk: checkedSk(`${JOB_SK_PREFIX}${escapeKeyPart(jobId)}`, 'job id') };
}

export function versionRegistryKey(dataset: string, version: string): TableKey {
  return { pk: datasetPk(dataset), sk: checkedSk(`${VERSION_SK_PREFIX}${escapeKeyPart(version)}`, 'version') };
}

/** An erasure record: `subject` is the user's pseudonym (kind 'u') or the item id (kind 'i'). */
export function erasureKey(dataset: string, kind: 'u' | 'i', subject: string): TableKey {
  return { pk: datasetPk(dataset), sk: checkedSk(`${ERASURE_SK_PREFIX}${kind}#${escapeKeyPart(subject)}`, 'id') };
}

export function tombstonesKey(dataset: string): TableKey {
  return { pk: datasetPk(dataset), sk: TOMBSTONES_SK };
}

export function modelPartition(dataset: string, version: string, kind: RowKind, shard: number): string {
  return checkedPk(`m#${escapeKeyPart(dataset)}#${escapeKeyPart(version)}#${kind}#${shard}`, 'dataset and version');
}

/** Every partition that can hold rows of one version (for deletion). */
export function versionPartitions(dataset: string, version: string): string[] {
  const partitions: string[] = [];
  for (const kind of ['i', 'u', 'h', 'c'] as const) {
    for (let shard = 0; shard < SHARDS; shard++) partitions.push(modelPartition(dataset, version, kind, shard));
  }
  partitions.push(popularityPartition(dataset, version));
  return partitions;
}

/** Key of an item/user row, or undefined when the id is too long to be a key (such a row cannot exist). */
export function entityRowKey(dataset: string, version: string, kind: EntityRowKind, id: string): TableKey | undefined {
  const escaped = escapeKeyPart(id);
  const sk = `r#${escaped}`;
  if (Buffer.byteLength(sk) > MAX_SORT_KEY_BYTES) return undefined;
  return { pk: modelPartition(dataset, version, kind, shardOf(escaped)), sk };
}

/** Like {@link entityRowKey} for writes: an over-long id is a user mistake, reported with the limit. */
export function entityRowKeyForWrite(dataset: string, version: string, kind: EntityRowKind, id: string): TableKey {
  const key = entityRowKey(dataset, version, kind, id);
  if (!key) {
    throw new UserInputError(
      `Id is too long to be stored (${Buffer.byteLength(id)} UTF-8 bytes; ids may have at most ${MAX_ID_BYTES} UTF-8 bytes): "${id.slice(0, 40)}…"`,
      `dataset ${dataset}`,
      `Ids must be at most ${MAX_ID_BYTES} UTF-8 bytes; shorten or hash the long ids in the upload.`,
    );
  }
  return key;
}

export function popularityPartition(dataset: string, version: string): string {
  return modelPartition(dataset, version, 'p', 0);
}

export function popularityPageKey(dataset: string, version: string, page: number): TableKey {
  return { pk: popularityPartition(dataset, version), sk: `${POPULARITY_SK_PREFIX}${String(page).padStart(6, '0')}` };
}

export function trendingPageKey(dataset: string, version: string, page: number): TableKey {
  return { pk: popularityPartition(dataset, version), sk: `${TRENDING_SK_PREFIX}${String(page).padStart(6, '0')}` };
}

/** The live-event partition of one shard of a dataset. */
export function liveEventPartition(dataset: string, shard: number): string {
  return checkedPk(`${LIVE_EVENT_PK_PREFIX}${escapeKeyPart(dataset)}#${shard}`, 'dataset');
}

/** Every live-event partition of a dataset (the build's fold reads them all). */
export function liveEventPartitions(dataset: string): string[] {
  return Array.from({ length: SHARDS }, (_, shard) => liveEventPartition(dataset, shard));
}

/** Where one user's live events are: their partition and the sort-key prefix all of them share. */
export function liveEventUserPrefix(dataset: string, userId: string): { pk: string; prefix: string } {
  const escaped = escapeKeyPart(userId);
  return { pk: liveEventPartition(dataset, shardOf(escaped)), prefix: checkedSk(`e#${escaped}#`, 'user id') };
}

/** The key of one live event: unique per (dataset, user, eventId). */
export function liveEventKey(dataset: string, userId: string, eventId: string): TableKey {
  const { pk, prefix } = liveEventUserPrefix(dataset, userId);
  // Hashed in its escaped form: UTF-8 would map every lone surrogate to U+FFFD, and so two ids to one key.
  const event = createHash('sha256').update(escapeKeyPart(eventId)).digest('base64url');
  return { pk, sk: checkedSk(`${prefix}${event}`, 'user id') };
}

function checkedPk(pk: string, what: string): string {
  if (Buffer.byteLength(pk) > MAX_PARTITION_KEY_BYTES) {
    throw new UserInputError(
      `The ${what} name is too long to be stored as a key`,
      what,
      'Use names of at most 200 characters.',
    );
  }
  return pk;
}

function checkedSk(sk: string, what: string): string {
  if (Buffer.byteLength(sk) > MAX_SORT_KEY_BYTES) {
    throw new UserInputError(`The ${what} is too long to be stored as a key`, what, 'Use at most 256 UTF-8 bytes.');
  }
  return sk;
}
