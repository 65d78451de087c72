/** How many worker threads a kernel uses: the caller's choice, validated, or one per core up to four. */
import { availableParallelism } from 'node:os';
import { UserInputError } from '../types.js';

export const MAX_THREADS = 256;

export function resolveThreadCount(threads: number | undefined): number {
  if (threads === undefined) return Math.max(1, Math.min(availableParallelism(), 4));
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new UserInputError(
      `threads must be an integer from 1 to ${MAX_THREADS} (got ${String(threads)})`,
      'threads',
      'use 1 to compute in the calling thread, or about the number of CPU cores',
    );
  }
  return threads;
}
