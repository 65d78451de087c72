/**
 * Keeping a list varied: per-category / per-series caps, and MMR re-ranking.
 *
 * Caps (`maxPerCategory`, `maxPerSeries`): greedy in the input (score) order: an item is kept unless one of its
 * categories, or its series, already has that many kept items; a kept item counts toward each of its categories.
 * Items without categories / series (or without a catalogue entry) are never capped.
 *
 * MMR (maximal marginal relevance), `diversity` d in [0, 1], λ = 1 − d: repeatedly pick the candidate maximising
 *   λ·rel(i) − (1 − λ)·max_{j picked} sim(i, j),   rel(i) = score(i) / max |score| over the candidates
 * (relevance scaled to [−1, 1] so that it is commensurate with a similarity in [0, 1]; max over no picks = 0).
 * d = 0 keeps the score order. `similarity` is a function, so content similarity can be plugged in.
 *
 * Safety properties (test/engine/filters-diversity.test.ts): no category / series exceeds its cap; MMR equals a
 * brute-force MMR; both are deterministic (ties go to the earlier candidate in the input order, which is score
 * order with ids breaking ties); bad caps or diversity are UserInputErrors.
 */
import { UserInputError } from '../types.js';
import type { CatalogueLookup } from './apply.js';

export interface DiversityCaps {
  maxPerCategory?: number;
  maxPerSeries?: number;
}

function checkCap(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1))
    throw new UserInputError(`${name} must be a whole number of 1 or more (got ${value})`, name);
}

/** Counts kept items per category and series; `admit` keeps an item (and counts it) when no cap is reached. */
export class GroupCaps {
  private readonly perCategory = new Map<string, number>();
  private readonly perSeries = new Map<string, number>();

  constructor(
    private readonly caps: DiversityCaps,
    private readonly catalogue: CatalogueLookup,
  ) {
    checkCap(caps.maxPerCategory, 'maxPerCategory');
    checkCap(caps.maxPerSeries, 'maxPerSeries');
  }

  get active(): boolean {
    return this.caps.maxPerCategory !== undefined || this.caps.maxPerSeries !== undefined;
  }

  /** Whether the item fits under the caps; if it does, it is counted as kept. */
  admit(item: string): boolean {
    if (!this.active) return true;
    const entry = this.catalogue(item);
    const categories = this.caps.maxPerCategory === undefined ? [] : [...new Set(entry?.categories ?? [])];
    const series = this.caps.maxPerSeries === undefined ? undefined : entry?.series;
    if (categories.some((c) => (this.perCategory.get(c) ?? 0) >= this.caps.maxPerCategory!)) return false;
    if (series !== undefined && (this.perSeries.get(series) ?? 0) >= this.caps.maxPerSeries!) return false;
    for (const c of categories) this.perCategory.set(c, (this.perCategory.get(c) ?? 0) + 1);
    if (series !== undefined) this.perSeries.set(series, (this.perSeries.get(series) ?? 0) + 1);
    return true;
  }
}

/** The first `limit` items (in input order) that fit under the caps. */
export function applyCaps<T extends { item: string }>(
  items: readonly T[],
  caps: DiversityCaps,
  catalogue: CatalogueLookup,
  limit = items.length,
): T[] {
  const groups = new GroupCaps(caps, catalogue);
  const kept: T[] = [];
  for (const candidate of items) {
    if (kept.length >= limit) break;
    if (groups.admit(candidate.item)) kept.push(candidate);
  }
  return kept;
}

export type ItemSimilarity = (a: string, b: string) => number;

/** `diversity` must be a number in [0, 1]. */
export function checkDiversity(diversity: number): void {
  if (!(diversity >= 0 && diversity <= 1))
    throw new UserInputError(`diversity must be a number from 0 to 1 (got ${diversity})`, 'diversity');
}

/**
 * MMR re-ranking of `candidates` (best first, as scored) into `limit` items. O(limit × candidates) similarity calls:
 * each candidate's max similarity to the picked ones is updated once per pick.
 */
export function mmrRerank<T extends { item: string; score: number }>(
  candidates: readonly T[],
  limit: number,
  diversity: number,
  similarity: ItemSimilarity,
): T[] {
  checkDiversity(diversity);
  const result: T[] = [];
  if (limit <= 0) return result;
  for (const picked of mmrOrder(candidates, diversity, similarity)) {
    result.push(picked);
    if (result.length >= limit) break;
  }
  return result;
}

/**
 * The MMR order of all `candidates`, one pick at a time, so that a caller can stop when it has what it needs
 * (arrange.ts stops once the caps admitted `limit` items); its first k picks are mmrRerank(candidates, k, …).
 */
export function* mmrOrder<T extends { item: string; score: number }>(
  candidates: readonly T[],
  diversity: number,
  similarity: ItemSimilarity,
): Generator<T, void, undefined> {
  checkDiversity(diversity);
  if (diversity === 0) {
    yield* candidates;
    return;
  }
  const lambda = 1 - diversity;
  let scale = 0;
  for (const c of candidates) scale = Math.max(scale, Math.abs(c.score));
  const relevance = candidates.map((c) => (scale > 0 ? c.score / scale : 0));
  const maxSimilarity = new Float64Array(candidates.length).fill(-Infinity);
  const picked = new Uint8Array(candidates.length);
  for (let count = 0; count < candidates.length; count++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      if (picked[i]) continue;
      const value = lambda * relevance[i] - (1 - lambda) * (count === 0 ? 0 : maxSimilarity[i]);
      if (value > bestValue) [best, bestValue] = [i, value]; // strict: ties keep the earlier candidate
    }
    picked[best] = 1;
    yield candidates[best];
    for (let i = 0; i < candidates.length; i++) {
      if (picked[i]) continue;
      const s = similarity(candidates[i].item, candidates[best].item);
      if (!Number.isFinite(s))
        throw new RangeError(`similarity(${candidates[i].item}, ${candidates[best].item}) is ${s}`);
      if (s > maxSimilarity[i]) maxSimilarity[i] = s;
    }
  }
}
