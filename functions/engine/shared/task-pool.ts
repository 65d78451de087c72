/**
 * A queue of tasks over shared state, run in this thread or on worker threads that share the state's arrays
 * through SharedArrayBuffers and take the next task as they free up: the one executor of the exact and the
 * approximate EASE kernels (each gives its own `runTask`, scratch and worker script).
 *
 * Safety properties (tests in test/engine/ease-threads.test.ts and ease-approximate.test.ts):
 * - the worker path runs the same `runTask` as this thread, so a run gives the same bits on any thread count;
 * - a task's error reaches the caller as the same error (a UserInputError stays one across the thread boundary),
 *   and a worker that dies fails the run instead of hanging it;
 * - in this thread, timers (progress, the build's lease heartbeat) run between tasks.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { UserInputError } from '../types.js';

export interface TaskExecutor<State, Task> {
  /** Whether the state's arrays must be on SharedArrayBuffers. */
  readonly shared: boolean;
  init(state: State): void;
  /**
   * Runs every task (in any order, any thread) and resolves when all are done; `onTaskDone` (progress) is called
   * in this thread after each, and an error it throws fails the run.
   */
  run(tasks: readonly Task[], onTaskDone?: (task: Task) => void): Promise<void>;
  close(): Promise<void>;
}

export interface TaskKernel<State, Task, Scratch> {
  runTask(state: State, task: Task, scratch: Scratch): void;
  scratchFor(state: State): Scratch;
}

type Request<State, Task> = { type: 'init'; state: State } | { type: 'task'; task: Task };
type Reply = { type: 'done' } | { type: 'error'; name: string; message: string; where?: string; hint?: string };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function inThreadExecutor<State, Task, Scratch>(
  kernel: TaskKernel<State, Task, Scratch>,
): TaskExecutor<State, Task> {
  let state: State | undefined;
  let scratch: Scratch | undefined;
  return {
    shared: false,
    init(s) {
      state = s;
      scratch = kernel.scratchFor(s);
    },
    async run(tasks, onTaskDone) {
      for (const task of tasks) {
        kernel.runTask(state!, task, scratch!);
        onTaskDone?.(task);
        await nextTurn();
      }
    },
    async close() {},
  };
}

/** `threads` workers started from `script` (a file that calls serveTasks); `label` names them in errors. */
export function workerExecutor<State, Task>(script: URL, threads: number, label: string): TaskExecutor<State, Task> {
  const workers = Array.from({ length: threads }, () => new Worker(script));
  let failure: Error | undefined;
  let onFailure: ((error: Error) => void) | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    onFailure?.(failure);
  };
  for (const worker of workers) {
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`${label} worker stopped with exit code ${code}`)));
  }
  return {
    shared: true,
    init(state) {
      for (const worker of workers) worker.postMessage({ type: 'init', state } satisfies Request<State, Task>);
    },
    run(tasks, onTaskDone) {
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (tasks.length === 0) return resolve();
        let next = 0;
        let done = 0;
        const listeners = new Map<Worker, (reply: Reply) => void>();
        const running = new Map<Worker, Task>();
        const finish = (error?: Error): void => {
          for (const [worker, listener] of listeners) worker.off('message', listener);
          onFailure = undefined;
          if (error) reject(error);
          else resolve();
        };
        onFailure = finish;
        const send = (worker: Worker): void => {
          if (next >= tasks.length) return;
          const task = tasks[next++];
          running.set(worker, task);
          worker.postMessage({ type: 'task', task } satisfies Request<State, Task>);
        };
        for (const worker of workers) {
          const listener = (reply: Reply): void => {
            if (reply.type === 'error') return finish(rebuildError(reply));
            try {
              onTaskDone?.(running.get(worker)!);
            } catch (error) {
              return finish(error instanceof Error ? error : new Error(String(error)));
            }
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

/** The worker side: takes the state once, then runs each task sent and acks it, or sends its error back as data. */
export function serveTasks<State, Task, Scratch>(kernel: TaskKernel<State, Task, Scratch>, label: string): void {
  const port = parentPort;
  if (!port) return;
  let state: State | undefined;
  let scratch: Scratch | undefined;
  port.on('message', (request: Request<State, Task>) => {
    if (request.type === 'init') {
      state = request.state;
      scratch = kernel.scratchFor(state);
      return;
    }
    if (state === undefined || scratch === undefined) throw new Error(`${label} worker got a task before 'init'`);
    try {
      kernel.runTask(state, request.task, scratch);
      port.postMessage({ type: 'done' } satisfies Reply);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage(
        (e instanceof UserInputError
          ? { type: 'error', name: e.name, message: e.message, where: e.where, hint: e.hint }
          : { type: 'error', name: e.name, message: e.message }) satisfies Reply,
      );
    }
  });
}

function rebuildError(reply: Extract<Reply, { type: 'error' }>): Error {
  if (reply.name === 'UserInputError') return new UserInputError(reply.message, reply.where, reply.hint);
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}
