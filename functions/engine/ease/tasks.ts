/**
 * The units of work of exact EASE and the state they share: one dispatcher used alike by this thread and by the
 * worker threads (worker.ts), so the threaded path runs exactly the code of the single-threaded one.
 */
import type { CsrMatrix } from '../types.js';
import { gramRows, invertColumnBlock, INVERSE_BLOCK, mirrorRows, solvePanelRows, updateTrailingRows } from './dense.js';
import { signedTopKRows, type SignedNeighbourBlock } from './signed-top-k.js';

/** Everything a task reads or writes; the dense arrays are on SharedArrayBuffers when workers run. */
export interface EaseState {
  readonly n: number;
  readonly lambda: number;
  readonly byItem: CsrMatrix;
  readonly byUser: CsrMatrix;
  /** n×n row-major: G, then L (lower) and P (upper), then the full symmetric P. */
  readonly a: Float64Array;
  /** P's diagonal (L keeps the diagonal slots until the inverse is done). */
  readonly pDiag: Float64Array;
  readonly out: SignedNeighbourBlock;
}

export type EaseTask =
  | { op: 'gram'; start: number; end: number }
  | { op: 'panel'; kb: number; ke: number; start: number; end: number }
  | { op: 'trailing'; kb: number; ke: number; start: number; end: number }
  | { op: 'invert'; start: number; end: number }
  | { op: 'mirror'; start: number; end: number }
  | { op: 'top-k'; start: number; end: number };

/** Runs one task; `work` is this thread's scratch of INVERSE_BLOCK·n doubles. */
export function runTask(state: EaseState, task: EaseTask, work: Float64Array): void {
  const { n, a } = state;
  switch (task.op) {
    case 'gram':
      return gramRows(state.byItem, state.byUser, a, state.lambda, task.start, task.end);
    case 'panel':
      return solvePanelRows(a, n, task.kb, task.ke, task.start, task.end);
    case 'trailing':
      return updateTrailingRows(a, n, task.kb, task.ke, task.start, task.end);
    case 'invert':
      return invertColumnBlock(a, n, task.start, task.end, state.pDiag, work);
    case 'mirror':
      return mirrorRows(a, n, state.pDiag, task.start, task.end);
    case 'top-k':
      return signedTopKRows(a, n, state.pDiag, state.out, task.start, task.end);
  }
}

export function scratchFor(n: number): Float64Array {
  return new Float64Array(INVERSE_BLOCK * n);
}
