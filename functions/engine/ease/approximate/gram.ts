/**
 * The pruned Gram of the approximate EASE: per item i of a row range, the full row G_i = Σ_u x_ui·x_u (values as
 * stored) by a scatter over the user lists of i's raters, then two selections from it: its top-P entries by |G_ij|
 * (the lookups of the neighbourhood Grams, with the floor every left-out entry is below) and its neighbourhood,
 * the top-M by selection score with their G_ij (the regression's right-hand side, in the column slots). Cost
 * Σ_{u ∈ raters(i)} |items(u)| per row, Σ_u |items(u)|² in all (1.15·10⁹ for 30k items and 4.5M ratings); memory
 * 12·P bytes per item, where the dense Gram would take 8·n.
 *
 * Safety properties (tests in test/engine/ease-approximate.test.ts):
 * - each kept value is the exact G_ij (summed in user order, so the same bits whatever the split);
 * - the kept sets are the exact top-P by |G_ij| and top-M by score, ties to the smaller index (a total order:
 *   any arrival order); every left-out |G_ij| is at most the row's floor;
 * - with P >= n − 1 every nonzero G_ij (j ≠ i) is kept and the floor is 0.
 */
import { offer, sortHeap, type HeapArrays } from '../../similarity/heap.js';
import type { ApproximateScratch, ApproximateState } from './tasks.js';

export function prunedGramRows(state: ApproximateState, start: number, end: number, scratch: ApproximateScratch): void {
  const { byItem, byUser, m, p, diag, gramCount, gramIndex, gramValue, gramFloor } = state;
  const { colCount, colIndex, colWeight } = state;
  const { stamp, accumulator, touched } = scratch;
  const heap = (size: number): HeapArrays => ({
    similarity: new Float64Array(size),
    neighbour: new Uint32Array(size),
    support: new Uint32Array(size),
  });
  const top = heap(p);
  const near = heap(m);
  const uPtr = byUser.indptr;
  const uIdx = byUser.indices;
  const uVal = byUser.values;
  for (let i = start; i < end; i++) {
    let size = 0;
    for (let a = byItem.indptr[i]; a < byItem.indptr[i + 1]; a++) {
      const xi = byItem.values[a];
      const u = byItem.indices[a];
      for (let b = uPtr[u]; b < uPtr[u + 1]; b++) {
        const j = uIdx[b];
        if (stamp[j] !== i) {
          stamp[j] = i;
          accumulator[j] = 0;
          touched[size++] = j;
        }
        accumulator[j] += xi * uVal[b];
      }
    }
    let kept = 0;
    let nearKept = 0;
    let nonzero = 0;
    for (let t = 0; t < size; t++) {
      const j = touched[t];
      const value = accumulator[j];
      if (j === i || value === 0) continue;
      nonzero++;
      const magnitude = Math.abs(value);
      kept = offer(top, 0, kept, p, magnitude, j, 0);
      // Within row i, G_ii is constant: |G_ij| / √G_jj ranks as the cosine does.
      const score = state.cosine === 1 ? magnitude / Math.sqrt(diag[j]) : magnitude;
      nearKept = offer(near, 0, nearKept, m, score, j, 0);
    }
    sortHeap(top, 0, kept);
    sortHeap(near, 0, nearKept);
    const base = i * p;
    gramCount[i] = kept;
    for (let slot = 0; slot < kept; slot++) {
      const j = top.neighbour[slot];
      gramIndex[base + slot] = j;
      gramValue[base + slot] = accumulator[j];
    }
    // Every entry left out of row i is at most the smallest kept one in magnitude (0 when none was left out).
    gramFloor[i] = nonzero > kept ? top.similarity[kept - 1] : 0;
    const nearBase = i * m;
    colCount[i] = nearKept;
    for (let slot = 0; slot < nearKept; slot++) {
      const j = near.neighbour[slot];
      colIndex[nearBase + slot] = j;
      colWeight[nearBase + slot] = accumulator[j];
    }
  }
}

/** G_jj = Σ_u x_uj² (no λ), in user order. */
export function gramDiagonal(byItem: ApproximateState['byItem'], out: Float64Array): void {
  for (let j = 0; j < byItem.rows; j++) {
    let sum = 0;
    for (let a = byItem.indptr[j]; a < byItem.indptr[j + 1]; a++) sum += byItem.values[a] * byItem.values[a];
    out[j] = sum;
  }
}
