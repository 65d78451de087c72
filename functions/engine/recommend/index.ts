/**
 * Recommendation on external string ids: item-based and user-based CF with explanations, popularity
 * fallback, similar look-ups, and an in-memory model. The API runs the same functions on rows read from DynamoDB.
 */
export { resolveRecommendOptions, MAX_TOP_N, MAX_EXPLAIN_TOP } from './options.js';
export { recommendFromItemNeighbours } from './item-based.js';
export { recommendFromUserNeighbours } from './user-based.js';
export { recommendPopular, popularityRanking, type FallbackReason } from './popularity.js';
export { similarFrom } from './similar.js';
export { NonFiniteScoreError } from './candidates.js';
export { explanationRecord, isContribution, type ExplanationRecord } from './explanations.js';
export {
  computeModelBlocks,
  MODEL_KIND_ROWS,
  newModelBuildCache,
  type BuildModelOptions,
  type ComputedBlocks,
  type ItemContent,
  type ModelBlocks,
  type ModelBuildCache,
  type ModelKindRows,
} from './model-kinds.js';
export { blendHybridRows, type HybridRows } from './hybrid-rows.js';
export { EXPLAINED_TERMS, InMemoryModel, type ModelRecommendOptions } from './model.js';
