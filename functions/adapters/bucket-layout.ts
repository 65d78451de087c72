/**
 * The bucket layout, shared by the build, the CLI, the local stack and the CDK stack:
 * uploads/<dataset>/<file> are interaction files (uploads/<dataset>/config.json holds the dataset's build options);
 * reports/<dataset>/<version>.json are the builds' data-quality reports.
 */
export const UPLOADS_PREFIX = 'uploads/';
export const REPORTS_PREFIX = 'reports/';
export const CONFIG_FILE = 'config.json';
/** Dataset names are free text (any characters but '/'), bounded so keys stay within DynamoDB's limits. */
export const MAX_DATASET_BYTES = 128;

export function uploadKey(dataset: string, file: string): string {
  return `${UPLOADS_PREFIX}${dataset}/${file}`;
}

export function configKey(dataset: string): string {
  return uploadKey(dataset, CONFIG_FILE);
}

export function reportKey(dataset: string, version: string): string {
  return `${REPORTS_PREFIX}${dataset}/${version}.json`;
}
