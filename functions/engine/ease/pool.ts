/**
 * Where exact EASE's tasks run: the shared task pool (engine/shared/task-pool.ts) with this kernel's tasks, in this
 * thread or on workers started from worker.ts next to this file (through tsx under vitest and the CLI), or from
 * BUNDLED_EASE_WORKER_FILE next to a bundle; with neither, the work runs in this thread.
 */
import { runTask, scratchFor, type EaseState, type EaseTask } from './tasks.js';
import { workerScript as sharedWorkerScript } from '../shared/worker-script.js';
import * as pool from '../shared/task-pool.js';

export type EaseExecutor = pool.TaskExecutor<EaseState, EaseTask>;

/** The build Lambda's bundle ships the worker, bundled on its own, as this file beside itself (infra/constructs). */
export const BUNDLED_EASE_WORKER_FILE = 'ease-worker.mjs';

export const EASE_KERNEL: pool.TaskKernel<EaseState, EaseTask, Float64Array> = {
  runTask,
  scratchFor: (state) => scratchFor(state.n),
};

export const inThreadExecutor = (): EaseExecutor => pool.inThreadExecutor(EASE_KERNEL);

/** Worker threads, or undefined where no worker script can be found (then run in this thread). */
export function workerExecutor(threads: number): EaseExecutor | undefined {
  const script = sharedWorkerScript(import.meta.url, BUNDLED_EASE_WORKER_FILE);
  return script && pool.workerExecutor(script, threads, 'EASE');
}
