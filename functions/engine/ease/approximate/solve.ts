/**
 * The per-item regressions of the approximate EASE and the signed top-K rows of their transpose.
 *
 * Column i of B on the neighbourhood S_i (from the Gram phase, gram.ts; when i has fewer than M co-rated items,
 * the other items by index ascending, whose G_ji is 0): b = (G_SS + λI)⁻¹ G_S,i by a dense M×M Cholesky,
 * B[j][i] = b_j for j ∈ S_i. G_SS is looked up in the pruned Gram with a marker (position in S_i of each item):
 * scanning row j's P entries finds G_jk when k is among j's top P or j among k's; an entry in neither is taken
 * as 0 and its bound added to the two diagonals (compensateMissing), which keeps the system positive definite.
 * Cost per item M·P for the lookups, M³/6 multiply-adds for the factor.
 *
 * Safety properties (tests in test/engine/ease-approximate.test.ts):
 * - with M and P >= n − 1 each column equals exact EASE's column (the ridge regression on all other items);
 * - the pruned system stays positive definite (the compensation); one that is not in floating point is refused
 *   (UserInputError), never factored into NaN;
 * - the rows keep the exact top-K by |weight|, ties to the smaller index, with their sign; no self, no zeros;
 * - each column's arithmetic does not depend on the split: any thread count gives the same bits.
 */
import { UserInputError } from '../../types.js';
import { offer, sortHeap, type HeapArrays } from '../../similarity/heap.js';
import type { ApproximateScratch, ApproximateState } from './tasks.js';

export function solveColumns(state: ApproximateState, start: number, end: number, scratch: ApproximateScratch): void {
  const { n, m, p, lambda, diag, gramCount, gramIndex, gramValue, gramFloor, colCount, colIndex, colWeight } = state;
  const { marker, system: a, neighbourhood: s, rhs } = scratch;
  for (let i = start; i < end; i++) {
    const colBase = i * m;
    const nonzero = colCount[i];
    for (let t = 0; t < nonzero; t++) {
      s[t] = colIndex[colBase + t];
      rhs[t] = colWeight[colBase + t];
      marker[s[t]] = t;
    }
    let size = nonzero;
    // Too few co-raters: fill with the other items (G_ji = 0), so that M >= n − 1 is the full regression.
    for (let j = 0; size < m && j < n; j++) {
      if (j === i || marker[j] >= 0) continue;
      s[size] = j;
      rhs[size] = 0;
      marker[j] = size++;
    }
    // NaN marks a pair not found in either pruned row.
    a.fill(Number.NaN, 0, size * size);
    for (let r = 0; r < size; r++) {
      const j = s[r];
      a[r * size + r] = diag[j] + lambda;
      const base = j * p;
      const last = base + gramCount[j];
      for (let e = base; e < last; e++) {
        const c = marker[gramIndex[e]];
        if (c < 0) continue;
        a[r * size + c] = gramValue[e];
        a[c * size + r] = gramValue[e];
      }
    }
    for (let t = 0; t < size; t++) marker[s[t]] = -1;
    compensateMissing(a, size, s, gramFloor);
    choleskyInPlace(a, size, i, s);
    solveInPlace(a, size, rhs);
    let kept = 0;
    for (let t = 0; t < size; t++) {
      if (rhs[t] === 0) continue;
      colIndex[colBase + kept] = s[t];
      colWeight[colBase + kept] = rhs[t];
      kept++;
    }
    colCount[i] = kept;
  }
}

/**
 * A pair (j, k) found in neither pruned row is taken as 0, and min(floor_j, floor_k) >= |G_jk| is added to both
 * diagonals: G_SS minus the dropped v·(e_j e_kᵀ + e_k e_jᵀ) plus c·(e_j e_jᵀ + e_k e_kᵀ) with c >= |v| is G_SS plus
 * |v|·(e_j − sign(v)·e_k)(…)ᵀ plus (c − |v|)·(…), so the system stays positive definite whatever was pruned.
 */
function compensateMissing(a: Float64Array, size: number, s: Uint32Array, floor: Float64Array): void {
  for (let r = 0; r < size; r++) {
    const rr = r * size;
    for (let c = r + 1; c < size; c++) {
      if (!Number.isNaN(a[rr + c])) continue;
      a[rr + c] = 0;
      a[c * size + r] = 0;
      const bound = Math.min(floor[s[r]], floor[s[c]]);
      a[rr + r] += bound;
      a[c * size + c] += bound;
    }
  }
}

/**
 * Lower Cholesky factor of the size×size row-major `a` (full symmetric), in its lower triangle, row by row. Four
 * entries of a row are computed together, sharing each load of the row's finished prefix; each entry's sum is
 * still a fixed sequence of operations, whatever thread runs it.
 */
function choleskyInPlace(a: Float64Array, size: number, item: number, s: Uint32Array): void {
  for (let r = 0; r < size; r++) {
    const rr = r * size;
    let c = 0;
    for (; c + 3 < r; c += 4) {
      const p0 = c * size;
      const p1 = p0 + size;
      const p2 = p1 + size;
      const p3 = p2 + size;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < c; t++) {
        const x = a[rr + t];
        s0 += x * a[p0 + t];
        s1 += x * a[p1 + t];
        s2 += x * a[p2 + t];
        s3 += x * a[p3 + t];
      }
      const v0 = (a[rr + c] - s0) / a[p0 + c];
      a[rr + c] = v0;
      const v1 = (a[rr + c + 1] - (s1 + v0 * a[p1 + c])) / a[p1 + c + 1];
      a[rr + c + 1] = v1;
      const v2 = (a[rr + c + 2] - (s2 + v0 * a[p2 + c] + v1 * a[p2 + c + 1])) / a[p2 + c + 2];
      a[rr + c + 2] = v2;
      const v3 = (a[rr + c + 3] - (s3 + v0 * a[p3 + c] + v1 * a[p3 + c + 1] + v2 * a[p3 + c + 2])) / a[p3 + c + 3];
      a[rr + c + 3] = v3;
    }
    for (; c <= r; c++) {
      const rc = c * size;
      let sum = a[rr + c];
      for (let t = 0; t < c; t++) sum -= a[rr + t] * a[rc + t];
      if (c < r) {
        a[rr + c] = sum / a[rc + c];
      } else if (sum > 0 && Number.isFinite(sum)) {
        a[rr + r] = Math.sqrt(sum);
      } else {
        throw new UserInputError(
          `the neighbourhood Gram of item index ${item} plus lambda is not positive definite in floating point ` +
            `(pivot ${sum} at its neighbour index ${s[r]})`,
          'lambda',
          'raise lambda (the system is G_SS + λI with the pruned entries compensated on the diagonal)',
        );
      }
    }
  }
}

/** Solves L·Lᵀ·x = b in place (b in `x`) with the factor in the lower triangle of `l`. */
function solveInPlace(l: Float64Array, size: number, x: Float64Array): void {
  for (let r = 0; r < size; r++) {
    const rr = r * size;
    let sum = x[r];
    for (let t = 0; t < r; t++) sum -= l[rr + t] * x[t];
    x[r] = sum / l[rr + r];
  }
  // Lᵀ·x = y, row r of L read once: x_r = y_r / L_rr, then y_t −= x_r·L_rt for t < r.
  for (let r = size - 1; r >= 0; r--) {
    const rr = r * size;
    const xr = x[r] / l[rr + r];
    x[r] = xr;
    for (let t = 0; t < r; t++) x[t] -= xr * l[rr + t];
  }
}

/** Rows [start, end) of `state.out` (within its range) from the transposed columns. */
export function signedTopKFromColumns(state: ApproximateState, start: number, end: number): void {
  const { out, rowPtr, rowIndex, rowWeight } = state;
  const k = out.k;
  const heap: HeapArrays = {
    similarity: new Float64Array(k),
    neighbour: new Uint32Array(k),
    support: new Uint32Array(k),
  };
  for (let j = start; j < end; j++) {
    let size = 0;
    // The heap holds entry positions: a row's entries are in column order, so a tie goes to the smaller column.
    for (let e = rowPtr[j]; e < rowPtr[j + 1]; e++) size = offer(heap, 0, size, k, Math.abs(rowWeight[e]), e, 0);
    sortHeap(heap, 0, size);
    const base = (j - out.start) * k;
    out.count[j - out.start] = size;
    for (let t = 0; t < size; t++) {
      out.neighbour[base + t] = rowIndex[heap.neighbour[t]];
      out.weight[base + t] = rowWeight[heap.neighbour[t]];
    }
  }
}
