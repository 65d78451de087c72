// The similarity kernel on a range of rows (computeNeighbourBlock) against the brute force and by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { computeNeighbourBlock, computeNeighbours, neighbourRow } from '../../functions/engine/similarity/index.js';
import {
  bruteForce,
  rowOf,
  expectMatchesBruteForce,
  denseMatrix,
  similarityOptions,
  target,
  matrixOf,
  rowCount,
} from './similarity-helpers.js';

describe('computeNeighbourBlock', () => {
  it('matches the dense brute force for every measure, option and target', () => {
    fc.assert(
      fc.property(denseMatrix, target, similarityOptions, ({ dense, items }, t, o) => {
        const block = computeNeighbourBlock(matrixOf(dense, items), t, 0, rowCount(dense, items, t), o);
        expectMatchesBruteForce(block, bruteForce(dense, items, t, o));
      }),
      { numRuns: 400 },
    );
  });

  it('gives any [start, end) exactly the rows of the full block', () => {
    fc.assert(
      fc.property(denseMatrix, target, similarityOptions, fc.nat(), fc.nat(), ({ dense, items }, t, o, x, y) => {
        const rows = rowCount(dense, items, t);
        const start = x % (rows + 1);
        const end = start + (y % (rows - start + 1));
        const matrix = matrixOf(dense, items);
        const full = computeNeighbourBlock(matrix, t, 0, rows, o);
        const part = computeNeighbourBlock(matrix, t, start, end, o);
        expect([part.start, part.end, part.k]).toEqual([start, end, o.k]);
        for (let row = start; row < end; row++) expect(rowOf(part, row)).toEqual(rowOf(full, row));
      }),
      { numRuns: 200 },
    );
  });

  it('reproduces the seed example: user-user cosine computed by hand', () => {
    const matrix = ratingMatrixFromDense([
      [5, 3, 4, 2],
      [3, 4, 5, 1],
      [2, 1, 3, 4],
      [4, 2, 1, 5],
    ]);
    const block = computeNeighbourBlock(matrix, 'users', 0, 4, { measure: 'cosine', k: 3 });
    const squaredNorms = [
      5 * 5 + 3 * 3 + 4 * 4 + 2 * 2,
      3 * 3 + 4 * 4 + 5 * 5 + 1 * 1,
      2 * 2 + 1 * 1 + 3 * 3 + 4 * 4,
      4 * 4 + 2 * 2 + 1 * 1 + 5 * 5,
    ];
    expect(squaredNorms).toEqual([54, 51, 30, 46]);
    const s01 = (5 * 3 + 3 * 4 + 4 * 5 + 2 * 1) / (Math.sqrt(54) * Math.sqrt(51)); // 49 / 52.48 ≈ 0.9337
    const s02 = (5 * 2 + 3 * 1 + 4 * 3 + 2 * 4) / (Math.sqrt(54) * Math.sqrt(30)); // 33 / 40.25 ≈ 0.8199
    const s03 = (5 * 4 + 3 * 2 + 4 * 1 + 2 * 5) / (Math.sqrt(54) * Math.sqrt(46)); // 40 / 49.84 ≈ 0.8026
    const s12 = (3 * 2 + 4 * 1 + 5 * 3 + 1 * 4) / (Math.sqrt(51) * Math.sqrt(30)); // 29 / 39.12 ≈ 0.7414
    const s13 = (3 * 4 + 4 * 2 + 5 * 1 + 1 * 5) / (Math.sqrt(51) * Math.sqrt(46)); // 30 / 48.44 ≈ 0.6194
    const s23 = (2 * 4 + 1 * 2 + 3 * 1 + 4 * 5) / (Math.sqrt(30) * Math.sqrt(46)); // 33 / 37.15 ≈ 0.8883
    const expected = {
      u0: [
        ['u1', s01],
        ['u2', s02],
        ['u3', s03],
      ],
      u1: [
        ['u0', s01],
        ['u2', s12],
        ['u3', s13],
      ],
      u2: [
        ['u3', s23],
        ['u0', s02],
        ['u1', s12],
      ],
      u3: [
        ['u2', s23],
        ['u0', s03],
        ['u1', s13],
      ],
    } as const;
    for (const [user, neighbours] of Object.entries(expected)) {
      const got = neighbourRow(block, matrix.users.indexOf(user)!, matrix.users);
      expect(got.map((g) => g.id)).toEqual(neighbours.map(([id]) => id));
      got.forEach((g, i) => {
        expect(g.similarity).toBeCloseTo(neighbours[i][1], 12);
        expect(g.support).toBe(4);
      });
    }
    expect(s01).toBeCloseTo(0.9337, 4);
    expect(s23).toBeCloseTo(0.8883, 4);
  });

  it('computes pearson, adjusted cosine, jaccard and shrinkage on a hand example', () => {
    const matrix = ratingMatrixFromDense([
      [5, 3, 4, 2],
      [3, 4, 5, 1],
      [0, 1, 0, 4],
    ]);
    // pearson u0,u1: u0 mean 14/4 = 3.5 -> [1.5, -0.5, 0.5, -1.5]; u1 mean 13/4 = 3.25 -> [-0.25, 0.75, 1.75, -2.25]
    const pearson01 =
      (1.5 * -0.25 + -0.5 * 0.75 + 0.5 * 1.75 + -1.5 * -2.25) /
      (Math.sqrt(1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) * Math.sqrt(0.25 ** 2 + 0.75 ** 2 + 1.75 ** 2 + 2.25 ** 2));
    const pearson = computeNeighbourBlock(matrix, 'users', 0, 1, { measure: 'pearson', shrinkage: 0 });
    // u2 (mean 2.5) centred is [-1.5, 1.5] on items 1, 3; with u0: -0.5 * -1.5 + -1.5 * 1.5 < 0, so dropped
    expect(pearson.count[0]).toBe(1);
    expect(pearson.neighbour[0]).toBe(1);
    expect(pearson.similarity[0]).toBeCloseTo(pearson01, 12);
    // unset, a centred measure's shrinkage is 100: u0 and u1 share 4 items, so * 4 / (4 + 100)
    const pearsonDefault = computeNeighbourBlock(matrix, 'users', 0, 1, { measure: 'pearson' });
    expect(pearsonDefault.similarity[0]).toBeCloseTo(pearson01 * (4 / 104), 12);

    // jaccard u0,u2: |{1,3}| / |{0,1,2,3}| = 2/4; with shrinkage 2: * 2/(2+2)
    const jaccard = computeNeighbourBlock(matrix, 'users', 2, 3, { measure: 'jaccard', shrinkage: 2 });
    expect(rowOf(jaccard, 2)).toEqual([
      { neighbour: 0, similarity: (2 / 4) * (2 / 4), support: 2 },
      { neighbour: 1, similarity: (2 / 4) * (2 / 4), support: 2 },
    ]);

    // adjusted cosine, items i1 and i3 (vectors over users), centred by each user's mean:
    // u0 mean 3.5, u1 mean 3.25, u2 mean 2.5. i1 = [3-3.5, 4-3.25, 1-2.5], i3 = [2-3.5, 1-3.25, 4-2.5]
    const i1 = [3 - 3.5, 4 - 3.25, 1 - 2.5];
    const i3 = [2 - 3.5, 1 - 3.25, 4 - 2.5];
    const i0 = [5 - 3.5, 3 - 3.25];
    const i2 = [4 - 3.5, 5 - 3.25];
    const dot = (p: number[], q: number[]) => p.reduce((s, v, i) => s + v * (q[i] ?? 0), 0);
    const len = (p: number[]) => Math.sqrt(dot(p, p));
    const adjusted = computeNeighbourBlock(matrix, 'items', 0, 4, { measure: 'adjusted-cosine', shrinkage: 0 });
    const row0 = neighbourRow(adjusted, 0, matrix.items);
    // i0 = [1.5, -0.25, -], i2 = [0.5, 1.75, -]: 0.75 - 0.4375 > 0
    expect(row0.find((n) => n.id === 'i2')?.similarity).toBeCloseTo(dot(i0, i2) / (len(i0) * len(i2)), 12);
    // unset shrinkage is 100 here too: i0 and i2 share 2 users, so * 2 / (2 + 100)
    const adjustedDefault = neighbourRow(
      computeNeighbourBlock(matrix, 'items', 0, 1, { measure: 'adjusted-cosine' }),
      0,
      matrix.items,
    );
    expect(adjustedDefault.find((n) => n.id === 'i2')?.similarity).toBeCloseTo(
      (dot(i0, i2) / (len(i0) * len(i2))) * (2 / 102),
      12,
    );
    expect(dot(i1, i3)).toBeLessThan(0);
    expect(neighbourRow(adjusted, 1, matrix.items).map((n) => n.id)).not.toContain('i3');
  });

  it('breaks exact ties at the k-th place by the smaller neighbour index, whatever order candidates arrive in', async () => {
    // u0 rates A and B; u25, u30 rate only A; u10, u20 only B: all four have similarity exactly 1/sqrt(2) with
    // u0, and reach u0's heap in column order 25, 30, 10, 20. The best two by (sim desc, index asc) are 10, 20.
    const dense = Array.from({ length: 31 }, () => [0, 0]);
    dense[0] = [1, 1];
    for (const u of [25, 30]) dense[u] = [1, 0];
    for (const u of [10, 20]) dense[u] = [0, 1];
    const matrix = matrixOf(dense, 2);
    const expected = [10, 20].map((neighbour) => ({ neighbour, similarity: 1 / Math.sqrt(2), support: 1 }));
    expect(rowOf(computeNeighbourBlock(matrix, 'users', 0, 1, { k: 2 }), 0)).toEqual(expected);
    expect(rowOf(await computeNeighbours(matrix, 'users', { k: 2 }, { threads: 1 }), 0)).toEqual(expected);
    // and for u10 the candidates u0 and u20 tie at 1/sqrt(2) vs 1: u20 first, then u0
    expect(rowOf(computeNeighbourBlock(matrix, 'users', 10, 11, { k: 1 }), 10)).toEqual([
      { neighbour: 20, similarity: 1, support: 1 },
    ]);
  });

  it('finds no neighbours for empty or zero-norm rows and never lists a row as its own neighbour', () => {
    const matrix = ratingMatrixFromDense([
      [3, 3, 0],
      [3, 3, 0],
      [0, 0, 0],
    ]);
    // pearson: constant rows centre to 0 -> no neighbours at all; cosine: u0 and u1 are identical (sim 1)
    const pearson = computeNeighbourBlock(matrix, 'users', 0, 3, { measure: 'pearson' });
    expect([...pearson.count]).toEqual([0, 0, 0]);
    const cosine = computeNeighbourBlock(matrix, 'users', 0, 3, { measure: 'cosine' });
    expect(rowOf(cosine, 0)).toEqual([{ neighbour: 1, similarity: expect.closeTo(1, 12), support: 2 }]);
    expect(rowOf(cosine, 2)).toEqual([]);
  });

  it('rejects a row range outside the matrix', () => {
    const matrix = ratingMatrixFromDense([[1, 2]]);
    expect(() => computeNeighbourBlock(matrix, 'items', 1, 3)).toThrow(RangeError);
    expect(() => computeNeighbourBlock(matrix, 'items', 2, 1)).toThrow(RangeError);
    expect(() => computeNeighbourBlock(matrix, 'users', 0, 1.5)).toThrow(RangeError);
  });
});
