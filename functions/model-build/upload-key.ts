/**
 * The bucket layout: uploads/<dataset>/<file> are rating files (uploads/<dataset>/config.json holds the
 * dataset's build options); reports/<dataset>/<version>.json are the builds' data-quality reports.
 */
export const UPLOADS_PREFIX = 'uploads/';
export const REPORTS_PREFIX = 'reports/';
export const CONFIG_FILE = 'config.json';
/** Dataset names are free text (any characters but '/'), bounded so keys stay within DynamoDB's limits. */
export const MAX_DATASET_BYTES = 128;

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

export function configKey(dataset: string): string {
  return `${UPLOADS_PREFIX}${dataset}/${CONFIG_FILE}`;
}

export function reportKey(dataset: string, version: string): string {
  return `${REPORTS_PREFIX}${dataset}/${version}.json`;
}
