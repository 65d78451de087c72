import { Worker } from 'node:worker_threads';
import type { NeighbourBlock, RatingMatrix, SimilarityOptions } from '../types.js';
import { mergeBlocks, SymmetricKernel } from './kernel.js';
import { resolveSimilarityOptions } from './options.js';
import { prepareRows, rowWork } from './prepare.js';
import type { WorkerInit, WorkerRequest } from './worker.js';
import { resolveThreadCount } from '../shared/threads.js';
import { workerScript as sharedWorkerScript } from '../shared/worker-script.js';

interface WorkerJob {
  start: number;
  end: number;
}

export interface NeighbourRun {
  /** Worker threads; default min(available cores, 4). 1 computes in this thread. */
  threads?: number;
  /** Called after each finished chunk with the rows done so far and the total. */
  onProgress?: (doneRows: number, totalRows: number) => void;
}

/** Chunks per thread: enough for the pool to even out, few enough that per-message cost stays negligible. */
const CHUNKS_PER_THREAD = 16;
/** In this thread, more and smaller chunks: each is a stretch without timers (the build's lease heartbeat). */
const IN_THREAD_CHUNKS = 64;
/**
 * Below this much inner-loop work (~0.1 s on one core) a default-threaded run stays in this thread, since
 * starting workers (each loads the TypeScript loader) costs more than it saves. An explicit `threads` is obeyed.
 */
const MIN_WORK_FOR_DEFAULT_WORKERS = 3e7;

/**
 * All rows' top-K neighbours, each pair computed once (SymmetricKernel), rows split into ranges of about
 * equal work and handed to worker threads as they free up; the partial results are merged exactly, so the
 * result is the same for any thread count (and equal to computeNeighbourBlock over all rows).
 */
export async function computeNeighbours(
  matrix: RatingMatrix,
  target: 'items' | 'users',
  options?: Partial<SimilarityOptions>,
  run: NeighbourRun = {},
): Promise<NeighbourBlock> {
  const resolved = resolveSimilarityOptions(options);
  const threads = resolveThreadCount(run.threads);
  const rows = target === 'items' ? matrix.byItem.rows : matrix.byUser.rows;
  const script = threads > 1 && rows > 1 ? workerScript() : undefined;
  const worthIt = run.threads !== undefined || estimatedWork(matrix, target) >= MIN_WORK_FOR_DEFAULT_WORKERS;
  // Workers load the TypeScript loader while this thread prepares the rows (or started during the parse).
  const workers = script && worthIt ? takeWarmWorkers(script, Math.min(threads, rows)) : [];
  try {
    const prepared = prepareRows(matrix, target, resolved, { shared: workers.length > 0, positions: true });
    const chunks = splitByWork(
      rowWork(prepared),
      workers.length > 0 ? workers.length * CHUNKS_PER_THREAD : IN_THREAD_CHUNKS,
    );
    let doneRows = 0;
    const onRangeDone = (range: WorkerJob): void => {
      doneRows += range.end - range.start;
      run.onProgress?.(doneRows, rows);
    };
    if (workers.length > 0) {
      const [first, ...rest] = await runOnWorkers(workers, { prepared, options: resolved }, chunks, onRangeDone);
      for (const partial of rest) mergeBlocks(first, partial);
      return first;
    }
    const kernel = new SymmetricKernel(prepared, resolved);
    for (const chunk of chunks) {
      kernel.processRange(chunk.start, chunk.end);
      onRangeDone(chunk);
      // Let timers (progress bars, heartbeats) run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return kernel.result();
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Inner-loop trips of the symmetric kernel: Σ over columns of len·(len−1)/2, known before preparing. */
function estimatedWork(matrix: RatingMatrix, target: 'items' | 'users'): number {
  const columns = target === 'items' ? matrix.byUser : matrix.byItem;
  let work = 0;
  for (let c = 0; c < columns.rows; c++) {
    const length = columns.indptr[c + 1] - columns.indptr[c];
    work += (length * (length - 1)) / 2;
  }
  return work;
}

/**
 * Contiguous row ranges with about equal work each (inner-loop trips, see rowWork), never empty.
 * Balancing by rows instead would leave one thread with all the popular rows.
 */
export function splitByWork(work: Float64Array, parts: number): WorkerJob[] {
  const rows = work.length;
  const total = work.reduce((sum, w) => sum + w, 0);
  const chunks: WorkerJob[] = [];
  let start = 0;
  let cumulative = 0;
  for (let row = 0; row < rows; row++) {
    cumulative += work[row];
    if (cumulative >= (total * (chunks.length + 1)) / parts || row === rows - 1) {
      chunks.push({ start, end: row + 1 });
      start = row + 1;
    }
  }
  return chunks;
}

/** A bundle (the build Lambda) ships the worker, bundled on its own, as this file next to itself. */
export const BUNDLED_WORKER_FILE = 'similarity-worker.mjs';

const workerScript = (): URL | undefined => sharedWorkerScript(import.meta.url, BUNDLED_WORKER_FILE);

/** Whether computeNeighbours can use worker threads here (false in a bundle shipped without its worker file). */
export function workersAvailable(): boolean {
  return workerScript() !== undefined;
}

function startWorkers(script: URL, count: number): Worker[] {
  return Array.from({ length: count }, () => new Worker(script));
}

/** Workers started ahead of time by {@link prestartWorkers}, waiting for the next computeNeighbours. */
let warm: Worker[] = [];

/**
 * Starts the similarity workers now, so that loading them overlaps with work on this thread (the parse of a large
 * file uses one core and leaves the other idle). The next computeNeighbours takes them; unused ones do not keep the
 * process alive. Does nothing where workers are unavailable (a single-file bundle).
 */
export function prestartWorkers(threads?: number): void {
  const script = workerScript();
  const count = resolveThreadCount(threads);
  if (!script || count < 2 || warm.length > 0) return;
  warm = startWorkers(script, count);
  for (const worker of warm) worker.unref();
}

function takeWarmWorkers(script: URL, count: number): Worker[] {
  const taken = warm.splice(0, count);
  for (const worker of taken) worker.ref();
  for (const extra of warm.splice(0)) void extra.terminate();
  return [...taken, ...startWorkers(script, count - taken.length)];
}

/** Sends each worker the rows, then hands out ranges as workers free up; resolves with every partial result. */
function runOnWorkers(
  workers: readonly Worker[],
  init: WorkerInit,
  chunks: readonly WorkerJob[],
  onRangeDone: (range: WorkerJob) => void,
): Promise<NeighbourBlock[]> {
  return new Promise((resolve, reject) => {
    const partials: NeighbourBlock[] = [];
    let nextChunk = 0;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const sendWork = (worker: Worker): void => {
      if (nextChunk < chunks.length)
        worker.postMessage({ type: 'range', ...chunks[nextChunk++] } satisfies WorkerRequest);
      else worker.postMessage({ type: 'finish' } satisfies WorkerRequest);
    };
    for (const worker of workers) {
      worker.on('message', (message: WorkerReply) => {
        if (settled) return;
        if (message.type === 'result') {
          partials.push(message.block);
          if (partials.length === workers.length) {
            settled = true;
            resolve(partials);
          }
          return;
        }
        try {
          onRangeDone(message);
        } catch (error) {
          fail(error);
          return;
        }
        sendWork(worker);
      });
      worker.on('error', fail);
      worker.on('exit', (code) =>
        fail(new Error(`similarity worker stopped with exit code ${code} before finishing its rows`)),
      );
      worker.postMessage({ type: 'init', ...init } satisfies WorkerRequest);
      sendWork(worker);
    }
  });
}

type WorkerReply = { type: 'done'; start: number; end: number } | { type: 'result'; block: NeighbourBlock };
