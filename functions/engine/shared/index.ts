/**
 * Utilities that several engine features use and none owns: the seeded random generator (synthetic data,
 * evaluation splits and sampling), CSV fields (export, synthetic metadata) and file-error wording (ingest,
 * export, synthetic data) and the worker-thread count (similarity and EASE pools).
 */
export { Random, AliasTable } from './random.js';
export { csvField, csvRecord } from './csv.js';
export { readFileError, writeFileError, directoryError } from './file-errors.js';
export { resolveThreadCount, MAX_THREADS } from './threads.js';
