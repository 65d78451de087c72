/**
 * Top-K neighbour similarities (items or users) over row ranges: definitions in neighbours.ts, the worker-thread
 * pool in pool.ts, the kernels in kernel.ts.
 */
export { computeNeighbourBlock, neighbourRow } from './neighbours.js';
export {
  BUNDLED_WORKER_FILE,
  computeNeighbours,
  prestartWorkers,
  workersAvailable,
  type NeighbourRun,
} from './pool.js';
export { resolveSimilarityOptions, SIMILARITY_MEASURES, MAX_K } from './options.js';
export { SIMILARITY_EPSILON } from './kernel.js';
