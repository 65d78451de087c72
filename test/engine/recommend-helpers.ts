/**
 * Shared by the recommend*.test.ts files: the independent dense brute force (test/support/brute-force.ts) on their
 * matrices and ids (cosine top-k), a result comparison, and the fast-check generators.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { isContribution } from '../../functions/engine/recommend/index.js';
import type {
  Contribution,
  Explanation,
  HistoryEntry,
  Neighbour,
  NeighbourBlock,
  PopularItem,
  RecommendationResult,
  RecommendOptions,
} from '../../functions/engine/types.js';
import {
  cosineTopK,
  historyOf,
  itemBasedResult,
  neighbourBlock,
  neighbourLists,
  popularity,
  userBasedResult,
  type DenseRatings,
} from '../support/brute-force.js';

export type Dense = number[][];

/** Ids whose string order is the reverse of their index order, so "ties by id" cannot pass by accident. */
export const itemId = (index: number): string => `${String.fromCharCode(122 - index)}${index}`;
export const userId = (index: number): string => `${String.fromCharCode(90 - index)}u${index}`;

const ratingsOf = (dense: Dense): DenseRatings => ({
  values: dense,
  userIds: dense.map((_, u) => userId(u)),
  itemIds: (dense[0] ?? []).map((_, c) => itemId(c)),
});

export function column(dense: Dense, c: number): number[] {
  return dense.map((row) => row[c]);
}

/** Top-k neighbours of row vectors by id (similarity desc, index asc; only sim > 1e-12, never self). */
export function bruteNeighbours(vectors: number[][], k: number, ids: (i: number) => string): Neighbour[][] {
  return neighbourLists(
    vectors,
    cosineTopK(k),
    vectors.map((_, i) => ids(i)),
  );
}

/** The same top-k lists in the similarity module's flat block layout. */
export function bruteBlock(vectors: number[][], k: number): NeighbourBlock {
  return neighbourBlock(vectors, cosineTopK(k));
}

export function brutePopularity(dense: Dense): PopularItem[] {
  return popularity(ratingsOf(dense));
}

export function bruteItemBased(
  dense: Dense,
  k: number,
  history: HistoryEntry[],
  options: RecommendOptions,
): RecommendationResult {
  return itemBasedResult(ratingsOf(dense), cosineTopK(k), history, options);
}

export function itemIndexOf(id: string, nItems: number): number {
  for (let c = 0; c < nItems; c++) if (itemId(c) === id) return c;
  return -1;
}

export function denseHistory(dense: Dense, u: number): HistoryEntry[] {
  return historyOf(ratingsOf(dense), u);
}

export function bruteUserBased(dense: Dense, k: number, u: number, options: RecommendOptions): RecommendationResult {
  return userBasedResult(ratingsOf(dense), cosineTopK(k), u, options);
}

/** A CF item's explanation: contributions only (a `popular` entry there would be a bug). */
export function contributions(because: Explanation[]): Contribution[] {
  expect(because.filter((c) => c.kind === 'popular')).toEqual([]);
  return because as Contribution[];
}

export function expectSameResult(actual: RecommendationResult, expected: RecommendationResult): void {
  expect(actual.algorithm).toBe(expected.algorithm);
  expect(actual.fallback).toEqual(expected.fallback);
  expect(actual.items.map((r) => r.item)).toEqual(expected.items.map((r) => r.item));
  actual.items.forEach((r, p) => {
    expect(r.score).toBeCloseTo(expected.items[p].score, 9);
    const ids = (because: Explanation[]) =>
      because.map((c) =>
        c.kind === 'popular'
          ? c.interactions
          : c.kind === 'backfill'
            ? c.value
            : c.kind === 'trending'
              ? c.score
              : c.id,
      );
    expect(ids(r.because)).toEqual(ids(expected.items[p].because));
    r.because.forEach((c, q) => {
      const want = expected.items[p].because[q];
      expect(c.kind).toBe(want.kind);
      if (!isContribution(c) || !isContribution(want)) return void expect(c).toEqual(want);
      expect(c.similarity).toBeCloseTo(want.similarity, 9);
      expect(c.value).toBe(want.value);
      expect(c.contribution).toBeCloseTo(want.contribution, 9);
      expect(c.share).toBeCloseTo(want.share, 9);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------------

export const denseArb = (values: number[]) =>
  fc
    .record({ users: fc.integer({ min: 1, max: 6 }), items: fc.integer({ min: 1, max: 7 }) })
    .chain(({ users, items }) =>
      fc.array(fc.array(fc.constantFrom(...values), { minLength: items, maxLength: items }), {
        minLength: users,
        maxLength: users,
      }),
    );

/** Ratings 1..5 with gaps, or implicit 0/1 (many exact ties). */
export const anyDense = fc.oneof(denseArb([0, 0, 1, 2, 3, 4, 5]), denseArb([0, 1]));

export const optionsArb = (nItems: number) => {
  const ids = Array.from({ length: nItems }, (_, c) => itemId(c));
  return fc.record({
    limit: fc.integer({ min: 1, max: nItems + 1 }),
    excludeSeen: fc.boolean(),
    normalise: fc.boolean(),
    explainTop: fc.integer({ min: 0, max: 6 }),
    exclude: fc.option(fc.subarray(ids), { nil: undefined }),
    allow: fc.option(fc.subarray(ids), { nil: undefined }),
  });
};

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
