/**
 * Where the approximate EASE's tasks run: in this thread, or on worker threads that share the state's arrays
 * through SharedArrayBuffers and take tasks from a queue as they free up. Workers start from worker.ts next to
 * this file (through tsx under vitest and the CLI), or from BUNDLED_APPROXIMATE_EASE_WORKER_FILE next to a
 * bundle; with neither, the work runs in this thread. The same queue as the exact EASE pool (../pool.ts).
 *
 * Safety properties (tests in test/engine/ease-approximate.test.ts):
 * - a run over several workers gives the same bits as one in this thread.
 */
import { Worker } from 'node:worker_threads';
import { runTask, scratchFor, type ApproximateScratch, type ApproximateState, type ApproximateTask } from './tasks.js';
import { workerScript as sharedWorkerScript } from '../../shared/worker-script.js';
import { UserInputError } from '../../types.js';

export interface ApproximateExecutor {
  /** Whether the state's arrays must be on SharedArrayBuffers. */
  readonly shared: boolean;
  init(state: ApproximateState): void;
  /** Runs every task (in any order, any thread) and resolves when all are done. */
  run(tasks: readonly ApproximateTask[]): Promise<void>;
  close(): Promise<void>;
}

export type ApproximateWorkerRequest =
  { type: 'init'; state: ApproximateState } | { type: 'task'; task: ApproximateTask };

/** The build Lambda's bundle ships the worker, bundled on its own, as this file beside itself (infra/constructs). */
export const BUNDLED_APPROXIMATE_EASE_WORKER_FILE = 'ease-approximate-worker.mjs';

export function inThreadExecutor(): ApproximateExecutor {
  let state: ApproximateState | undefined;
  let scratch: ApproximateScratch | undefined;
  return {
    shared: false,
    init(s) {
      state = s;
      scratch = scratchFor(s);
    },
    async run(tasks) {
      for (const task of tasks) runTask(state!, task, scratch!);
      // Let timers (progress, heartbeats) run between phases.
      await new Promise((resolve) => setImmediate(resolve));
    },
    async close() {},
  };
}

/** Worker threads, or undefined where no worker script can be found (then run in this thread). */
export function workerExecutor(threads: number): ApproximateExecutor | undefined {
  const script = workerScript();
  if (script === undefined) return undefined;
  const workers = Array.from({ length: threads }, () => new Worker(script));
  let failure: Error | undefined;
  let onFailure: ((error: Error) => void) | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    onFailure?.(failure);
  };
  for (const worker of workers) {
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`approximate EASE worker stopped with exit code ${code}`)));
  }
  return {
    shared: true,
    init(state) {
      for (const worker of workers) worker.postMessage({ type: 'init', state } satisfies ApproximateWorkerRequest);
    },
    run(tasks) {
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (tasks.length === 0) return resolve();
        let next = 0;
        let done = 0;
        const listeners = new Map<Worker, (message: WorkerReply) => void>();
        const finish = (error?: Error): void => {
          for (const [worker, listener] of listeners) worker.off('message', listener);
          onFailure = undefined;
          if (error) reject(error);
          else resolve();
        };
        onFailure = finish;
        const send = (worker: Worker): void => {
          if (next < tasks.length)
            worker.postMessage({ type: 'task', task: tasks[next++] } satisfies ApproximateWorkerRequest);
        };
        for (const worker of workers) {
          const listener = (message: WorkerReply): void => {
            // A task's UserInputError (a neighbourhood Gram that is not positive definite) comes back as data.
            if (message.type === 'error') return finish(rebuildError(message));
            done++;
            if (done === tasks.length) finish();
            else send(worker);
          };
          listeners.set(worker, listener);
          worker.on('message', listener);
          send(worker);
        }
      });
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

export type WorkerReply =
  { type: 'done' } | { type: 'error'; name: string; message: string; where?: string; hint?: string };

function rebuildError(reply: Extract<WorkerReply, { type: 'error' }>): Error {
  if (reply.name === 'UserInputError') return new UserInputError(reply.message, reply.where, reply.hint);
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}

const workerScript = (): URL | undefined => sharedWorkerScript(import.meta.url, BUNDLED_APPROXIMATE_EASE_WORKER_FILE);
