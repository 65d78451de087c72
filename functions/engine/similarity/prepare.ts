import type { CsrMatrix, RatingMatrix, SimilarityOptions } from '../types.js';

/**
 * How a pair's similarity is finished from its accumulated dot product / co-rater count:
 * - `weighted`: dot / (norm_a * norm_b) over transformed float64 values (cosine, pearson, adjusted-cosine);
 * - `binary-cosine`: n / sqrt(|A| |B|) — cosine when every value is 1, no values needed;
 * - `jaccard`: n / (|A| + |B| - n).
 */
export type KernelKind = 'weighted' | 'binary-cosine' | 'jaccard';

/**
 * The rows to compare, in both orientations, with values already transformed for the measure and the row
 * norms precomputed (O(ratings) once). Only typed arrays and numbers, so it can be posted to workers;
 * when built with `shared`, every array lives in a SharedArrayBuffer and workers read it without copying.
 */
export interface PreparedRows {
  readonly kind: KernelKind;
  readonly rows: number;
  readonly cols: number;
  /** rows x cols: row a's columns are rowIdx[rowPtr[a] .. rowPtr[a+1]). */
  readonly rowPtr: Uint32Array;
  readonly rowIdx: Uint32Array;
  /**
   * Transformed values aligned with rowIdx (weighted only). Raw cosine keeps the matrix's float32 values (exact,
   * and half the memory traffic); centred values need float64. Products and sums are float64 either way.
   */
  readonly rowVal: Float64Array | Float32Array | null;
  /** cols x rows (the transpose): the rows that have column c are colIdx[colPtr[c] .. colPtr[c+1]). */
  readonly colPtr: Uint32Array;
  readonly colIdx: Uint32Array;
  /** Transformed values aligned with colIdx (weighted only). */
  readonly colVal: Float64Array | Float32Array | null;
  /** Euclidean norm of each transformed row; 0 means "no neighbours" (empty or constant after centring). */
  readonly norm: Float64Array;
  /** For row entry p = (a, c): where a sits in column c's list (colIdx), so rows b > a follow it. Optional. */
  readonly positionInColumn: Uint32Array | null;
}

export interface PrepareOptions {
  /** Allocate every array in a SharedArrayBuffer (for workers). */
  shared?: boolean;
  /** Compute positionInColumn (for SymmetricKernel). */
  positions?: boolean;
}

export function prepareRows(
  matrix: RatingMatrix,
  target: 'items' | 'users',
  options: SimilarityOptions,
  { shared = false, positions = false }: PrepareOptions = {},
): PreparedRows {
  const byRow = target === 'items' ? matrix.byItem : matrix.byUser;
  const byCol = target === 'items' ? matrix.byUser : matrix.byItem;
  const kind: KernelKind =
    options.measure === 'jaccard'
      ? 'jaccard'
      : options.measure === 'cosine' && options.implicit
        ? 'binary-cosine'
        : 'weighted';
  const rowPtr = copy(byRow.indptr, shared);
  const rowIdx = copy(byRow.indices, shared);
  const colPtr = copy(byCol.indptr, shared);
  const colIdx = copy(byCol.indices, shared);
  const norm = allocFloat64(byRow.rows, shared);
  let rowVal: Float64Array | Float32Array | null = null;
  let colVal: Float64Array | Float32Array | null = null;

  if (kind === 'weighted' && options.measure === 'cosine') {
    rowVal = copy(byRow.values, shared);
    colVal = copy(byCol.values, shared);
    for (let r = 0; r < byRow.rows; r++) {
      let sumSquares = 0;
      for (let p = byRow.indptr[r]; p < byRow.indptr[r + 1]; p++) sumSquares += rowVal[p] * rowVal[p];
      norm[r] = Math.sqrt(sumSquares);
    }
  } else if (kind === 'weighted') {
    rowVal = allocFloat64(byRow.indices.length, shared);
    colVal = allocFloat64(byCol.indices.length, shared);
    const rowMean = options.measure === 'pearson' ? means(byRow, options.implicit) : null;
    const colMean = options.measure === 'adjusted-cosine' ? means(byCol, options.implicit) : null;
    // Entry (row r, col c) gets value - rowMean[r] (pearson) or value - colMean[c] (adjusted-cosine).
    transformInto(rowVal, byRow, options.implicit, rowMean, colMean);
    transformInto(colVal, byCol, options.implicit, colMean, rowMean);
    for (let r = 0; r < byRow.rows; r++) {
      let sumSquares = 0;
      for (let p = byRow.indptr[r]; p < byRow.indptr[r + 1]; p++) sumSquares += rowVal[p] * rowVal[p];
      norm[r] = Math.sqrt(sumSquares);
    }
  } else {
    for (let r = 0; r < byRow.rows; r++) norm[r] = Math.sqrt(byRow.indptr[r + 1] - byRow.indptr[r]);
  }
  let positionInColumn: Uint32Array | null = null;
  if (positions) {
    // Rows are visited ascending and each column lists its rows ascending, so a cursor per column finds them.
    positionInColumn = allocUint32(rowIdx.length, shared);
    const cursor = colPtr.slice(0, byRow.cols);
    for (let p = 0; p < rowIdx.length; p++) positionInColumn[p] = cursor[rowIdx[p]]++;
  }
  return {
    kind,
    rows: byRow.rows,
    cols: byRow.cols,
    rowPtr,
    rowIdx,
    rowVal,
    colPtr,
    colIdx,
    colVal,
    norm,
    positionInColumn,
  };
}

/**
 * Work of row a ≈ the inner loop's trip count: Σ over its columns of the column length (or, with
 * positionInColumn, of the part of the column after a, as SymmetricKernel visits), plus 1 per row.
 */
export function rowWork(rows: PreparedRows): Float64Array {
  const { rowPtr, rowIdx, colPtr, positionInColumn } = rows;
  const work = new Float64Array(rows.rows);
  for (let a = 0; a < rows.rows; a++) {
    let w = 1;
    for (let p = rowPtr[a]; p < rowPtr[a + 1]; p++) {
      const c = rowIdx[p];
      w += colPtr[c + 1] - (positionInColumn ? positionInColumn[p] + 1 : colPtr[c]);
    }
    work[a] = w;
  }
  return work;
}

/** Mean value of each row of m (1 for implicit); 0 for empty rows (never used: they have no entries). */
function means(m: CsrMatrix, implicit: boolean): Float64Array {
  const mean = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    const begin = m.indptr[r];
    const end = m.indptr[r + 1];
    if (end === begin) continue;
    if (implicit) {
      mean[r] = 1;
      continue;
    }
    let sum = 0;
    for (let p = begin; p < end; p++) sum += m.values[p];
    mean[r] = sum / (end - begin);
  }
  return mean;
}

/** out[p] = value - ownRowMean[row] - otherMean[col] for each entry of m (null means are 0). */
function transformInto(
  out: Float64Array,
  m: CsrMatrix,
  implicit: boolean,
  ownRowMean: Float64Array | null,
  otherMean: Float64Array | null,
): void {
  for (let r = 0; r < m.rows; r++) {
    const rowShift = ownRowMean ? ownRowMean[r] : 0;
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const value = implicit ? 1 : m.values[p];
      out[p] = value - rowShift - (otherMean ? otherMean[m.indices[p]] : 0);
    }
  }
}

/** The array itself, or (shared) a copy in a SharedArrayBuffer. Either way it is only read. */
function copy<T extends Uint32Array | Float32Array>(source: T, shared: boolean): T {
  if (!shared) return source;
  const Type = source.constructor as new (buffer: SharedArrayBuffer) => T;
  const target = new Type(new SharedArrayBuffer(source.byteLength));
  target.set(source);
  return target;
}

function allocUint32(length: number, shared: boolean): Uint32Array {
  return shared
    ? new Uint32Array(new SharedArrayBuffer(length * Uint32Array.BYTES_PER_ELEMENT))
    : new Uint32Array(length);
}

function allocFloat64(length: number, shared: boolean): Float64Array {
  return shared
    ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))
    : new Float64Array(length);
}
