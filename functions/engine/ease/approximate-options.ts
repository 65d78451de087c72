/**
 * Options of the approximate EASE (approximate.ts) and the memory it refuses. Memory is linear in the items n:
 * the pruned Gram (12·P bytes per item: index + value), the per-item columns of B and their transpose
 * (2·12·M bytes per item), the output rows (12·K) and per thread an M×M Cholesky scratch plus O(n) markers.
 *
 * Safety properties (tests in test/engine/ease-approximate.test.ts):
 * - λ must be finite and > 0, K an integer from 1 to MAX_K, M and P integers from 1 to the limits below, P >= M,
 *   the selection one of its names, the memory positive: else a UserInputError;
 * - a run whose estimated memory is above maxBytes is refused before anything is allocated.
 */
import { UserInputError } from '../types.js';
import { checkLambdaAndK, DEFAULT_EASE_MAX_BYTES } from './options.js';

/** How an item's neighbourhood (and each pruned Gram row) is chosen, by |score| of item j for item i. */
export type NeighbourSelection = 'cosine' | 'gram';

export interface ApproximateEaseOptions {
  /** Ridge strength λ, as in exact EASE; finite, > 0. */
  lambda: number;
  /** Entries kept per item row, by |weight|; 1 to MAX_K. */
  k: number;
  /** M: the items each item is regressed on; default DEFAULT_NEIGHBOURHOOD. M >= n − 1 gives exact EASE. */
  neighbourhood?: number;
  /** P: Gram entries kept per item (the lookups of G_SS); default GRAM_ENTRIES_PER_NEIGHBOUR·M, >= M. */
  gramEntries?: number;
  /**
   * 'cosine' (default): |G_ij| / √(G_ii·G_jj); 'gram': |G_ij| (value-weighted co-occurrence), which favours
   * popular items. See bench/ease-approx.ts for the measured difference.
   */
  selection?: NeighbourSelection;
  /** Bytes the run may take (estimate, see estimateApproximateBytes); default DEFAULT_EASE_MAX_BYTES. */
  maxBytes?: number;
}

/** Default M, from bench/ease-approx.ts (NDCG@10 vs time at 3k and 30k items). */
export const DEFAULT_NEIGHBOURHOOD = 200;
/** Default P = this × M (capped at n − 1), from the same measurement. */
export const GRAM_ENTRIES_PER_NEIGHBOUR = 4;
/** The Cholesky per item costs M³/6 multiply-adds: 2,000 already takes ~1 s per item. */
export const MAX_NEIGHBOURHOOD = 2000;
export const MAX_GRAM_ENTRIES = 20000;

export interface ResolvedApproximateOptions {
  lambda: number;
  k: number;
  /** Effective M and P: capped at n − 1 (an item has no more neighbours), at least 1. */
  m: number;
  p: number;
  selection: NeighbourSelection;
  maxBytes: number;
}

export function resolveApproximateOptions(
  options: ApproximateEaseOptions,
  items: number,
  threads: number,
): ResolvedApproximateOptions {
  const { lambda, k, selection = 'cosine', maxBytes = DEFAULT_EASE_MAX_BYTES } = options;
  checkLambdaAndK(lambda, k);
  const neighbourhood = options.neighbourhood ?? DEFAULT_NEIGHBOURHOOD;
  if (!Number.isInteger(neighbourhood) || neighbourhood < 1 || neighbourhood > MAX_NEIGHBOURHOOD) {
    throw new UserInputError(
      `approximate EASE neighbourhood must be an integer from 1 to ${MAX_NEIGHBOURHOOD} (got ${String(neighbourhood)})`,
      'neighbourhood',
      `the items each item is regressed on; ${DEFAULT_NEIGHBOURHOOD} is the measured default`,
    );
  }
  const gramEntries = options.gramEntries ?? GRAM_ENTRIES_PER_NEIGHBOUR * neighbourhood;
  if (!Number.isInteger(gramEntries) || gramEntries < neighbourhood || gramEntries > MAX_GRAM_ENTRIES) {
    throw new UserInputError(
      `approximate EASE gramEntries must be an integer from the neighbourhood (${neighbourhood}) to ` +
        `${MAX_GRAM_ENTRIES} (got ${String(gramEntries)})`,
      'gramEntries',
      `the Gram entries kept per item; default ${GRAM_ENTRIES_PER_NEIGHBOUR} × the neighbourhood`,
    );
  }
  if (selection !== 'cosine' && selection !== 'gram') {
    throw new UserInputError(
      `approximate EASE selection must be 'cosine' or 'gram' (got ${String(selection)})`,
      'selection',
      "use 'cosine' (the default)",
    );
  }
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes) || maxBytes <= 0) {
    throw new UserInputError(
      `EASE maxBytes must be a finite number of bytes above 0 (got ${String(maxBytes)})`,
      'maxBytes',
      'give the memory the approximate EASE may take',
    );
  }
  const m = Math.max(1, Math.min(neighbourhood, items - 1));
  const p = Math.max(1, Math.min(gramEntries, items - 1));
  const bytes = estimateApproximateBytes(items, m, p, k, threads);
  if (bytes > maxBytes) {
    throw new UserInputError(
      `approximate EASE needs about ${formatBytes(bytes)} for ${items} items (neighbourhood ${m}, ` +
        `gramEntries ${p}, k ${k}, ${threads} thread(s)), above the ${formatBytes(maxBytes)} allowed`,
      'maxBytes',
      'lower the neighbourhood or gramEntries, or allow more memory',
    );
  }
  return { lambda, k, m, p, selection, maxBytes };
}

/** The arrays the run allocates, in bytes (the rating matrix itself not included). */
export function estimateApproximateBytes(items: number, m: number, p: number, k: number, threads: number): number {
  const perItem = 12 * p + 2 * 12 * m + 12 * k + 8 + 4 + 4 + 4;
  const perThread = 8 * m * m + 8 * 2 * m + 4 * m + items * (8 + 4 + 4 + 4);
  return items * perItem + threads * perThread;
}

function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
