/**
 * Top-K content neighbours (cosine of the L2-normalised term vectors) of a range of items, without the item×item
 * matrix: for item a, for each of its terms, for each other item b of that term (the inverted index), dot[b] +=
 * w_a·w_b in a dense scratch array, remembering the touched b; then each touched pair is offered to a bounded
 * top-K heap (engine/similarity/heap.ts: similarity desc, ties to the smaller neighbour index). The result is the
 * NeighbourBlock the similarity kernels return; `support` is the number of shared terms.
 *
 * Safety properties (test/engine/content-kernel.test.ts):
 * - equal to a brute-force cosine over TF-IDF / BM25 vectors; no self-neighbour; only similarities > 1e-12;
 * - a pair's dot product is summed over its shared terms in ascending term order by the same products
 *   (w_a·w_b = w_b·w_a), so it is bit-identical from either side, and any split of rows into ranges gives the
 *   same block rows;
 * - cosine of unit vectors is clamped to at most 1 (rounding may give 1 + 2⁻⁵²).
 */
import { SIMILARITY_EPSILON } from '../similarity/index.js';
import { offer, writeHeapRow, type HeapArrays } from '../similarity/heap.js';
import { emptyBlock } from '../similarity/kernel.js';
import type { NeighbourBlock } from '../types.js';
import { describeTerm } from './tokenise.js';
import type { ContentVectors } from './vectorise.js';

/** What the kernel reads: the vectors without their terms (a worker thread is sent only these arrays). */
export type KernelVectors = Pick<
  ContentVectors,
  'items' | 'rowPtr' | 'termIndex' | 'weight' | 'colPtr' | 'colItem' | 'colWeight'
>;

/** Scratch space sized to the catalogue: build one per thread and reuse it for all its ranges. */
export class ContentKernel {
  private readonly dot: Float64Array;
  private readonly shared: Uint32Array;
  private readonly touched: Uint32Array;
  private readonly heap: HeapArrays;

  constructor(
    private readonly vectors: KernelVectors,
    private readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer (got ${k})`);
    this.dot = new Float64Array(vectors.items);
    this.shared = new Uint32Array(vectors.items);
    this.touched = new Uint32Array(vectors.items);
    this.heap = { similarity: new Float64Array(k), neighbour: new Uint32Array(k), support: new Uint32Array(k) };
  }

  /** Neighbours of items [start, end). */
  computeRange(start: number, end: number): NeighbourBlock {
    const { items, rowPtr, termIndex, weight, colPtr, colItem, colWeight } = this.vectors;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= items))
      throw new RangeError(`row range [${start}, ${end}) is not within [0, ${items})`);
    const { k, dot, shared, touched, heap } = this;
    const block = emptyBlock(start, end, k);
    for (let a = start; a < end; a++) {
      let touchedCount = 0;
      for (let p = rowPtr[a]; p < rowPtr[a + 1]; p++) {
        const w = weight[p];
        const t = termIndex[p];
        for (let q = colPtr[t]; q < colPtr[t + 1]; q++) {
          const b = colItem[q];
          dot[b] += w * colWeight[q];
          if (shared[b]++ === 0) touched[touchedCount++] = b;
        }
      }
      let size = 0;
      for (let i = 0; i < touchedCount; i++) {
        const b = touched[i];
        const similarity = Math.min(1, dot[b]);
        const support = shared[b];
        dot[b] = 0;
        shared[b] = 0;
        if (b !== a && similarity > SIMILARITY_EPSILON) size = offer(heap, 0, size, k, similarity, b, support);
      }
      writeHeapRow(heap, size, block, a - start);
    }
    return block;
  }
}

/** Neighbours of items [start, end) (default: all), with a kernel of its own. */
export function contentNeighbourBlock(
  vectors: KernelVectors,
  k: number,
  start = 0,
  end = vectors.items,
): NeighbourBlock {
  return new ContentKernel(vectors, k).computeRange(start, end);
}

export interface SharedTerm {
  term: string;
  /** `words` for title/text words; otherwise the whole-term field. */
  field: ReturnType<typeof describeTerm>['field'];
  /** The term without its field prefix, for display ("jazz"). */
  value: string;
  /** w_a·w_b: this term's part of the pair's cosine (the parts sum to it). */
  contribution: number;
}

/**
 * The at most n terms that contribute most to the cosine of items a and b, largest first (ties: term order):
 * the "shares: jazz, live" of an explanation.
 */
export function sharedTerms(vectors: ContentVectors, a: number, b: number, n: number): SharedTerm[] {
  const { items, rowPtr, termIndex, weight, terms } = vectors;
  for (const item of [a, b])
    if (!Number.isInteger(item) || item < 0 || item >= items)
      throw new RangeError(`item index ${item} is not within [0, ${items})`);
  const found: { t: number; contribution: number }[] = [];
  let p = rowPtr[a];
  let q = rowPtr[b];
  while (p < rowPtr[a + 1] && q < rowPtr[b + 1]) {
    if (termIndex[p] < termIndex[q]) p++;
    else if (termIndex[p] > termIndex[q]) q++;
    else {
      found.push({ t: termIndex[p], contribution: weight[p] * weight[q] });
      p++;
      q++;
    }
  }
  found.sort((x, y) => y.contribution - x.contribution || x.t - y.t);
  return found.slice(0, Math.max(0, n)).map(({ t, contribution }) => ({
    term: terms[t],
    ...describeTerm(terms[t]),
    contribution,
  }));
}
