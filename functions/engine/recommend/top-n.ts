/**
 * The `limit` best of `candidates` under `better`, best first, without sorting them all:
 * a bounded heap whose root is the worst kept candidate, so O(C log N) for C candidates.
 * `better` must be a strict total order (ties broken by id), which makes the result deterministic.
 */
export function topN<T>(candidates: Iterable<T>, limit: number, better: (a: T, b: T) => boolean): T[] {
  if (limit <= 0) return [];
  const heap: T[] = [];
  // Heap order: a parent is never better than its children (the root is the worst kept).
  const worse = (a: T, b: T): boolean => better(b, a);
  for (const candidate of candidates) {
    if (heap.length < limit) {
      heap.push(candidate);
      siftUp(heap, heap.length - 1, worse);
    } else if (better(candidate, heap[0])) {
      heap[0] = candidate;
      siftDown(heap, 0, worse);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}

function siftUp<T>(heap: T[], index: number, worse: (a: T, b: T) => boolean): void {
  const item = heap[index];
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!worse(item, heap[parent])) break;
    heap[index] = heap[parent];
    index = parent;
  }
  heap[index] = item;
}

function siftDown<T>(heap: T[], index: number, worse: (a: T, b: T) => boolean): void {
  const item = heap[index];
  const size = heap.length;
  for (;;) {
    let child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && worse(heap[child + 1], heap[child])) child++;
    if (!worse(heap[child], item)) break;
    heap[index] = heap[child];
    index = child;
  }
  heap[index] = item;
}
