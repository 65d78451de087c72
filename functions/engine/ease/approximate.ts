/**
 * Approximate EASE for catalogues too large for the dense n×n inverse: EASE's column problem restricted to a
 * neighbourhood. Exact EASE's column i is the ridge regression of item i on all other items,
 * min_b ‖X_i − X_{−i} b‖² + λ‖b‖²; here item i is regressed on its M nearest items S_i only,
 * b = (G_SS + λI)⁻¹ G_S,i, and B[j][i] = b_j for j ∈ S_i (0 elsewhere). Then per item j the top-K entries of row
 * B[j, :] by |weight| with their sign, in the same SignedNeighbourBlock as computeEase (score of item i for
 * history x: Σ_j x_j·B[j, i]), so a caller can swap one for the other.
 *
 * Phases (each split in row ranges over worker threads, approximate/pool.ts): the pruned Gram (approximate/gram.ts:
 * each item's top-P Gram entries by selection score, from one scatter over the user lists), the per-item
 * Cholesky solves (approximate/solve.ts), the transpose of the columns (here, in column order), the signed top-K
 * rows. Memory is linear in n (approximate-options.ts), time about n·(M³/6 + M·P) plus Σ_u |items(u)|². A row
 * range (run.rows) limits only the rows extracted: a row gathers from every column, so all columns are solved.
 *
 * Safety properties (tests in test/engine/ease-approximate.test.ts):
 * - with M and P >= n − 1 the weights equal exact EASE's within 1e-9 relative;
 * - with a smaller M on a small catalogue the weights stay close to exact EASE's (bounded mean |ΔB| over the
 *   largest exact entries) and so do the users' top-10 recommendations;
 * - the rows' ordering contract is exact EASE's: |weight| desc, ties to the smaller index, no self, no zeros;
 * - options and sizes that do not fit are refused with a UserInputError before any allocation;
 * - any thread count gives the same bits as one thread.
 */
import type { RatingMatrix } from '../types.js';
import { resolveApproximateOptions, type ApproximateEaseOptions } from './approximate-options.js';
import { gramDiagonal } from './approximate/gram.js';
import { inThreadExecutor, workerExecutor, type ApproximateExecutor } from './approximate/pool.js';
import type { ApproximateState, ApproximateTask } from './approximate/tasks.js';
import { MIN_ITEMS_FOR_DEFAULT_WORKERS, type EaseRun } from './ease.js';
import { resolveRowRange } from './options.js';
import { allocateSignedBlock, type SignedNeighbourBlock } from './signed-top-k.js';
import { resolveThreadCount } from '../shared/threads.js';

/** Tasks per thread: the Gram rows of popular items cost far more than the tail's, so many small ranges. */
const TASKS_PER_THREAD = 16;

export async function computeApproximateEase(
  matrix: RatingMatrix,
  options: ApproximateEaseOptions,
  run: EaseRun = {},
): Promise<SignedNeighbourBlock> {
  const n = matrix.byItem.rows;
  const threads = resolveThreadCount(run.threads);
  const { lambda, k, m, p, selection } = resolveApproximateOptions(options, n, threads);
  const range = resolveRowRange(run.rows, n);
  const wanted = run.threads !== undefined || n >= MIN_ITEMS_FOR_DEFAULT_WORKERS;
  const executor: ApproximateExecutor =
    (threads > 1 && n > 1 && wanted ? workerExecutor(threads) : undefined) ?? inThreadExecutor();
  try {
    const buffer = (bytes: number): ArrayBufferLike =>
      executor.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const doubles = (length: number): Float64Array => new Float64Array(buffer(8 * length));
    const uints = (length: number): Uint32Array => new Uint32Array(buffer(4 * length));
    const state: ApproximateState = {
      n,
      lambda,
      m,
      p,
      cosine: selection === 'cosine' ? 1 : 0,
      byItem: matrix.byItem,
      byUser: matrix.byUser,
      diag: doubles(n),
      gramCount: uints(n),
      gramIndex: uints(n * p),
      gramValue: doubles(n * p),
      gramFloor: doubles(n),
      colCount: uints(n),
      colIndex: uints(n * m),
      colWeight: doubles(n * m),
      rowPtr: uints(n + 1),
      rowIndex: uints(n * m),
      rowWeight: doubles(n * m),
      out: allocateSignedBlock(range.start, range.end, k, executor.shared),
    };
    gramDiagonal(matrix.byItem, state.diag);
    executor.init(state);
    const parts = threads * TASKS_PER_THREAD;
    await executor.run(evenTasks('gram', 0, n, parts));
    await executor.run(evenTasks('solve', 0, n, parts));
    transposeColumns(state);
    await executor.run(evenTasks('top-k', range.start, range.end, parts));
    return state.out;
  } finally {
    await executor.close();
  }
}

/** Row j of B gathers B[j][i] from every column i whose neighbourhood holds j, in column order. */
function transposeColumns(state: ApproximateState): void {
  const { n, m, colCount, colIndex, colWeight, rowPtr, rowIndex, rowWeight } = state;
  rowPtr.fill(0);
  for (let i = 0; i < n; i++) for (let t = i * m; t < i * m + colCount[i]; t++) rowPtr[colIndex[t] + 1]++;
  for (let j = 0; j < n; j++) rowPtr[j + 1] += rowPtr[j];
  const cursor = rowPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = i * m; t < i * m + colCount[i]; t++) {
      const at = cursor[colIndex[t]]++;
      rowIndex[at] = i;
      rowWeight[at] = colWeight[t];
    }
  }
}

/** Contiguous ranges of about equal rows covering [start, end), never empty. */
function evenTasks<Op extends ApproximateTask['op']>(
  op: Op,
  start: number,
  end: number,
  parts: number,
): { op: Op; start: number; end: number }[] {
  const tasks: { op: Op; start: number; end: number }[] = [];
  let from = start;
  for (let part = 1; part <= parts && from < end; part++) {
    const to = part === parts ? end : Math.max(from, start + Math.round(((end - start) * part) / parts));
    if (to > from) tasks.push({ op, start: from, end: to });
    from = to;
  }
  return tasks;
}
