/**
 * Classifies object keys under the bucket layout (./../adapters/bucket-layout.ts). A dataset's prefix
 * `uploads/<dataset>/` holds:
 * - `config.json`: the build options (builds nothing: the next build reads it);
 * - the item catalogue `items.csv` / `items.tsv` / `items.jsonl` (optionally `.gz`) directly under the prefix: it
 *   starts a build of the dataset, like an interaction file;
 * - `snapshot/<file>`: full snapshots. While any object is under `snapshot/`, the newest one (by upload time) is the
 *   dataset's only interaction file; every other interaction file is left out (and listed in the build's report);
 * - every other object (directly under the prefix, under `interactions/` or any sub-folder): an interaction file.
 *   A build reads all of them: the dataset's interactions are their union (./dataset-sources.ts).
 */
import { CONFIG_FILE, MAX_DATASET_BYTES, UPLOADS_PREFIX } from '../adapters/bucket-layout.js';

/**
 * Why a key builds nothing: `outside-uploads` (not an upload at all; the deployed notification filter never
 * sends these), `folder-marker` (an empty "folder" object, e.g. the S3 console's Create folder: holds no data),
 * `not-a-dataset-file` (under uploads/ but not `uploads/<dataset>/<file>` with a usable dataset name: a user
 * mistake worth a report).
 */
export type IgnoredCause = 'outside-uploads' | 'folder-marker' | 'not-a-dataset-file';

export type UploadKey =
  /** An interaction file (`file` is its path under the dataset prefix); `snapshot`: under `snapshot/`. */
  | { kind: 'ratings'; dataset: string; file: string; snapshot: boolean }
  | { kind: 'catalogue'; dataset: string; file: string }
  | { kind: 'config'; dataset: string }
  | { kind: 'ignored'; cause: IgnoredCause; reason: string; fix: string };

/** The item catalogue: directly under the dataset prefix (a sub-folder's items.csv is interaction data). */
export const CATALOGUE_FILE = /^items\.(csv|tsv|jsonl)(\.gz)?$/;
/** Objects under this sub-folder are full snapshots: the newest replaces every other interaction file. */
export const SNAPSHOT_FOLDER = 'snapshot/';

const LAYOUT_FIX = `Upload data files as ${UPLOADS_PREFIX}<dataset>/<file>`;

/** Classifies a decoded object key. */
export function parseUploadKey(key: string): UploadKey {
  if (!key.startsWith(UPLOADS_PREFIX)) {
    return {
      kind: 'ignored',
      cause: 'outside-uploads',
      reason: `key is outside ${UPLOADS_PREFIX}`,
      fix: `${LAYOUT_FIX}; only keys under ${UPLOADS_PREFIX} start builds.`,
    };
  }
  const rest = key.slice(UPLOADS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (rest === '' || rest.endsWith('/')) {
    return {
      kind: 'ignored',
      cause: 'folder-marker',
      reason: 'folder marker (an empty object whose key ends in "/"): it holds no data',
      fix: 'nothing to do: folder markers are harmless; upload data files into the folder to build.',
    };
  }
  if (slash < 0) {
    return {
      kind: 'ignored',
      cause: 'not-a-dataset-file',
      reason: `file directly under ${UPLOADS_PREFIX}: no dataset folder names the model it would build`,
      fix: `${LAYOUT_FIX}, e.g. ${UPLOADS_PREFIX}movies/${rest}.`,
    };
  }
  if (slash === 0) {
    return {
      kind: 'ignored',
      cause: 'not-a-dataset-file',
      reason: `empty dataset name (the key starts with ${UPLOADS_PREFIX}/)`,
      fix: `${LAYOUT_FIX} with a non-empty dataset name, e.g. ${UPLOADS_PREFIX}movies${rest}.`,
    };
  }
  const dataset = rest.slice(0, slash);
  const file = rest.slice(slash + 1);
  const bytes = Buffer.byteLength(dataset, 'utf8');
  if (bytes > MAX_DATASET_BYTES) {
    return {
      kind: 'ignored',
      cause: 'not-a-dataset-file',
      reason: `dataset name is longer than ${MAX_DATASET_BYTES} bytes (${bytes} UTF-8 bytes)`,
      fix: `${LAYOUT_FIX} with a dataset name of at most ${MAX_DATASET_BYTES} UTF-8 bytes.`,
    };
  }
  if (file === CONFIG_FILE) return { kind: 'config', dataset };
  if (CATALOGUE_FILE.test(file)) return { kind: 'catalogue', dataset, file };
  return { kind: 'ratings', dataset, file, snapshot: file.startsWith(SNAPSHOT_FOLDER) };
}
