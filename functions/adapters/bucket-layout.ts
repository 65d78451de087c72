/**
 * The bucket layout, shared by the build, the CLI, the local stack and the CDK stack:
 * uploads/<dataset>/<file> are interaction files (uploads/<dataset>/config.json holds the dataset's build options,
 * uploads/<dataset>/items.csv|tsv|jsonl[.gz] its item catalogue);
 * events/<dataset>/ holds the live events builds folded (read by every later build);
 * reports/<dataset>/<version>.json are the builds' data-quality reports; reports/ignored-uploads/<key>.json say why
 * an object under uploads/ built nothing (its key cannot be a dataset file). Version ids never contain '/', so
 * those reports cannot collide with the reports of a dataset named "ignored-uploads".
 */
import { createHash } from 'node:crypto';

export const UPLOADS_PREFIX = 'uploads/';
export const REPORTS_PREFIX = 'reports/';
/**
 * events/<dataset>/<from>_<to>.jsonl: live events folded by a build (functions/model-build/live-fold.ts), read by
 * every later build as interaction files. Outside uploads/, so writing them starts no build.
 */
export const EVENTS_PREFIX = 'events/';
export const CONFIG_FILE = 'config.json';
/** Dataset names are free text (any characters but '/'), bounded so keys stay within DynamoDB's limits. */
export const MAX_DATASET_BYTES = 128;

export function uploadKey(dataset: string, file: string): string {
  return `${UPLOADS_PREFIX}${dataset}/${file}`;
}

export function configKey(dataset: string): string {
  return uploadKey(dataset, CONFIG_FILE);
}

/** The names of a dataset's item catalogue, directly under uploads/<dataset>/ (a dataset has at most one). */
export const CATALOGUE_FILES: readonly string[] = ['items.csv', 'items.tsv', 'items.jsonl'].flatMap((name) => [
  name,
  `${name}.gz`,
]);

/** Whether a file under uploads/<dataset>/ is the dataset's catalogue (never an interaction file). */
export function isCatalogueFile(file: string): boolean {
  return CATALOGUE_FILES.includes(file);
}

export function reportKey(dataset: string, version: string): string {
  return `${REPORTS_PREFIX}${dataset}/${version}.json`;
}

export const IGNORED_UPLOADS_REPORTS_PREFIX = `${REPORTS_PREFIX}ignored-uploads/`;
/** S3's limit on key length (UTF-8 bytes). */
const MAX_S3_KEY_BYTES = 1024;

/**
 * Where the report on an ignored upload goes: its own key under the prefix, or a hash of it when that would be
 * too long or hold an empty path segment ('//', which many S3 tools mishandle). Each report names its key.
 */
export function ignoredUploadReportKey(uploadKey: string): string {
  const mirrored = `${IGNORED_UPLOADS_REPORTS_PREFIX}${uploadKey}.json`;
  if (Buffer.byteLength(mirrored, 'utf8') <= MAX_S3_KEY_BYTES && !mirrored.includes('//')) return mirrored;
  const digest = createHash('sha256').update(uploadKey).digest('hex').slice(0, 32);
  return `${IGNORED_UPLOADS_REPORTS_PREFIX}sha256-${digest}.json`;
}
