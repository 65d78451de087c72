/** Ingest: rating / interaction files -> InteractionLog / RatingMatrix with a quality report (see load-ratings.ts). */
export { ingestToLog, loadRatings, MAX_LINE_BYTES, type IngestSource } from './load-ratings.js';
export { MAX_ID_BYTES } from './values.js';
export {
  combineLimits,
  DEFAULT_MEMORY_COST,
  DEPLOYMENT_SETTINGS,
  IngestLimitError,
  LIMIT_NAMES,
  limitsForMemory,
  type IngestLimits,
  type LimitHint,
  type LimitName,
  type MemoryCost,
} from './limits.js';
export { DataQualityError, DEFAULT_MAX_REJECTED_SHARE } from './rejected-share.js';
export { ExclusionFilter, type ErasedRows, type InteractionExclusion } from './exclusion.js';
export type {
  ColumnRef,
  IngestFormat,
  IngestOptions,
  LogReport,
  QualityReport,
  RejectionReason,
  RejectionSummary,
} from './types.js';
export {
  ingestSourcesToLog,
  loadSources,
  type InteractionSource,
  type SourceReport,
  type SourcesReport,
} from './load-sources.js';
export {
  byArrival,
  liveHistory,
  liveIdProblem,
  liveTimestampProblem,
  liveTypeProblem,
  liveValueProblem,
  liveWeightedValueProblem,
  type LiveEventFields,
  type LiveWeighting,
} from './live-events.js';
export { purgeRows, type PurgeResult, type PurgeRowsOptions } from './purge-rows.js';
export { MAX_LINES_LISTED, type PurgeLayout, type RecordCounts } from './purge-records.js';
export { verifyPurge, type PurgeCheck } from './purge-verify.js';
export { PRIVACY_REPORT } from './pseudonymize-users.js';
export {
  curveRanks,
  MAX_CURVE_POINTS,
  popularityCurve,
  userActivity,
  type ActivityBin,
  type PopularityPoint,
} from './report-curves.js';
export type { PrivacyReport } from './types.js';
