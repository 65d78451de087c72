/**
 * Where the approximate EASE's tasks run: the shared task pool (engine/shared/task-pool.ts) with this kernel's
 * tasks, in this thread or on workers started from worker.ts next to this file (through tsx under vitest and the
 * CLI), or from BUNDLED_APPROXIMATE_EASE_WORKER_FILE next to a bundle; with neither, in this thread.
 */
import { runTask, scratchFor, type ApproximateScratch, type ApproximateState, type ApproximateTask } from './tasks.js';
import { workerScript as sharedWorkerScript } from '../../shared/worker-script.js';
import * as pool from '../../shared/task-pool.js';

export type ApproximateExecutor = pool.TaskExecutor<ApproximateState, ApproximateTask>;

/** The build Lambda's bundle ships the worker, bundled on its own, as this file beside itself (infra/constructs). */
export const BUNDLED_APPROXIMATE_EASE_WORKER_FILE = 'ease-approximate-worker.mjs';

export const APPROXIMATE_KERNEL: pool.TaskKernel<ApproximateState, ApproximateTask, ApproximateScratch> = {
  runTask,
  scratchFor,
};

export const inThreadExecutor = (): ApproximateExecutor => pool.inThreadExecutor(APPROXIMATE_KERNEL);

/** Worker threads, or undefined where no worker script can be found (then run in this thread). */
export function workerExecutor(threads: number): ApproximateExecutor | undefined {
  const script = sharedWorkerScript(import.meta.url, BUNDLED_APPROXIMATE_EASE_WORKER_FILE);
  return script && pool.workerExecutor(script, threads, 'approximate EASE');
}
