/**
 * Approximate EASE worker-thread entry: gets the shared state once ('init'), then runs each task it is sent on
 * the shared arrays (tasks.ts, the same code as in-thread) and acks it, or sends back the task's error as data
 * (so a UserInputError stays one on the other side).
 */
import { parentPort } from 'node:worker_threads';
import type { ApproximateWorkerRequest, WorkerReply } from './pool.js';
import { runTask, scratchFor, type ApproximateScratch, type ApproximateState } from './tasks.js';
import { UserInputError } from '../../types.js';

const port = parentPort;
if (port) {
  let state: ApproximateState | undefined;
  let scratch: ApproximateScratch | undefined;
  port.on('message', (request: ApproximateWorkerRequest) => {
    if (request.type === 'init') {
      state = request.state;
      scratch = scratchFor(state);
      return;
    }
    if (state === undefined || scratch === undefined)
      throw new Error(`approximate EASE worker got a task before 'init'`);
    try {
      runTask(state, request.task, scratch);
      port.postMessage({ type: 'done' } satisfies WorkerReply);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const reply: WorkerReply =
        e instanceof UserInputError
          ? { type: 'error', name: e.name, message: e.message, where: e.where, hint: e.hint }
          : { type: 'error', name: e.name, message: e.message };
      port.postMessage(reply);
    }
  });
}
