/**
 * Worker-thread entry. Receives the prepared rows once in an 'init' message (SharedArrayBuffer-backed, so not
 * copied; a message rather than workerData so the worker can start loading before the rows are ready), processes each { start, end } range it is sent into its own open heaps (SymmetricKernel), acks
 * each range for progress, and on 'finish' transfers its sorted partial result back.
 */
import { parentPort } from 'node:worker_threads';
import type { SimilarityOptions } from '../types.js';
import { SymmetricKernel } from './kernel.js';
import type { PreparedRows } from './prepare.js';

export interface WorkerInit {
  prepared: PreparedRows;
  options: SimilarityOptions;
}

export type WorkerRequest =
  ({ type: 'init' } & WorkerInit) | { type: 'range'; start: number; end: number } | { type: 'finish' };

const port = parentPort;
if (port) {
  let kernel: SymmetricKernel | undefined;
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'init') {
      kernel = new SymmetricKernel(request.prepared, request.options);
      return;
    }
    if (kernel === undefined) throw new Error(`similarity worker got '${request.type}' before 'init'`);
    if (request.type === 'range') {
      kernel.processRange(request.start, request.end);
      port.postMessage({ type: 'done', start: request.start, end: request.end });
    } else {
      const block = kernel.result();
      // Freshly allocated, never shared: the arrays can move to the main thread without copying.
      const buffers = [
        block.count.buffer,
        block.neighbour.buffer,
        block.similarity.buffer,
        block.support.buffer,
      ] as ArrayBuffer[];
      port.postMessage({ type: 'result', block }, buffers);
    }
  });
}
