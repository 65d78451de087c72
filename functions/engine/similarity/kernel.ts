import type { NeighbourBlock, SimilarityOptions } from '../types.js';
import { offer, sortHeap, writeHeapRow, type HeapArrays } from './heap.js';
import type { KernelKind, PreparedRows } from './prepare.js';

/**
 * Similarities at or below this are treated as "not positive": centred measures can leave float noise of
 * ~1e-17 where the exact value is 0, and such pairs must not become neighbours.
 */
export const SIMILARITY_EPSILON = 1e-12;

/**
 * Both kernels below accumulate without ever forming the similarity matrix: for row a, for each column c of a,
 * for each other row b having c (the transpose), dot[b] += x_ac * x_bc and count[b]++ in dense scratch arrays,
 * remembering which b were touched; then each touched pair's similarity is finished and offered to bounded
 * top-K heaps. A pair's dot product is always summed over its shared columns in ascending column order and
 * finished by the same expression, so its similarity is bit-identical whichever row it is computed from, and
 * the results do not depend on how rows are split into ranges or threads.
 */
abstract class Accumulator {
  /** Weighted kinds: dot product and co-rater count of row b interleaved at [2b, 2b + 1] (one cache line). */
  protected readonly sums: Float64Array;
  /** Binary kinds: co-rater count of row b. */
  protected readonly counts: Uint32Array;
  /** The rows touched by the last accumulate(), in the first touchedCount slots. */
  protected readonly touched: Uint32Array;

  constructor(
    protected readonly prepared: PreparedRows,
    protected readonly options: SimilarityOptions,
  ) {
    const weighted = prepared.kind === 'weighted';
    this.sums = new Float64Array(weighted ? prepared.rows * 2 : 0);
    this.counts = new Uint32Array(weighted ? 0 : prepared.rows);
    this.touched = new Uint32Array(prepared.rows);
  }

  /**
   * Accumulates row a against the rows of its columns — all of them, or with `onlyAfter` only rows b > a
   * (columns list rows ascending, so those are the tail after a's own entry). Returns how many were touched.
   *
   * A row whose trip count is large compared with the number of rows touches most of them anyway, so it
   * skips the per-entry "first touch?" branch and finds the touched rows by one scan afterwards instead.
   */
  protected accumulate(a: number, onlyAfter: boolean): number {
    const { rowPtr, rowIdx, rowVal, colPtr, colIdx, colVal, norm, positionInColumn } = this.prepared;
    if (norm[a] === 0) return 0;
    const after = onlyAfter ? positionInColumn : null;
    const rowStart = rowPtr[a];
    const rowEnd = rowPtr[a + 1];
    let trips = 0;
    let lastRow = 0;
    for (let p = rowStart; p < rowEnd; p++) {
      const c = rowIdx[p];
      const colEnd = colPtr[c + 1];
      const colStart = after === null ? colPtr[c] : after[p] + 1;
      if (colEnd > colStart) {
        trips += colEnd - colStart;
        if (colIdx[colEnd - 1] > lastRow) lastRow = colIdx[colEnd - 1];
      }
    }
    if (trips === 0) return 0;
    const firstRow = onlyAfter ? a + 1 : 0;
    const dense = trips >= (lastRow + 1 - firstRow) * DENSE_TRIPS_PER_ROW;
    if (rowVal !== null && colVal !== null) {
      return dense
        ? this.accumulateWeightedDense(rowStart, rowEnd, after, rowVal, colVal, firstRow, lastRow)
        : this.accumulateWeightedSparse(rowStart, rowEnd, after, rowVal, colVal);
    }
    return dense
      ? this.accumulateBinaryDense(rowStart, rowEnd, after, firstRow, lastRow)
      : this.accumulateBinarySparse(rowStart, rowEnd, after);
  }

  private accumulateWeightedSparse(
    rowStart: number,
    rowEnd: number,
    after: Uint32Array | null,
    rowVal: Float64Array | Float32Array,
    colVal: Float64Array | Float32Array,
  ): number {
    const { rowIdx, colPtr, colIdx } = this.prepared;
    const { sums, touched } = this;
    let touchedCount = 0;
    for (let p = rowStart; p < rowEnd; p++) {
      const c = rowIdx[p];
      const weight = rowVal[p];
      const colEnd = colPtr[c + 1];
      for (let q = after === null ? colPtr[c] : after[p] + 1; q < colEnd; q++) {
        const slot = colIdx[q] << 1;
        sums[slot] += weight * colVal[q];
        if (sums[slot + 1]++ === 0) touched[touchedCount++] = slot >> 1;
      }
    }
    return touchedCount;
  }

  private accumulateWeightedDense(
    rowStart: number,
    rowEnd: number,
    after: Uint32Array | null,
    rowVal: Float64Array | Float32Array,
    colVal: Float64Array | Float32Array,
    firstRow: number,
    lastRow: number,
  ): number {
    const { rowIdx, colPtr, colIdx } = this.prepared;
    const { sums, touched } = this;
    for (let p = rowStart; p < rowEnd; p++) {
      const c = rowIdx[p];
      const weight = rowVal[p];
      const colEnd = colPtr[c + 1];
      for (let q = after === null ? colPtr[c] : after[p] + 1; q < colEnd; q++) {
        const slot = colIdx[q] << 1;
        sums[slot] += weight * colVal[q];
        sums[slot + 1]++;
      }
    }
    let touchedCount = 0;
    for (let b = firstRow; b <= lastRow; b++) if (sums[2 * b + 1] !== 0) touched[touchedCount++] = b;
    return touchedCount;
  }

  private accumulateBinarySparse(rowStart: number, rowEnd: number, after: Uint32Array | null): number {
    const { rowIdx, colPtr, colIdx } = this.prepared;
    const { counts, touched } = this;
    let touchedCount = 0;
    for (let p = rowStart; p < rowEnd; p++) {
      const c = rowIdx[p];
      const colEnd = colPtr[c + 1];
      for (let q = after === null ? colPtr[c] : after[p] + 1; q < colEnd; q++) {
        const b = colIdx[q];
        if (counts[b]++ === 0) touched[touchedCount++] = b;
      }
    }
    return touchedCount;
  }

  private accumulateBinaryDense(
    rowStart: number,
    rowEnd: number,
    after: Uint32Array | null,
    firstRow: number,
    lastRow: number,
  ): number {
    const { rowIdx, colPtr, colIdx } = this.prepared;
    const { counts, touched } = this;
    for (let p = rowStart; p < rowEnd; p++) {
      const c = rowIdx[p];
      const colEnd = colPtr[c + 1];
      for (let q = after === null ? colPtr[c] : after[p] + 1; q < colEnd; q++) counts[colIdx[q]]++;
    }
    let touchedCount = 0;
    for (let b = firstRow; b <= lastRow; b++) if (counts[b] !== 0) touched[touchedCount++] = b;
    return touchedCount;
  }

  /** Co-rater count of touched row b. */
  protected coRaters(b: number): number {
    return this.prepared.kind === 'weighted' ? this.sums[2 * b + 1] : this.counts[b];
  }

  /** Clears row b's accumulators after its pair has been finished. */
  protected reset(b: number): void {
    if (this.prepared.kind === 'weighted') {
      this.sums[2 * b] = 0;
      this.sums[2 * b + 1] = 0;
    } else {
      this.counts[b] = 0;
    }
  }
}

/** Use the branch-free accumulation when there are at least this many inner-loop trips per row in range. */
const DENSE_TRIPS_PER_ROW = 0.5;

/** The similarity of a pair from its accumulated dot product and co-rater count; NaN/≤ε means "not a neighbour". */
function finishSimilarity(
  kind: KernelKind,
  dot: number,
  n: number,
  normA: number,
  normB: number,
  lengthA: number,
  lengthB: number,
  shrinkage: number,
): number {
  let similarity: number;
  if (kind === 'weighted') similarity = normB === 0 ? 0 : dot / (normA * normB);
  else if (kind === 'binary-cosine') similarity = n / (normA * normB);
  else similarity = n / (lengthA + lengthB - n);
  return shrinkage > 0 ? similarity * (n / (n + shrinkage)) : similarity;
}

/** Neighbours of a range of rows, each row computed against every other row (for a block of a larger job). */
export class RangeKernel extends Accumulator {
  private readonly heap: HeapArrays;

  constructor(prepared: PreparedRows, options: SimilarityOptions) {
    super(prepared, options);
    this.heap = {
      similarity: new Float64Array(options.k),
      neighbour: new Uint32Array(options.k),
      support: new Uint32Array(options.k),
    };
  }

  computeRange(start: number, end: number): NeighbourBlock {
    const { k, minSupport, shrinkage } = this.options;
    const { rowPtr, norm, kind } = this.prepared;
    const { sums, touched, heap } = this;
    const block = emptyBlock(start, end, k);
    for (let a = start; a < end; a++) {
      const touchedCount = this.accumulate(a, false);
      const normA = norm[a];
      const lengthA = rowPtr[a + 1] - rowPtr[a];
      let size = 0;
      for (let t = 0; t < touchedCount; t++) {
        const b = touched[t];
        const n = this.coRaters(b);
        const d = kind === 'weighted' ? sums[2 * b] : 0;
        this.reset(b);
        if (b === a || n < minSupport) continue;
        const similarity = finishSimilarity(kind, d, n, normA, norm[b], lengthA, rowPtr[b + 1] - rowPtr[b], shrinkage);
        if (similarity > SIMILARITY_EPSILON) size = offer(heap, 0, size, k, similarity, b, n);
      }
      writeHeapRow(heap, size, block, a - start);
    }
    return block;
  }
}

/**
 * Neighbours of all rows, computing each pair once: row a is accumulated only against rows b > a and the
 * pair is offered to both a's and b's heap, halving the work. Heaps for every row stay open across
 * `processRange` calls (O(rows * k) memory); `result()` sorts them. Rows of different ranges may be processed
 * by different instances (threads) — `mergeBlocks` then combines their results into the exact top-K.
 */
export class SymmetricKernel extends Accumulator {
  private readonly heaps: HeapArrays;
  private readonly sizes: Uint32Array;
  /**
   * The similarity a candidate must reach to enter row b's heap (its root once full, else -Infinity): a small
   * dense array, so most rejections never touch the large, cache-cold heaps.
   */
  private readonly floor: Float64Array;

  constructor(prepared: PreparedRows, options: SimilarityOptions) {
    super(prepared, options);
    if (prepared.positionInColumn === null) throw new Error('SymmetricKernel needs rows prepared with positions');
    const slots = prepared.rows * options.k;
    this.heaps = {
      similarity: new Float64Array(slots),
      neighbour: new Uint32Array(slots),
      support: new Uint32Array(slots),
    };
    this.sizes = new Uint32Array(prepared.rows);
    this.floor = new Float64Array(prepared.rows).fill(-Infinity);
  }

  processRange(start: number, end: number): void {
    const { k, minSupport, shrinkage } = this.options;
    const { rowPtr, norm, kind } = this.prepared;
    const { sums, touched, heaps, sizes, floor } = this;
    for (let a = start; a < end; a++) {
      const touchedCount = this.accumulate(a, true);
      const normA = norm[a];
      const lengthA = rowPtr[a + 1] - rowPtr[a];
      const baseA = a * k;
      let sizeA = sizes[a];
      for (let t = 0; t < touchedCount; t++) {
        const b = touched[t];
        const n = this.coRaters(b);
        const d = kind === 'weighted' ? sums[2 * b] : 0;
        this.reset(b);
        if (n < minSupport) continue;
        const similarity = finishSimilarity(kind, d, n, normA, norm[b], lengthA, rowPtr[b + 1] - rowPtr[b], shrinkage);
        if (!(similarity > SIMILARITY_EPSILON)) continue;
        // Equal to a floor may still win on the neighbour index, so only strictly lower is rejected here.
        if (similarity >= floor[a]) {
          sizeA = offer(heaps, baseA, sizeA, k, similarity, b, n);
          if (sizeA === k) floor[a] = heaps.similarity[baseA];
        }
        if (similarity >= floor[b]) {
          const baseB = b * k;
          const sizeB = offer(heaps, baseB, sizes[b], k, similarity, a, n);
          sizes[b] = sizeB;
          if (sizeB === k) floor[b] = heaps.similarity[baseB];
        }
      }
      sizes[a] = sizeA;
    }
  }

  /** Every row's neighbours found so far, best first (sorts in place; call once, at the end). */
  result(): NeighbourBlock {
    const k = this.options.k;
    for (let r = 0; r < this.prepared.rows; r++) sortHeap(this.heaps, r * k, this.sizes[r]);
    return { start: 0, end: this.prepared.rows, k, count: this.sizes, ...this.heaps };
  }
}

export function emptyBlock(start: number, end: number, k: number): NeighbourBlock {
  const length = end - start;
  return {
    start,
    end,
    k,
    count: new Uint32Array(length),
    neighbour: new Uint32Array(length * k),
    similarity: new Float64Array(length * k),
    support: new Uint32Array(length * k),
  };
}

/**
 * Merges `from` into `into` (same range and k, rows sorted best first, no neighbour in both) keeping each
 * row's best k — exact, since the order (similarity desc, neighbour asc) is total.
 */
export function mergeBlocks(into: NeighbourBlock, from: NeighbourBlock): void {
  const k = into.k;
  const merged = emptyBlock(0, 1, k);
  for (let row = 0; row < into.end - into.start; row++) {
    const base = row * k;
    const left = into.count[row];
    const right = from.count[row];
    if (right === 0) continue;
    let i = 0;
    let j = 0;
    let out = 0;
    while (out < k && (i < left || j < right)) {
      let takeLeft = j >= right;
      if (!takeLeft && i < left) {
        const ls = into.similarity[base + i];
        const rs = from.similarity[base + j];
        takeLeft = ls > rs || (ls === rs && into.neighbour[base + i] < from.neighbour[base + j]);
      }
      const source = takeLeft ? into : from;
      const at = base + (takeLeft ? i++ : j++);
      merged.similarity[out] = source.similarity[at];
      merged.neighbour[out] = source.neighbour[at];
      merged.support[out] = source.support[at];
      out++;
    }
    into.count[row] = out;
    into.similarity.set(merged.similarity.subarray(0, out), base);
    into.neighbour.set(merged.neighbour.subarray(0, out), base);
    into.support.set(merged.support.subarray(0, out), base);
  }
}
