/**
 * EASE worker-thread entry: gets the shared state once ('init'), then runs each task it is sent on the shared
 * arrays (tasks.ts, the same code as in-thread) and acks it.
 */
import { parentPort } from 'node:worker_threads';
import type { EaseWorkerRequest } from './pool.js';
import { runTask, scratchFor, type EaseState } from './tasks.js';

const port = parentPort;
if (port) {
  let state: EaseState | undefined;
  let work: Float64Array = new Float64Array(0);
  port.on('message', (request: EaseWorkerRequest) => {
    if (request.type === 'init') {
      state = request.state;
      work = scratchFor(state.n);
      return;
    }
    if (state === undefined) throw new Error(`EASE worker got a task before 'init'`);
    runTask(state, request.task, work);
    port.postMessage({ type: 'done' });
  });
}
