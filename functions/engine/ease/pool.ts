/**
 * Where EASE's tasks run: in this thread, or on worker threads that share the dense arrays through
 * SharedArrayBuffers and take tasks from a queue as they free up. Workers start from worker.ts next to this file
 * (through tsx under vitest and the CLI), or from BUNDLED_EASE_WORKER_FILE next to a bundle; with neither, the
 * work runs in this thread, as in functions/engine/similarity/pool.ts.
 *
 * Safety properties (tests in test/engine/ease-threads.test.ts):
 * - a run over several workers gives the same bits as one in this thread.
 */
import { Worker } from 'node:worker_threads';
import { runTask, scratchFor, type EaseState, type EaseTask } from './tasks.js';
import { workerScript as sharedWorkerScript } from '../shared/worker-script.js';

export interface EaseExecutor {
  /** Whether the state's arrays must be on SharedArrayBuffers. */
  readonly shared: boolean;
  init(state: EaseState): void;
  /** Runs every task (in any order, any thread) and resolves when all are done. */
  run(tasks: readonly EaseTask[]): Promise<void>;
  close(): Promise<void>;
}

export type EaseWorkerRequest = { type: 'init'; state: EaseState } | { type: 'task'; task: EaseTask };

/** The build Lambda's bundle ships the worker, bundled on its own, as this file beside itself (infra/constructs). */
export const BUNDLED_EASE_WORKER_FILE = 'ease-worker.mjs';

export function inThreadExecutor(): EaseExecutor {
  let state: EaseState | undefined;
  let work: Float64Array = new Float64Array(0);
  return {
    shared: false,
    init(s) {
      state = s;
      work = scratchFor(s.n);
    },
    async run(tasks) {
      // Let timers (progress, the build's lease heartbeat) run between tasks: a phase can take seconds.
      for (const task of tasks) {
        runTask(state!, task, work);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
    async close() {},
  };
}

/** Worker threads, or undefined where no worker script can be found (then run in this thread). */
export function workerExecutor(threads: number): EaseExecutor | undefined {
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
    worker.on('exit', (code) => fail(new Error(`EASE worker stopped with exit code ${code}`)));
  }
  return {
    shared: true,
    init(state) {
      for (const worker of workers) worker.postMessage({ type: 'init', state } satisfies EaseWorkerRequest);
    },
    run(tasks) {
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (tasks.length === 0) return resolve();
        let next = 0;
        let done = 0;
        const listeners = new Map<Worker, () => void>();
        const finish = (error?: Error): void => {
          for (const [worker, listener] of listeners) worker.off('message', listener);
          onFailure = undefined;
          if (error) reject(error);
          else resolve();
        };
        onFailure = finish;
        const send = (worker: Worker): void => {
          if (next < tasks.length)
            worker.postMessage({ type: 'task', task: tasks[next++] } satisfies EaseWorkerRequest);
        };
        for (const worker of workers) {
          const listener = (): void => {
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

const workerScript = (): URL | undefined => sharedWorkerScript(import.meta.url, BUNDLED_EASE_WORKER_FILE);
