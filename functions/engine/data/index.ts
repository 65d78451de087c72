export { IdDictionary } from './id-dictionary.js';
export { InteractionLog } from './interaction-log.js';
export {
  buildRatingMatrix,
  transpose,
  csrFromDense,
  ratingMatrixFromDense,
  type BuildMatrixResult,
} from './rating-matrix.js';
export {
  combineEvents,
  CLAMP_AT,
  COMBINE_RULES,
  TYPED_EVENTS_RULE,
  type CombineOptions,
  type CombineReport,
  type CombineRule,
} from './combine-events.js';
