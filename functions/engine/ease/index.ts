/**
 * Exact EASE as an engine kernel: the driver in ease.ts, the dense kernels in dense.ts, the signed top-K rows in
 * signed-top-k.ts, options and size limits in options.ts, the worker-thread pool in pool.ts; the approximate EASE
 * (neighbourhood-restricted regressions) in approximate.ts, approximate-options.ts and approximate/.
 */
export { computeEase, MIN_ITEMS_FOR_DEFAULT_WORKERS, type EaseRun } from './ease.js';
export { DEFAULT_EASE_MAX_BYTES, maxEaseItems, type EaseOptions } from './options.js';
export { BUNDLED_EASE_WORKER_FILE } from './pool.js';
export { type SignedNeighbourBlock } from './signed-top-k.js';
export { computeApproximateEase } from './approximate.js';
export {
  DEFAULT_NEIGHBOURHOOD,
  estimateApproximateBytes,
  GRAM_ENTRIES_PER_NEIGHBOUR,
  type ApproximateEaseOptions,
  type NeighbourSelection,
} from './approximate-options.js';
export { BUNDLED_APPROXIMATE_EASE_WORKER_FILE } from './approximate/pool.js';
