/** Offline evaluation: splits, ranking metrics, side-by-side evaluation of configurations, its text table. */
export { evaluate } from './evaluate.js';
export { scoreRecommender } from './score.js';
export * from './metrics.js';
export { holdoutSplit, leaveLastOutSplit, type Split, type HoldoutOptions } from './split.js';
export { formatEvaluationTable, formatValidationTable } from './table.js';
export type {
  EvaluateOptions,
  EvaluationConfig,
  EvaluationMetrics,
  EvaluationReport,
  EvaluationRow,
  RankedList,
} from './types.js';
export { evaluateCombineRules, type CombineRuleEvaluationOptions } from './combine-rules.js';
export {
  gateDecision,
  HYBRID_MIN_GAIN,
  validateModels,
  VALIDATION_K,
  type CandidateScore,
  type GateDecision,
  type ValidateModelsOptions,
  type ValidationOutcome,
  type ValidationReport,
} from './model-selection.js';
export { validationSplit, type ValidationSplit } from './split.js';
