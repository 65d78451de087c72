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
import {
  DEFAULT_SIMILARITY_OPTIONS,
  UserInputError,
  type NeighbourBlock,
  type SimilarityMeasure,
  type SimilarityOptions,
} from '../../functions/engine/types.js';
import { rowsOf, similarityCandidates, type IndexedNeighbour } from '../support/brute-force.js';

/** Every row's candidates by the shared brute force (dense users × items, 0 = unrated). */
function bruteForce(dense: number[][], items: number, target: 'items' | 'users', o: SimilarityOptions) {
  return similarityCandidates(rowsOf(dense, items, target), o);
}

function rowOf(block: NeighbourBlock, row: number): IndexedNeighbour[] {
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
function expectMatchesBruteForce(block: NeighbourBlock, expected: IndexedNeighbour[][]): void {
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

function expectSameBlock(actual: NeighbourBlock, expected: NeighbourBlock): void {
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
const denseMatrix = fc.oneof(
  matrixArbitrary(7, 7, [0, 0, 1, 2, 3, 5, 4.5]),
  matrixArbitrary(24, 24, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 5]),
);

const similarityOptions: fc.Arbitrary<SimilarityOptions> = fc.record({
  measure: fc.constantFrom<SimilarityMeasure>('cosine', 'adjusted-cosine', 'pearson', 'jaccard'),
  k: fc.integer({ min: 1, max: 9 }),
  shrinkage: fc.constantFrom(0, 0.5, 3),
  minSupport: fc.integer({ min: 1, max: 3 }),
  implicit: fc.boolean(),
});

const target = fc.constantFrom<'items' | 'users'>('items', 'users');

function matrixOf(dense: number[][], items: number) {
  return ratingMatrixFromDense(
    dense,
    dense.map((_, u) => `u${u}`),
    Array.from({ length: items }, (_, i) => `i${i}`),
  );
}

function rowCount(dense: number[][], items: number, t: 'items' | 'users'): number {
  return t === 'items' ? items : dense.length;
}

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
    const pearson = computeNeighbourBlock(matrix, 'users', 0, 1, { measure: 'pearson' });
    // u2 (mean 2.5) centred is [-1.5, 1.5] on items 1, 3; with u0: -0.5 * -1.5 + -1.5 * 1.5 < 0, so dropped
    expect(pearson.count[0]).toBe(1);
    expect(pearson.neighbour[0]).toBe(1);
    expect(pearson.similarity[0]).toBeCloseTo(pearson01, 12);

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
    const adjusted = computeNeighbourBlock(matrix, 'items', 0, 4, { measure: 'adjusted-cosine' });
    const row0 = neighbourRow(adjusted, 0, matrix.items);
    // i0 = [1.5, -0.25, -], i2 = [0.5, 1.75, -]: 0.75 - 0.4375 > 0
    expect(row0.find((n) => n.id === 'i2')?.similarity).toBeCloseTo(dot(i0, i2) / (len(i0) * len(i2)), 12);
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

describe('resolveSimilarityOptions', () => {
  it('fills defaults', () => {
    expect(resolveSimilarityOptions()).toEqual(DEFAULT_SIMILARITY_OPTIONS);
    expect(resolveSimilarityOptions({ k: 500, shrinkage: 0, measure: 'jaccard' })).toMatchObject({
      k: 500,
      measure: 'jaccard',
      minSupport: 1,
    });
  });

  it.each([
    [{ k: 0 }, 'k', /k must be an integer from 1 to 500 \(got 0\)/],
    [{ k: 501 }, 'k', /from 1 to 500/],
    [{ k: 2.5 }, 'k', /got 2\.5/],
    [{ shrinkage: -1 }, 'shrinkage', /shrinkage must be a finite number >= 0/],
    [{ shrinkage: Infinity }, 'shrinkage', /got Infinity/],
    [{ shrinkage: NaN }, 'shrinkage', /finite/],
    [{ minSupport: 0 }, 'minSupport', /minSupport must be an integer >= 1/],
    [{ minSupport: 1.5 }, 'minSupport', />= 1/],
    [
      { measure: 'euclid' as SimilarityMeasure },
      'measure',
      /measure must be one of cosine, adjusted-cosine, pearson, jaccard \(got "euclid"\)/,
    ],
  ])('rejects %o naming %s', (options, option, message) => {
    let error: unknown;
    try {
      resolveSimilarityOptions(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toBe(option);
    expect((error as UserInputError).message).toMatch(message);
    expect((error as UserInputError).hint).toBeTruthy();
  });

  it('is applied by both entry points', async () => {
    const matrix = ratingMatrixFromDense([[1]]);
    expect(() => computeNeighbourBlock(matrix, 'items', 0, 1, { k: 0 })).toThrow(UserInputError);
    await expect(computeNeighbours(matrix, 'items', { minSupport: 0 })).rejects.toThrow(UserInputError);
  });
});
