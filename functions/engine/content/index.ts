/**
 * Content-based item rows from the catalogue: terms of each entry (tokenise.ts, stop-words.ts), TF-IDF or BM25
 * vectors (vectorise.ts), top-K cosine neighbours over row ranges and the shared terms of a pair (kernel.ts), all
 * items' neighbours on worker threads (pool.ts, worker.ts), the options (config.ts), and the binary cosine of two
 * entries for request-time MMR (pair-similarity.ts).
 */
export {
  CONTENT_FIELDS,
  TERM_PREFIX,
  attributeTerm,
  describeTerm,
  entryTerms,
  normalise,
  tokenise,
  wholeTerm,
  type ContentField,
  type EntryTerms,
} from './tokenise.js';
export {
  MIN_GUESS_HITS,
  STOP_WORD_LANGUAGES,
  guessStopWords,
  stopWordsFor,
  type StopWordLanguage,
} from './stop-words.js';
export { vectoriseCatalogue, type ContentVectors } from './vectorise.js';
export { contentSimilarity, entryTermSet } from './pair-similarity.js';
export { ContentKernel, contentNeighbourBlock, sharedTerms, type KernelVectors, type SharedTerm } from './kernel.js';
export {
  BUNDLED_CONTENT_WORKER_FILE,
  MIN_WORK_FOR_DEFAULT_WORKERS,
  computeContentNeighbours,
  contentWorkersAvailable,
} from './pool.js';
export {
  DEFAULT_BM25,
  DEFAULT_CONTENT_K,
  DEFAULT_FIELD_WEIGHTS,
  MAX_FIELD_WEIGHT,
  bm25Of,
  contentOptionsSchema,
  resolveContentOptions,
  type ContentOptions,
  type ContentOptionsInput,
} from './config.js';
export { contentItemIds, contentRows, type ContentRows } from './rows.js';
