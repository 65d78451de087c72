/**
 * Bounded top-K heaps stored flat in typed arrays: the heap of row r occupies slots [base, base + k).
 * Min-heap on (similarity asc, neighbour desc): the root is the worst kept candidate, so a newcomer only has
 * to beat the root, and an exact tie at the k-th place goes to the smaller neighbour index. Because that order
 * is total, the kept set is the exact top-K whatever order candidates arrive in.
 */
import type { NeighbourBlock } from '../types.js';

export interface HeapArrays {
  readonly similarity: Float64Array;
  readonly neighbour: Uint32Array;
  readonly support: Uint32Array;
}

/** Offers a candidate to the heap at `base` holding `size` of at most `k`; returns the new size. */
export function offer(
  heap: HeapArrays,
  base: number,
  size: number,
  k: number,
  similarity: number,
  neighbour: number,
  support: number,
): number {
  if (size < k) {
    const { similarity: sims, neighbour: ids, support: sups } = heap;
    let i = size;
    // Sift the hole up, then drop the candidate in.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = sims[base + parent];
      if (!(similarity < ps || (similarity === ps && neighbour > ids[base + parent]))) break;
      sims[base + i] = ps;
      ids[base + i] = ids[base + parent];
      sups[base + i] = sups[base + parent];
      i = parent;
    }
    sims[base + i] = similarity;
    ids[base + i] = neighbour;
    sups[base + i] = support;
    return size + 1;
  }
  const root = heap.similarity[base];
  if (similarity > root || (similarity === root && neighbour < heap.neighbour[base])) {
    siftDownFromRoot(heap, base, size, similarity, neighbour, support);
  }
  return size;
}

/** Replaces the root with the given entry and restores the heap order. */
function siftDownFromRoot(
  heap: HeapArrays,
  base: number,
  size: number,
  similarity: number,
  neighbour: number,
  support: number,
): void {
  const { similarity: sims, neighbour: ids, support: sups } = heap;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    let child = left;
    const right = left + 1;
    if (right < size) {
      const ls = sims[base + left];
      const rs = sims[base + right];
      if (rs < ls || (rs === ls && ids[base + right] > ids[base + left])) child = right;
    }
    const cs = sims[base + child];
    if (!(cs < similarity || (cs === similarity && ids[base + child] > neighbour))) break;
    sims[base + i] = cs;
    ids[base + i] = ids[base + child];
    sups[base + i] = sups[base + child];
    i = child;
  }
  sims[base + i] = similarity;
  ids[base + i] = neighbour;
  sups[base + i] = support;
}

/**
 * Sorts the heap (at slot 0, holding `size`) best-first and writes it as row `row` of `block`: the last step of
 * every top-K kernel over a row range.
 */
export function writeHeapRow(heap: HeapArrays, size: number, block: NeighbourBlock, row: number): void {
  sortHeap(heap, 0, size);
  const base = row * block.k;
  block.count[row] = size;
  block.similarity.set(heap.similarity.subarray(0, size), base);
  block.neighbour.set(heap.neighbour.subarray(0, size), base);
  block.support.set(heap.support.subarray(0, size), base);
}

/** Sorts a heap of `size` in place into best-first order (heapsort: the worst goes to the back each round). */
export function sortHeap(heap: HeapArrays, base: number, size: number): void {
  const { similarity: sims, neighbour: ids, support: sups } = heap;
  for (let last = size - 1; last > 0; last--) {
    const worstSimilarity = sims[base];
    const worstNeighbour = ids[base];
    const worstSupport = sups[base];
    siftDownFromRoot(heap, base, last, sims[base + last], ids[base + last], sups[base + last]);
    sims[base + last] = worstSimilarity;
    ids[base + last] = worstNeighbour;
    sups[base + last] = worstSupport;
  }
}
