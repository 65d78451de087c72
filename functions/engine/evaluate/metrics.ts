/**
 * Top-k ranking metrics. Each takes a ranked list (best first) and the set of relevant (held-out) ids.
 * Conventions shared by all:
 * - ranks are 1-based; "the top k" is the first k entries (fewer when the list is shorter);
 * - a repeated id counts only at its first rank (recommenders never repeat, but the metric stays honest);
 * - an empty relevant set scores 0 (nothing can be found);
 * - k must be a positive integer (UserInputError otherwise).
 */
import { UserInputError } from '../types.js';

/** Ranks (1-based, ascending) of the relevant ids among the first `depth` entries, each id once. */
function relevantRanks<T>(ranked: readonly T[], relevant: ReadonlySet<T>, depth: number): number[] {
  const ranks: number[] = [];
  const found = new Set<T>();
  const end = Math.min(depth, ranked.length);
  for (let i = 0; i < end; i++) {
    const id = ranked[i];
    if (relevant.has(id) && !found.has(id)) {
      found.add(id);
      ranks.push(i + 1);
    }
  }
  return ranks;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new UserInputError(
      `k must be a positive integer, got ${String(k)}`,
      'k',
      'use e.g. k = 10 (the length of the recommendation list)',
    );
  }
}

/** Precision@k = |relevant ∩ top k| / k. Divides by k even when the list is shorter (a short list is not rewarded). */
export function precisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  return relevantRanks(ranked, relevant, k).length / k;
}

/** Recall@k = |relevant ∩ top k| / |relevant|. */
export function recallAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  return relevantRanks(ranked, relevant, k).length / relevant.size;
}

/**
 * nDCG@k with binary gain: DCG = Σ_{relevant ranks r ≤ k} 1 / log2(r + 1);
 * IDCG = Σ_{r = 1}^{min(|relevant|, k)} 1 / log2(r + 1); nDCG = DCG / IDCG.
 */
export function ndcgAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let dcg = 0;
  for (const r of relevantRanks(ranked, relevant, k)) dcg += 1 / Math.log2(r + 1);
  let ideal = 0;
  for (let r = 1; r <= Math.min(relevant.size, k); r++) ideal += 1 / Math.log2(r + 1);
  return dcg / ideal;
}

/**
 * Average precision@k (its mean over users is MAP@k):
 * AP@k = Σ_{relevant ranks r ≤ k} Precision@r / min(|relevant|, k),
 * where Precision@r = (relevant ids within the first r) / r.
 */
export function averagePrecisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let sum = 0;
  relevantRanks(ranked, relevant, k).forEach((r, index) => {
    sum += (index + 1) / r;
  });
  return sum / Math.min(relevant.size, k);
}

/** HitRate@k = 1 when at least one relevant id is in the top k, else 0. */
export function hitRateAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  return relevantRanks(ranked, relevant, k).length > 0 ? 1 : 0;
}

/** Reciprocal rank = 1 / (rank of the first relevant id) over the whole list; 0 when none is relevant (MRR = its mean). */
export function reciprocalRank<T>(ranked: readonly T[], relevant: ReadonlySet<T>): number {
  for (let i = 0; i < ranked.length; i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}

/** Catalogue coverage = |distinct ids over all lists| / catalogueSize (0 for an empty catalogue). */
export function catalogueCoverage<T>(lists: Iterable<Iterable<T>>, catalogueSize: number): number {
  if (!Number.isFinite(catalogueSize) || catalogueSize < 0) {
    throw new UserInputError(`catalogue size must be a number >= 0, got ${String(catalogueSize)}`, 'catalogueSize');
  }
  if (catalogueSize === 0) return 0;
  const distinct = new Set<T>();
  for (const list of lists) for (const id of list) distinct.add(id);
  return distinct.size / catalogueSize;
}
