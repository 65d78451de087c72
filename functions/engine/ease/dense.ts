/**
 * The dense kernels of exact EASE, each over a range of rows or columns of one n×n row-major Float64Array `a`
 * that holds, in turn, the Gram matrix G = XᵀX + λI (lower triangle), its Cholesky factor L (lower triangle, in
 * place), the inverse P = G⁻¹ (written into the upper triangle while L is still read, then mirrored) and so the
 * weights B. Each function touches only its own rows' slots, so ranges can run on worker threads over one
 * SharedArrayBuffer; the arithmetic of a slot never depends on how the work was split, so every split gives
 * bit-identical results.
 *
 * Safety properties (tests in test/engine/ease*.test.ts):
 * - P equals a plain Gauss–Jordan inverse of G within 1e-9 relative (ease.test.ts);
 * - a Gram that is not positive definite in floating point is refused, not factored into NaN (ease-options.test.ts);
 * - any thread count gives the same bits as one thread (ease-threads.test.ts).
 */
import { UserInputError, type CsrMatrix } from '../types.js';

/** Columns of L per step of the blocked Cholesky: its panel rows (8·128 bytes each) stay in cache while reused. */
export const CHOLESKY_BLOCK = 128;
/** Rows j of the trailing update handled together, so their panel segments (32 KiB) stay in L1/L2. */
const TRAILING_TILE = 32;
/** Columns of P solved together: each row of L read once serves this many right-hand sides. */
export const INVERSE_BLOCK = 32;

/** Rows [start, end) of the lower triangle of G = XᵀX + λI, values as stored; each row is written only here. */
export function gramRows(
  byItem: CsrMatrix,
  byUser: CsrMatrix,
  a: Float64Array,
  lambda: number,
  start: number,
  end: number,
): void {
  const n = byItem.rows;
  for (let i = start; i < end; i++) {
    const ri = i * n;
    a.fill(0, ri, ri + i + 1);
    for (let p = byItem.indptr[i]; p < byItem.indptr[i + 1]; p++) {
      const xi = byItem.values[p];
      const u = byItem.indices[p];
      // A user's items are sorted ascending: the items j <= i are a prefix of the row.
      for (let q = byUser.indptr[u]; q < byUser.indptr[u + 1]; q++) {
        const j = byUser.indices[q];
        if (j > i) break;
        a[ri + j] += xi * byUser.values[q];
      }
    }
    a[ri + i] += lambda;
  }
}

/** Factors the diagonal block [kb, ke) in place, once every earlier step's trailing update has reached it. */
export function factorDiagonalBlock(a: Float64Array, n: number, kb: number, ke: number): void {
  for (let i = kb; i < ke; i++) {
    const ri = i * n;
    for (let j = kb; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let t = kb; t < j; t++) s -= a[ri + t] * a[rj + t];
      if (j < i) {
        a[ri + j] = s / a[rj + j];
      } else if (s > 0 && Number.isFinite(s)) {
        a[ri + i] = Math.sqrt(s);
      } else {
        throw new UserInputError(
          `the Gram matrix plus lambda is not positive definite in floating point (pivot ${s} at item index ${i})`,
          'lambda',
          'raise lambda (it regularises the Gram matrix; EASE usually wants hundreds for ratings)',
        );
      }
    }
  }
}

/** Rows [start, end) (all >= ke) of the panel: L[i, kb..ke) = A[i, kb..ke) · L[kb..ke, kb..ke)⁻ᵀ. */
export function solvePanelRows(a: Float64Array, n: number, kb: number, ke: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const ri = i * n;
    for (let j = kb; j < ke; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let t = kb; t < j; t++) s -= a[ri + t] * a[rj + t];
      a[ri + j] = s / a[rj + j];
    }
  }
}

/**
 * Rows [start, end) (all >= ke) of the trailing update A[i, j] −= L[i, kb..ke)·L[j, kb..ke) for ke <= j <= i.
 * It reads panel columns (fixed in this phase) and writes only its own rows' columns >= ke. Four rows j at a
 * time share each load of L[i, t]; each slot still sums its own products in t order.
 */
export function updateTrailingRows(
  a: Float64Array,
  n: number,
  kb: number,
  ke: number,
  start: number,
  end: number,
): void {
  const width = ke - kb;
  for (let jb = ke; jb < end; jb += TRAILING_TILE) {
    const je = jb + TRAILING_TILE;
    for (let i = Math.max(start, jb); i < end; i++) {
      const pi = i * n + kb;
      const ri = i * n;
      const jLast = Math.min(je, i + 1);
      let j = jb;
      for (; j + 3 < jLast; j += 4) {
        const p0 = j * n + kb;
        const p1 = p0 + n;
        const p2 = p1 + n;
        const p3 = p2 + n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < width; t++) {
          const x = a[pi + t];
          s0 += x * a[p0 + t];
          s1 += x * a[p1 + t];
          s2 += x * a[p2 + t];
          s3 += x * a[p3 + t];
        }
        a[ri + j] -= s0;
        a[ri + j + 1] -= s1;
        a[ri + j + 2] -= s2;
        a[ri + j + 3] -= s3;
      }
      for (; j < jLast; j++) {
        const pj = j * n + kb;
        let s = 0;
        for (let t = 0; t < width; t++) s += a[pi + t] * a[pj + t];
        a[ri + j] -= s;
      }
    }
  }
}

/**
 * Columns [j0, j1) of P = G⁻¹ from L (lower triangle of `a`, its diagonal included), by L·Y = E then Lᵀ·X = Y
 * for the unit vectors E of those columns. P[i][j] for i > j goes to the upper slot (j, i) and P[j][j] to
 * pDiag[j], so L is never overwritten while other column blocks still read it. `work` holds INVERSE_BLOCK·n.
 */
export function invertColumnBlock(
  a: Float64Array,
  n: number,
  j0: number,
  j1: number,
  pDiag: Float64Array,
  work: Float64Array,
): void {
  const m = j1 - j0;
  // Forward: y_c[i] = (e_c[i] − Σ_{j0<=t<i} L[i][t]·y_c[t]) / L[i][i]; entries below j0 + c come out exactly 0.
  for (let i = j0; i < n; i++) {
    const ri = i * n;
    const d = a[ri + i];
    let c = 0;
    for (; c + 1 < m; c += 2) {
      const w0 = c * n;
      const w1 = w0 + n;
      let s0 = i === j0 + c ? 1 : 0;
      let s1 = i === j0 + c + 1 ? 1 : 0;
      for (let t = j0; t < i; t++) {
        const l = a[ri + t];
        s0 -= l * work[w0 + t];
        s1 -= l * work[w1 + t];
      }
      work[w0 + i] = s0 / d;
      work[w1 + i] = s1 / d;
    }
    for (; c < m; c++) {
      const w0 = c * n;
      let s0 = i === j0 + c ? 1 : 0;
      for (let t = j0; t < i; t++) s0 -= a[ri + t] * work[w0 + t];
      work[w0 + i] = s0 / d;
    }
  }
  // Backward: x_c[i] = y_c[i] / L[i][i], then y_c[t] −= x_c[i]·L[i][t] for t < i (row i of L read once).
  for (let i = n - 1; i >= j0; i--) {
    const ri = i * n;
    const d = a[ri + i];
    let c = 0;
    for (; c + 1 < m; c += 2) {
      const w0 = c * n;
      const w1 = w0 + n;
      const x0 = work[w0 + i] / d;
      const x1 = work[w1 + i] / d;
      work[w0 + i] = x0;
      work[w1 + i] = x1;
      for (let t = j0; t < i; t++) {
        const l = a[ri + t];
        work[w0 + t] -= x0 * l;
        work[w1 + t] -= x1 * l;
      }
    }
    for (; c < m; c++) {
      const w0 = c * n;
      const x0 = work[w0 + i] / d;
      work[w0 + i] = x0;
      for (let t = j0; t < i; t++) work[w0 + t] -= x0 * a[ri + t];
    }
  }
  for (let c = 0; c < m; c++) {
    const j = j0 + c;
    const w0 = c * n;
    pDiag[j] = work[w0 + j];
    a.set(work.subarray(w0 + j + 1, w0 + n), j * n + j + 1);
  }
}

/** Rows [start, end): copies P's upper triangle into the lower one and pDiag onto the diagonal (full symmetric P). */
export function mirrorRows(a: Float64Array, n: number, pDiag: Float64Array, start: number, end: number): void {
  for (let j = 0; j < end; j++) {
    const rj = j * n;
    for (let i = Math.max(start, j + 1); i < end; i++) a[i * n + j] = a[rj + i];
  }
  for (let i = start; i < end; i++) a[i * n + i] = pDiag[i];
}
