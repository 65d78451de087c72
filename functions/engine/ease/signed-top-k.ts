/**
 * Per item j, the top-K entries of row B[j, :] of the EASE weights by absolute value, with their sign, over a
 * row range [start, end) of the full symmetric P = G⁻¹ (B[j][i] = −P[j][i] / P[i][i] for i ≠ j, B[j][j] = 0).
 *
 * Safety properties (tests in test/engine/ease*.test.ts):
 * - the kept set is the exact top-K by |weight|, ties at the K-th place to the smaller index, whatever the range;
 * - an item is never its own neighbour (the zero diagonal), and exact zeros are not kept;
 * - a negative weight keeps its sign.
 */
import { offer, sortHeap, type HeapArrays } from '../similarity/heap.js';

/**
 * Like NeighbourBlock, whose contract keeps only positive similarities: row r's entries are the slots
 * `(r − start)·k .. + count[r − start]`, sorted by |weight| descending, ties by neighbour index ascending.
 * No support: EASE weights do not come from a count of co-raters.
 */
export interface SignedNeighbourBlock {
  readonly start: number;
  readonly end: number;
  readonly k: number;
  readonly count: Uint32Array; // length end − start
  readonly neighbour: Uint32Array; // length (end − start)·k
  readonly weight: Float64Array; // length (end − start)·k
}

/** An empty block for rows [start, end), on a SharedArrayBuffer when workers fill it. */
export function allocateSignedBlock(start: number, end: number, k: number, shared: boolean): SignedNeighbourBlock {
  const rows = end - start;
  const buffer = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    start,
    end,
    k,
    count: new Uint32Array(buffer(4 * rows)),
    neighbour: new Uint32Array(buffer(4 * rows * k)),
    weight: new Float64Array(buffer(8 * rows * k)),
  };
}

/** Fills rows [start, end) of `out` (within out's own range) from the full symmetric P in `p`. */
export function signedTopKRows(
  p: Float64Array,
  n: number,
  pDiag: Float64Array,
  out: SignedNeighbourBlock,
  start: number,
  end: number,
): void {
  const k = out.k;
  const heap: HeapArrays = {
    similarity: new Float64Array(k),
    neighbour: new Uint32Array(k),
    support: new Uint32Array(k),
  };
  for (let j = start; j < end; j++) {
    const rj = j * n;
    let size = 0;
    for (let i = 0; i < n; i++) {
      if (i === j) continue;
      const magnitude = Math.abs(p[rj + i] / pDiag[i]);
      if (magnitude > 0) size = offer(heap, 0, size, k, magnitude, i, 0);
    }
    sortHeap(heap, 0, size);
    const base = (j - out.start) * k;
    out.count[j - out.start] = size;
    for (let slot = 0; slot < size; slot++) {
      const i = heap.neighbour[slot];
      out.neighbour[base + slot] = i;
      out.weight[base + slot] = -p[rj + i] / pDiag[i];
    }
  }
}
