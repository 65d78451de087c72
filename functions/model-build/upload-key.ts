/** Classifies object keys under the bucket layout (./../adapters/bucket-layout.ts). */
import { CONFIG_FILE, MAX_DATASET_BYTES, UPLOADS_PREFIX } from '../adapters/bucket-layout.js';

export type UploadKey =
  | { kind: 'ratings'; dataset: string; file: string }
  | { kind: 'config'; dataset: string }
  | { kind: 'ignored'; reason: string };

/** Classifies a decoded object key. */
export function parseUploadKey(key: string): UploadKey {
  if (!key.startsWith(UPLOADS_PREFIX)) return { kind: 'ignored', reason: `key is outside ${UPLOADS_PREFIX}` };
  const rest = key.slice(UPLOADS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return { kind: 'ignored', reason: `expected ${UPLOADS_PREFIX}<dataset>/<file>` };
  const dataset = rest.slice(0, slash);
  const file = rest.slice(slash + 1);
  if (file === '' || file.endsWith('/')) return { kind: 'ignored', reason: 'folder marker' };
  if (Buffer.byteLength(dataset, 'utf8') > MAX_DATASET_BYTES) {
    return { kind: 'ignored', reason: `dataset name is longer than ${MAX_DATASET_BYTES} bytes` };
  }
  if (file === CONFIG_FILE) return { kind: 'config', dataset };
  return { kind: 'ratings', dataset, file };
}
