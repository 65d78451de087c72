/**
 * A dataset's current state: which objects under `uploads/<dataset>/` are its interaction files, in upload order,
 * and how each is read. The key classes are in ./upload-key.ts.
 *
 * Safety properties (test/model-build/dataset-sources.test.ts, test/pipeline/many-files.test.ts):
 * - Every current file: the whole prefix is listed (every page); each interaction object is a source, so a
 *   deleted object's rows are gone from the next build and an object replaced under its key is read as it is now.
 * - Upload order: sources are ordered by LastModified, then key, so the duplicate rule's "later file" is the later
 *   upload (S3 times have a resolution of one second: files of the same second go by key).
 * - Snapshots replace, visibly: while `snapshot/` holds an object, the newest one is the only source; every other
 *   interaction file is listed in `excluded` with the reason, never merged silently.
 * - Exact reads: each object is read as listed, pinned by its ETag (If-Match, and the answer's ETag checked; see
 *   ../adapters/s3-objects.ts), by the event's version id where the event named this very object. An object that
 *   changed since the listing is a typed error, so the build lists again rather than mix two states.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { configKey, uploadKey } from '../adapters/bucket-layout.js';
import {
  listObjects,
  ObjectChangedError,
  ObjectMissingError,
  openObject,
  type ListedObject,
} from '../adapters/s3-objects.js';
import { MAX_SOURCES_IN_MANIFEST, type SourceRecord, type VersionSources } from '../adapters/store-contract.js';
import type { InteractionSource } from '../engine/ingest/index.js';
import { parseUploadKey } from './upload-key.js';

/** A listed file could not be read as listed (replaced, its version gone, or deleted since the listing). */
export class SourceChangedError extends Error {
  override readonly name = 'SourceChangedError';
  constructor(
    readonly key: string,
    override readonly cause: ObjectChangedError | ObjectMissingError,
  ) {
    super(`${key} changed after the listing: ${cause.message}`);
  }
}

export interface DatasetState {
  dataset: string;
  /** The interaction files the build reads, in upload order. */
  interactions: ListedObject[];
  /** Interaction files left out, and why (older than the newest snapshot). */
  excluded: { key: string; reason: string }[];
  /** The item catalogue, when there is one (read by the catalogue's own step). */
  catalogue?: ListedObject;
  /** Every object listed, by key (for the event's own object). */
  all: Map<string, ListedObject>;
  /** When the listing started: the state's place in the dataset's order. */
  listedAt: Date;
}

/** Lists the dataset's prefix and picks its interaction files (see the header for the rules). */
export async function listDatasetState(
  s3: S3Client,
  bucket: string,
  dataset: string,
  now: () => Date,
): Promise<DatasetState> {
  const listedAt = now();
  const listed = await listObjects(s3, bucket, uploadKey(dataset, ''));
  const interactions: ListedObject[] = [];
  const snapshots: ListedObject[] = [];
  let catalogue: ListedObject | undefined;
  for (const object of listed) {
    const target = parseUploadKey(object.key);
    // Only this dataset's keys: a prefix listing of "a/" never holds "ab/…", but a folder marker may be listed.
    if (target.kind === 'catalogue' && target.dataset === dataset) catalogue = object;
    if (target.kind !== 'ratings' || target.dataset !== dataset) continue;
    if (object.size === 0 && object.key.endsWith('/')) continue;
    (target.snapshot ? snapshots : interactions).push(object);
  }
  interactions.sort(byUploadOrder);
  snapshots.sort(byUploadOrder);
  const all = new Map(listed.map((object) => [object.key, object]));
  const newestSnapshot = snapshots.at(-1);
  if (!newestSnapshot) return { dataset, interactions, excluded: [], catalogue, all, listedAt };
  const reason = `replaced by the newest snapshot ${newestSnapshot.key}`;
  const excluded = [...snapshots.slice(0, -1), ...interactions].map((object) => ({ key: object.key, reason }));
  return { dataset, interactions: [newestSnapshot], excluded, catalogue, all, listedAt };
}

/**
 * Identifies what a build of the state reads: every interaction file (key, ETag, in order), the config and the
 * catalogue. Two listings with the same digest build the same model, so a build whose state is the active
 * version's builds nothing (an event of a burst whose file an earlier build already read).
 */
export function stateDigest(state: DatasetState): string {
  const hash = createHash('sha256');
  for (const object of state.interactions) hash.update(`${object.key}\n${object.eTag}\n`);
  hash.update(`config\n${state.all.get(configKey(state.dataset))?.eTag ?? ''}\n`);
  hash.update(`catalogue\n${state.catalogue?.key ?? ''}\n${state.catalogue?.eTag ?? ''}\n`);
  return hash.digest('hex');
}

export function byUploadOrder(a: ListedObject, b: ListedObject): number {
  return a.lastModified.getTime() - b.lastModified.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The engine's sources for the state's interaction files; each read fills in its record (version id, rows) as it
 * happens. `pinned`: version ids to read by (the event's own object in a versioned bucket).
 */
export function openSources(
  s3: S3Client,
  bucket: string,
  state: DatasetState,
  pinned: ReadonlyMap<string, string> = new Map(),
): { sources: InteractionSource[]; records: SourceRecord[] } {
  const records: SourceRecord[] = state.interactions.map((object) => ({
    key: object.key,
    eTag: object.eTag,
    size: object.size,
  }));
  const sources = state.interactions.map((object, index): InteractionSource => ({
    name: object.key,
    size: object.size,
    open: async () => {
      const versionId = pinned.get(object.key);
      const stream = await openObject(s3, bucket, object.key, versionId ? { versionId } : { eTag: object.eTag }).catch(
        (error: unknown) => {
          if (error instanceof ObjectChangedError || error instanceof ObjectMissingError)
            throw new SourceChangedError(object.key, error);
          throw error;
        },
      );
      if (stream.versionId) records[index].versionId = stream.versionId;
      return stream.body;
    },
  }));
  return { sources, records };
}

/** The manifest's record of a version's files (bounded: see VersionSources). */
export function versionSources(records: readonly SourceRecord[], state: DatasetState): VersionSources {
  return {
    files: records.length,
    rows: records.reduce((sum, r) => sum + (r.rows ?? 0), 0),
    bytes: records.reduce((sum, r) => sum + r.size, 0),
    digest: stateDigest(state),
    listed: records.slice(0, MAX_SOURCES_IN_MANIFEST),
    ...(state.excluded.length > 0 ? { excluded: state.excluded.length } : {}),
  };
}
