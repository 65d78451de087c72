/**
 * The similarity module's names for its options. Their rules (defaults, ranges, messages) live in one schema in
 * ../model-config.ts, shared with config files and the CLI, so each option is validated one way everywhere.
 */
export { MAX_K, resolveSimilarityOptions, SIMILARITY_MEASURES } from '../model-config.js';
