/**
 * Exact EASE (Steck, WWW 2019) over the user×item matrix X, values as stored: G = XᵀX + λI, P = G⁻¹ by a blocked
 * Cholesky factorisation and a blocked triangular-solve inverse, B = I − P·diag(1/diag(P)), and per item j of a
 * row range the top-K entries of B[j, :] by |weight| with their sign (score of item i for history x:
 * Σ_j x_j·B[j, i]). One n×n Float64Array holds G, then L and P, then P in full: 8·n² bytes.
 *
 * Safety properties (tests in test/engine/ease*.test.ts):
 * - weights equal a plain Gauss–Jordan EASE within 1e-9 relative; a 3-item case computed by hand;
 * - options and sizes that do not fit are refused with a UserInputError before any allocation;
 * - any thread count gives the same bits as one thread.
 */
import type { RatingMatrix } from '../types.js';
import { CHOLESKY_BLOCK, factorDiagonalBlock, INVERSE_BLOCK } from './dense.js';
import { resolveEaseOptions, resolveRowRange, type EaseOptions } from './options.js';
import { resolveThreadCount } from '../shared/threads.js';
import { inThreadExecutor, workerExecutor, type EaseExecutor } from './pool.js';
import { allocateSignedBlock, type SignedNeighbourBlock } from './signed-top-k.js';
import type { EaseState, EaseTask } from './tasks.js';

export interface EaseRun {
  /** Worker threads; default min(cores, 4) from MIN_ITEMS_FOR_DEFAULT_WORKERS items on. 1 = this thread. */
  threads?: number;
  /** The items whose rows are extracted, [start, end); default all. The inverse is always computed whole. */
  rows?: { start?: number; end?: number };
}

/** Below this many items (~0.1 s in one thread) starting workers (each loads tsx) costs more than it saves. */
export const MIN_ITEMS_FOR_DEFAULT_WORKERS = 600;
/** Tasks per thread in a row-split phase: enough to even out, few enough that messages stay cheap. */
const TASKS_PER_THREAD = 4;

export async function computeEase(
  matrix: RatingMatrix,
  options: EaseOptions,
  run: EaseRun = {},
): Promise<SignedNeighbourBlock> {
  const n = matrix.byItem.rows;
  const { lambda, k } = resolveEaseOptions(options, n);
  const range = resolveRowRange(run.rows, n);
  const threads = resolveThreadCount(run.threads);
  const wanted = run.threads !== undefined || n >= MIN_ITEMS_FOR_DEFAULT_WORKERS;
  const executor: EaseExecutor =
    (threads > 1 && n > 1 && wanted ? workerExecutor(threads) : undefined) ?? inThreadExecutor();
  try {
    const doubles = (length: number): Float64Array =>
      new Float64Array(executor.shared ? new SharedArrayBuffer(8 * length) : new ArrayBuffer(8 * length));
    const state: EaseState = {
      n,
      lambda,
      byItem: matrix.byItem,
      byUser: matrix.byUser,
      a: doubles(n * n),
      pDiag: doubles(n),
      out: allocateSignedBlock(range.start, range.end, k, executor.shared),
    };
    executor.init(state);
    const parts = threads * TASKS_PER_THREAD;
    await executor.run(rowTasks('gram', 0, n, parts, 'triangle'));
    for (let kb = 0; kb < n; kb += CHOLESKY_BLOCK) {
      const ke = Math.min(kb + CHOLESKY_BLOCK, n);
      factorDiagonalBlock(state.a, n, kb, ke);
      if (ke === n) break;
      await executor.run(rowTasks('panel', ke, n, parts, 'even').map((task) => ({ ...task, kb, ke })));
      await executor.run(rowTasks('trailing', ke, n, parts, 'triangle', ke).map((task) => ({ ...task, kb, ke })));
    }
    const inverse: EaseTask[] = [];
    for (let j0 = 0; j0 < n; j0 += INVERSE_BLOCK)
      inverse.push({ op: 'invert', start: j0, end: Math.min(j0 + INVERSE_BLOCK, n) });
    await executor.run(inverse); // largest blocks (smallest j0) first, so the queue evens out at the end
    await executor.run(rowTasks('mirror', 0, n, parts, 'triangle'));
    await executor.run(rowTasks('top-k', range.start, range.end, parts, 'even'));
    return state.out;
  } finally {
    await executor.close();
  }
}

/**
 * Contiguous ranges covering [start, end), never empty: of about equal rows ('even'), or of about equal area when
 * row i's work grows with i − origin + 1 ('triangle').
 */
function rowTasks<Op extends 'gram' | 'panel' | 'trailing' | 'mirror' | 'top-k'>(
  op: Op,
  start: number,
  end: number,
  parts: number,
  shape: 'even' | 'triangle',
  origin = 0,
): { op: Op; start: number; end: number }[] {
  const tasks: { op: Op; start: number; end: number }[] = [];
  const rows = end - start;
  if (rows <= 0) return tasks;
  const cut = (fraction: number): number => {
    if (shape === 'even') return start + Math.round(fraction * rows);
    // Area up to row r is ((r − origin)² − (start − origin)²)/2: solve for r.
    const a0 = (start - origin) ** 2;
    const a1 = (end - origin) ** 2;
    return origin + Math.round(Math.sqrt(a0 + fraction * (a1 - a0)));
  };
  let from = start;
  for (let part = 1; part <= parts; part++) {
    const to = part === parts ? end : Math.min(end, Math.max(from, cut(part / parts)));
    if (to > from) tasks.push({ op, start: from, end: to });
    from = to;
  }
  return tasks;
}
