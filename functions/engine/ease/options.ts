/**
 * EASE's options and the size it refuses. The dense Gram takes 8·n² bytes for n items and is reused in place for
 * the Cholesky factor and the inverse; beside it: 8·n for P's diagonal, 8·INVERSE_BLOCK·n of scratch per thread,
 * and the output rows (12·K bytes per item).
 *
 * Safety properties (tests in test/engine/ease-options.test.ts):
 * - λ must be finite and > 0, K an integer from 1 to MAX_K, the memory positive: else a UserInputError;
 * - n above maxEaseItems(maxBytes) is refused before anything is allocated;
 * - a row range outside [0, n] or reversed is refused.
 */
import { MAX_K } from '../model-config.js';
import { UserInputError } from '../types.js';

export interface EaseOptions {
  /** Ridge strength λ added to the Gram's diagonal; finite, > 0. */
  lambda: number;
  /** Entries kept per item row, by |weight|; 1 to MAX_K. */
  k: number;
  /** Bytes the dense Gram (8·n²) may take; default DEFAULT_EASE_MAX_BYTES. */
  maxBytes?: number;
}

/** 4 GiB: 23,170 items. A 10 GB build Lambda would pass about 8 GiB (32,768 items). */
export const DEFAULT_EASE_MAX_BYTES = 4 * 2 ** 30;

/** The largest item count whose dense Gram (8·n² bytes) fits in `maxBytes`. */
export function maxEaseItems(maxBytes: number = DEFAULT_EASE_MAX_BYTES): number {
  return Math.floor(Math.sqrt(maxBytes / 8));
}

export interface ResolvedEaseOptions {
  lambda: number;
  k: number;
  maxBytes: number;
}

/** λ and K, the options exact and approximate EASE share: a UserInputError naming the option when out of range. */
export function checkLambdaAndK(lambda: unknown, k: unknown): void {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda <= 0) {
    throw new UserInputError(
      `EASE lambda must be a finite number above 0 (got ${String(lambda)})`,
      'lambda',
      'EASE usually wants a λ in the hundreds for ratings, tens for implicit data',
    );
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new UserInputError(`EASE k must be an integer from 1 to ${MAX_K} (got ${String(k)})`, 'k', 'try 200');
  }
}

export function resolveEaseOptions(options: EaseOptions, items: number): ResolvedEaseOptions {
  const { lambda, k, maxBytes = DEFAULT_EASE_MAX_BYTES } = options;
  checkLambdaAndK(lambda, k);
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes) || maxBytes <= 0) {
    throw new UserInputError(
      `EASE maxBytes must be a finite number of bytes above 0 (got ${String(maxBytes)})`,
      'maxBytes',
      'give the memory the dense Gram may take, 8·n² bytes for n items',
    );
  }
  const limit = maxEaseItems(maxBytes);
  if (items > limit) {
    throw new UserInputError(
      `exact EASE needs ${formatBytes(8 * items * items)} for ${items} items, above the ${formatBytes(maxBytes)} ` +
        `allowed (at most ${limit} items)`,
      'items',
      'use an item-based model, or an approximate EASE, for catalogues this large',
    );
  }
  return { lambda, k, maxBytes };
}

export function resolveRowRange(range: { start?: number; end?: number } | undefined, items: number) {
  const start = range?.start ?? 0;
  const end = range?.end ?? items;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > items || start > end) {
    throw new UserInputError(
      `EASE row range [${String(start)}, ${String(end)}) is not within [0, ${items}]`,
      'rows',
      'give integers with 0 <= start <= end <= the number of items',
    );
  }
  return { start, end };
}

function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
