/** Ingest: rating / interaction files -> InteractionLog / RatingMatrix with a quality report (see load-ratings.ts). */
export { ingestToLog, loadRatings, MAX_LINE_BYTES, type IngestSource } from './load-ratings.js';
export { MAX_ID_BYTES } from './values.js';
export type {
  ColumnRef,
  IngestFormat,
  IngestOptions,
  LogReport,
  QualityReport,
  RejectionReason,
  RejectionSummary,
} from './types.js';
