/**
 * Content neighbours of every item (kernel.ts) on worker threads: items split into contiguous ranges of about equal
 * work, run by the shared task pool (engine/shared/task-pool.ts) in this thread or on workers that take the next
 * range as they free up. The vectors go to each worker once, on SharedArrayBuffers (not copied per worker), and
 * each range's rows are written into one result block on a SharedArrayBuffer, at the range's own rows.
 *
 * Safety properties (test/engine/content-pool.test.ts):
 * - the block equals contentNeighbourBlock over all items, bit for bit, for any thread count: a row is computed
 *   whole by one kernel (no partial rows to merge), and the kernel's rows do not depend on the range they are in;
 * - the ranges cover every item exactly once; progress is reported after each range and reaches (items, items);
 * - bad k or threads are refused before any work; a worker's error fails the run (the task pool).
 */
import type { NeighbourBlock } from '../types.js';
import { emptyBlock } from '../similarity/kernel.js';
import { splitByWork, type NeighbourRun } from '../similarity/pool.js';
import { resolveThreadCount } from '../shared/threads.js';
import { workerScript as sharedWorkerScript } from '../shared/worker-script.js';
import * as pool from '../shared/task-pool.js';
import { ContentKernel, type KernelVectors } from './kernel.js';

/** What every task reads (the vectors, k) and writes (its rows of `out`). */
export interface ContentState {
  vectors: KernelVectors;
  k: number;
  out: NeighbourBlock;
}

/** Items [start, end). */
export interface ContentTask {
  start: number;
  end: number;
}

export type ContentExecutor = pool.TaskExecutor<ContentState, ContentTask>;

/** Ranges per thread: enough for the pool to even out, few enough that per-message cost stays negligible. */
const CHUNKS_PER_THREAD = 16;
/** In this thread, more and smaller ranges: each is a stretch without timers (the build's lease heartbeat). */
const IN_THREAD_CHUNKS = 64;
/**
 * Below this many inner-loop trips (Σ over items of Σ df of its terms; ~0.25 s on one core, bench/content.ts:
 * 1.36e9 trips in 10 s) a default-threaded run stays in this thread, since starting workers (each loads the
 * TypeScript loader in development) costs more than it saves. An explicit `threads` is obeyed.
 */
export const MIN_WORK_FOR_DEFAULT_WORKERS = 3e7;

/** The build Lambda's bundle ships the worker, bundled on its own, as this file beside itself (infra/constructs). */
export const BUNDLED_CONTENT_WORKER_FILE = 'content-worker.mjs';

export const CONTENT_KERNEL: pool.TaskKernel<ContentState, ContentTask, ContentKernel> = {
  scratchFor: (state) => new ContentKernel(state.vectors, state.k),
  runTask(state, task, kernel) {
    const rows = kernel.computeRange(task.start, task.end);
    const { out } = state;
    const at = task.start - out.start;
    out.count.set(rows.count, at);
    out.neighbour.set(rows.neighbour, at * out.k);
    out.similarity.set(rows.similarity, at * out.k);
    out.support.set(rows.support, at * out.k);
  },
};

/**
 * Every item's top-k content neighbours, as contentNeighbourBlock(vectors, k) computes them, on `run.threads`
 * threads (default min(cores, 4) once the work passes MIN_WORK_FOR_DEFAULT_WORKERS); `run.onProgress(done, total)`
 * counts items after each range.
 */
export async function computeContentNeighbours(
  vectors: KernelVectors,
  k: number,
  run: NeighbourRun = {},
): Promise<NeighbourBlock> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer (got ${k})`);
  const threads = resolveThreadCount(run.threads);
  const { items } = vectors;
  const work = rowWork(vectors);
  let total = 0;
  for (const w of work) total += w;
  const wanted = run.threads !== undefined || total >= MIN_WORK_FOR_DEFAULT_WORKERS;
  const workers = Math.min(threads, items);
  const executor: ContentExecutor = (workers > 1 && wanted ? workerExecutor(workers) : undefined) ?? inThreadExecutor();
  try {
    const out = executor.shared ? sharedBlock(items, k) : emptyBlock(0, items, k);
    executor.init({ vectors: executor.shared ? shareVectors(vectors) : vectors, k, out });
    const tasks =
      items === 0 ? [] : splitByWork(work, executor.shared ? workers * CHUNKS_PER_THREAD : IN_THREAD_CHUNKS);
    let done = 0;
    await executor.run(tasks, (task) => {
      done += task.end - task.start;
      run.onProgress?.(done, items);
    });
    return out;
  } finally {
    await executor.close();
  }
}

/**
 * The kernel's inner-loop trips per item, Σ over its terms of the term's items, plus 1 for the item's own heap
 * (so a catalogue of empty rows still splits into ranges by items).
 */
export function rowWork(vectors: KernelVectors): Float64Array {
  const { items, rowPtr, termIndex, colPtr } = vectors;
  const work = new Float64Array(items);
  for (let a = 0; a < items; a++) {
    let trips = 1;
    for (let p = rowPtr[a]; p < rowPtr[a + 1]; p++) trips += colPtr[termIndex[p] + 1] - colPtr[termIndex[p]];
    work[a] = trips;
  }
  return work;
}

export const inThreadExecutor = (): ContentExecutor => pool.inThreadExecutor(CONTENT_KERNEL);

/** Worker threads, or undefined where no worker script can be found (then the work runs in this thread). */
export function workerExecutor(threads: number): ContentExecutor | undefined {
  const script = sharedWorkerScript(import.meta.url, BUNDLED_CONTENT_WORKER_FILE);
  return script && pool.workerExecutor(script, threads, 'content');
}

/** Whether computeContentNeighbours can use worker threads here (false in a bundle shipped without its worker). */
export function contentWorkersAvailable(): boolean {
  return sharedWorkerScript(import.meta.url, BUNDLED_CONTENT_WORKER_FILE) !== undefined;
}

function shared<T extends Uint32Array | Float64Array>(array: T): T {
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/** The kernel's arrays copied once onto SharedArrayBuffers, so posting them to each worker copies nothing. */
function shareVectors(vectors: KernelVectors): KernelVectors {
  return {
    items: vectors.items,
    rowPtr: shared(vectors.rowPtr),
    termIndex: shared(vectors.termIndex),
    weight: shared(vectors.weight),
    colPtr: shared(vectors.colPtr),
    colItem: shared(vectors.colItem),
    colWeight: shared(vectors.colWeight),
  };
}

function sharedBlock(items: number, k: number): NeighbourBlock {
  const buffer = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
  return {
    start: 0,
    end: items,
    k,
    count: new Uint32Array(buffer(4 * items)),
    neighbour: new Uint32Array(buffer(4 * items * k)),
    similarity: new Float64Array(buffer(8 * items * k)),
    support: new Uint32Array(buffer(4 * items * k)),
  };
}
