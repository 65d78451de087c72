export { IdDictionary } from './id-dictionary.js';
export { InteractionLog } from './interaction-log.js';
export {
  buildRatingMatrix,
  transpose,
  csrFromDense,
  ratingMatrixFromDense,
  type BuildMatrixResult,
} from './rating-matrix.js';
