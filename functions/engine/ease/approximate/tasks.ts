/**
 * The units of work of the approximate EASE and the state they share: one dispatcher used alike by this thread
 * and by the worker threads (worker.ts), so the threaded path runs exactly the code of the single-threaded one.
 * Every task writes only its own rows' (or columns') slots and reads what earlier phases finished, so the bits
 * never depend on how the work was split.
 */
import type { CsrMatrix } from '../../types.js';
import type { SignedNeighbourBlock } from '../signed-top-k.js';
import { prunedGramRows } from './gram.js';
import { signedTopKFromColumns, solveColumns } from './solve.js';

export interface ApproximateState {
  readonly n: number;
  readonly lambda: number;
  /** M: the neighbourhood of each item; P: the Gram entries kept per item (P >= M). */
  readonly m: number;
  readonly p: number;
  /** 1: select by |G_ij| / √(G_ii·G_jj) (cosine); 0: by |G_ij|. */
  readonly cosine: number;
  readonly byItem: CsrMatrix;
  readonly byUser: CsrMatrix;
  /** G_jj = Σ_u x_uj², without λ. */
  readonly diag: Float64Array;
  /** Pruned Gram: row i's top-P entries (j ≠ i, G_ij ≠ 0) by |G_ij|, at slots i·P .. + gramCount[i]. */
  readonly gramCount: Uint32Array;
  readonly gramIndex: Uint32Array;
  readonly gramValue: Float64Array;
  /** A bound on every |G_ij| left out of row i (0 when none was). */
  readonly gramFloor: Float64Array;
  /**
   * At slots i·M .. + colCount[i]: after the Gram phase, item i's neighbourhood by selection score with G_ji;
   * after the solve, column i of B on it (nonzero weights only).
   */
  readonly colCount: Uint32Array;
  readonly colIndex: Uint32Array;
  readonly colWeight: Float64Array;
  /** The columns transposed (filled by the driver): row j's entries (i, B[j][i]) at rowPtr[j] .. rowPtr[j + 1]. */
  readonly rowPtr: Uint32Array;
  readonly rowIndex: Uint32Array;
  readonly rowWeight: Float64Array;
  readonly out: SignedNeighbourBlock;
}

export type ApproximateTask =
  | { op: 'gram'; start: number; end: number }
  | { op: 'solve'; start: number; end: number }
  | { op: 'top-k'; start: number; end: number };

/** One thread's scratch, sized once per run. */
export interface ApproximateScratch {
  /** n: stamps of the Gram scatter, then the position of each item in the current neighbourhood (−1 = none). */
  readonly stamp: Int32Array;
  readonly marker: Int32Array;
  readonly accumulator: Float64Array;
  readonly touched: Uint32Array;
  /** M×M: G_SS + λI, then its Cholesky factor. */
  readonly system: Float64Array;
  readonly neighbourhood: Uint32Array;
  readonly rhs: Float64Array;
}

export function scratchFor(state: ApproximateState): ApproximateScratch {
  const { n, m } = state;
  return {
    stamp: new Int32Array(n).fill(-1),
    marker: new Int32Array(n).fill(-1),
    accumulator: new Float64Array(n),
    touched: new Uint32Array(n),
    system: new Float64Array(m * m),
    neighbourhood: new Uint32Array(m),
    rhs: new Float64Array(m),
  };
}

export function runTask(state: ApproximateState, task: ApproximateTask, scratch: ApproximateScratch): void {
  switch (task.op) {
    case 'gram':
      return prunedGramRows(state, task.start, task.end, scratch);
    case 'solve':
      return solveColumns(state, task.start, task.end, scratch);
    case 'top-k':
      return signedTopKFromColumns(state, task.start, task.end);
  }
}
