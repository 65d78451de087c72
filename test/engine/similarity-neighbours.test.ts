// Neighbours of every row, on one thread or several (computeNeighbours), and a block row by id (neighbourRow).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import {
  computeNeighbourBlock,
  computeNeighbours,
  neighbourRow,
  prestartWorkers,
  resolveSimilarityOptions,
} from '../../functions/engine/similarity/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, UserInputError } from '../../functions/engine/types.js';
import {
  bruteForce,
  expectMatchesBruteForce,
  expectSameBlock,
  denseMatrix,
  similarityOptions,
  target,
  matrixOf,
  rowCount,
} from './similarity-helpers.js';

describe('computeNeighbours', () => {
  it('equals the range kernel over all rows (one thread)', async () => {
    await fc.assert(
      fc.asyncProperty(denseMatrix, target, similarityOptions, async ({ dense, items }, t, o) => {
        const matrix = matrixOf(dense, items);
        const all = await computeNeighbours(matrix, t, o, { threads: 1 });
        expectSameBlock(all, computeNeighbourBlock(matrix, t, 0, rowCount(dense, items, t), o));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result on 2 worker threads as on 1, and reports progress', async () => {
    // Worker start-up costs ~0.3 s each, so few but larger matrices here.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom(0, 0, 0, 1, 2, 4, 5), { minLength: 30, maxLength: 30 }), {
          minLength: 25,
          maxLength: 40,
        }),
        target,
        similarityOptions,
        async (dense, t, o) => {
          const matrix = matrixOf(dense, 30);
          const progress: number[] = [];
          const threaded = await computeNeighbours(matrix, t, o, {
            threads: 2,
            onProgress: (done, total) => progress.push(done, total),
          });
          expectSameBlock(threaded, await computeNeighbours(matrix, t, o, { threads: 1 }));
          const rows = rowCount(dense, 30, t);
          expect(progress.at(-2)).toBe(rows);
          expect(progress.at(-1)).toBe(rows);
          for (let i = 2; i < progress.length; i += 2) expect(progress[i]).toBeGreaterThan(progress[i - 2]);
        },
      ),
      { numRuns: 3 },
    );
  });

  it('matches the brute force on a larger matrix, on workers', async () => {
    const dense = Array.from({ length: 60 }, (_, u) =>
      Array.from({ length: 24 }, (_, i) => ((u * 7 + i * 13) % 11 < 5 ? ((u + i) % 5) + 1 : 0)),
    );
    const o = resolveSimilarityOptions({ measure: 'adjusted-cosine', k: 5, shrinkage: 1, minSupport: 2 });
    expectMatchesBruteForce(
      await computeNeighbours(matrixOf(dense, 24), 'items', o, { threads: 2 }),
      bruteForce(dense, 24, 'items', o),
    );
  });

  it('gives the same result on workers started ahead of time (during a parse)', async () => {
    const dense = Array.from({ length: 40 }, (_, u) =>
      Array.from({ length: 20 }, (_, i) => ((u * 5 + i * 3) % 7 < 3 ? ((u * i) % 5) + 1 : 0)),
    );
    const o = resolveSimilarityOptions({ measure: 'cosine', k: 4 });
    prestartWorkers(2);
    expectMatchesBruteForce(
      await computeNeighbours(matrixOf(dense, 20), 'items', o, { threads: 2 }),
      bruteForce(dense, 20, 'items', o),
    );
  });

  it('handles an empty matrix and uses default options', async () => {
    const empty = await computeNeighbours(ratingMatrixFromDense([]), 'items', undefined, { threads: 2 });
    expect([empty.start, empty.end, empty.k, empty.count.length]).toEqual([0, 0, DEFAULT_SIMILARITY_OPTIONS.k, 0]);
  });

  it('rejects a bad thread count with a UserInputError', async () => {
    const matrix = ratingMatrixFromDense([[1]]);
    await expect(computeNeighbours(matrix, 'items', {}, { threads: 0 })).rejects.toThrow(/threads must be an integer/);
    await expect(computeNeighbours(matrix, 'items', {}, { threads: 1.5 })).rejects.toBeInstanceOf(UserInputError);
  });
});

describe('neighbourRow', () => {
  it('maps a block row to external ids, best first, and rejects rows outside the block', () => {
    const matrix = ratingMatrixFromDense(
      [
        [1, 1, 0],
        [1, 1, 1],
      ],
      ['alice', 'bob'],
      ['x', 'y', 'z'],
    );
    const block = computeNeighbourBlock(matrix, 'items', 1, 3, { measure: 'jaccard' });
    // y = {alice, bob}: x = {alice, bob} -> 2/2, z = {bob} -> 1/2
    expect(neighbourRow(block, 1, matrix.items)).toEqual([
      { id: 'x', similarity: 1, support: 2 },
      { id: 'z', similarity: 0.5, support: 1 },
    ]);
    expect(() => neighbourRow(block, 0, matrix.items)).toThrow(RangeError);
    expect(() => neighbourRow(block, 3, matrix.items)).toThrow(RangeError);
  });
});
