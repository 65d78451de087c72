/**
 * Shared by the similarity*.test.ts files: the brute force (test/support/brute-force.ts) on dense matrices, block
 * comparisons, and the fast-check generators.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import type { NeighbourBlock, SimilarityMeasure, SimilarityOptions } from '../../functions/engine/types.js';
import { rowsOf, similarityCandidates, type IndexedNeighbour } from '../support/brute-force.js';

/** Every row's candidates by the shared brute force (dense users × items, 0 = unrated). */
export function bruteForce(dense: number[][], items: number, target: 'items' | 'users', o: SimilarityOptions) {
  return similarityCandidates(rowsOf(dense, items, target), o);
}

export function rowOf(block: NeighbourBlock, row: number): IndexedNeighbour[] {
  const base = (row - block.start) * block.k;
  return Array.from({ length: block.count[row - block.start] }, (_, slot) => ({
    neighbour: block.neighbour[base + slot],
    similarity: block.similarity[base + slot],
    support: block.support[base + slot],
  }));
}

const TOLERANCE = 1e-9;

/**
 * The block equals the brute force up to float noise: same similarity sequence, each kept neighbour's own
 * similarity and support right, nothing clearly better left out (near-ties at the k-th place may go either
 * way), and the block's own order strictly (similarity desc, then index asc).
 */
export function expectMatchesBruteForce(block: NeighbourBlock, expected: IndexedNeighbour[][]): void {
  for (let row = block.start; row < block.end; row++) {
    const got = rowOf(block, row);
    const want = expected[row];
    expect(got.length, `row ${row} count`).toBe(Math.min(block.k, want.length));
    got.forEach((entry, i) => {
      expect(entry.neighbour).not.toBe(row);
      expect(Math.abs(entry.similarity - want[i].similarity), `row ${row} rank ${i}`).toBeLessThanOrEqual(TOLERANCE);
      const truth = want.find((w) => w.neighbour === entry.neighbour);
      expect(truth, `row ${row} kept ${entry.neighbour}, which is no candidate`).toBeDefined();
      expect(Math.abs(entry.similarity - truth!.similarity)).toBeLessThanOrEqual(TOLERANCE);
      expect(entry.support).toBe(truth!.support);
      const next = got[i + 1];
      if (next) {
        expect(
          entry.similarity > next.similarity ||
            (entry.similarity === next.similarity && entry.neighbour < next.neighbour),
        ).toBe(true);
      }
    });
    if (got.length > 0) {
      const boundary = want[got.length - 1].similarity;
      for (const w of want) {
        if (w.similarity > boundary + TOLERANCE) expect(got.map((g) => g.neighbour)).toContain(w.neighbour);
      }
    }
  }
}

export function expectSameBlock(actual: NeighbourBlock, expected: NeighbourBlock): void {
  expect(actual.start).toBe(expected.start);
  expect(actual.end).toBe(expected.end);
  expect(actual.k).toBe(expected.k);
  for (let row = expected.start; row < expected.end; row++) expect(rowOf(actual, row)).toEqual(rowOf(expected, row));
}

// ---------------------------------------------------------------------------------------------------------
// Generators: small matrices with empty rows/columns and few distinct values, so exact ties are common.

function matrixArbitrary(maxUsers: number, maxItems: number, values: number[]) {
  return fc
    .record({ users: fc.integer({ min: 0, max: maxUsers }), items: fc.integer({ min: 0, max: maxItems }) })
    .chain(({ users, items }) =>
      fc
        .array(fc.array(fc.constantFrom(...values), { minLength: items, maxLength: items }), {
          minLength: users,
          maxLength: users,
        })
        .map((dense) => ({ dense, items })),
    );
}

/**
 * Small, mostly filled matrices, and larger sparse ones: rows that touch few of the rows in their span take
 * the kernel's sparse accumulation path (first-touch list, candidates in non-ascending order).
 */
export const denseMatrix = fc.oneof(
  matrixArbitrary(7, 7, [0, 0, 1, 2, 3, 5, 4.5]),
  matrixArbitrary(24, 24, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 5]),
);

export const similarityOptions: fc.Arbitrary<SimilarityOptions> = fc.record({
  measure: fc.constantFrom<SimilarityMeasure>('cosine', 'adjusted-cosine', 'pearson', 'jaccard'),
  k: fc.integer({ min: 1, max: 9 }),
  shrinkage: fc.constantFrom(0, 0.5, 3),
  minSupport: fc.integer({ min: 1, max: 3 }),
  implicit: fc.boolean(),
});

export const target = fc.constantFrom<'items' | 'users'>('items', 'users');

export function matrixOf(dense: number[][], items: number) {
  return ratingMatrixFromDense(
    dense,
    dense.map((_, u) => `u${u}`),
    Array.from({ length: items }, (_, i) => `i${i}`),
  );
}

export function rowCount(dense: number[][], items: number, t: 'items' | 'users'): number {
  return t === 'items' ? items : dense.length;
}
