/** Batch export of recommendations as CSV or JSON Lines (see export-recommendations.ts). */
export { exportRecommendations, type ExportOptions, type ExportSummary } from './export-recommendations.js';
export { csvField, csvRecord } from '../shared/index.js';
