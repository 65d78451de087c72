import { describe, expect, it } from 'vitest';
import { buildRatingMatrix } from '../../functions/engine/data/index.js';
import {
  computeApproximateEase,
  computeEase,
  estimateApproximateBytes,
  type ApproximateEaseOptions,
  type SignedNeighbourBlock,
} from '../../functions/engine/ease/index.js';
import { syntheticLog } from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { bruteForceEaseWeights, bruteForceTopK, matrixOf, randomDense, signedRow } from './ease-helpers.js';

const RELATIVE = 1e-9;

/** The full approximate B (n×n, zero where not computed) from a block that kept every entry. */
function denseWeights(block: SignedNeighbourBlock, n: number): number[][] {
  const b = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) for (const { neighbour, weight } of signedRow(block, j)) b[j][neighbour] = weight;
  return b;
}

describe('approximate EASE with the whole catalogue as neighbourhood is exact EASE', () => {
  // The last two are sparse: many items co-occur with fewer than M others, so the neighbourhood is filled with
  // items of G_ji = 0, which exact EASE still weights (through the other items).
  const cases = [
    { users: 20, items: 7, density: 0.4, lambda: 3, seed: 3 },
    { users: 60, items: 33, density: 0.2, lambda: 10, seed: 4 },
    { users: 200, items: 141, density: 0.08, lambda: 50, seed: 5 },
    { users: 120, items: 90, density: 0.02, lambda: 2, seed: 9 },
    { users: 40, items: 60, density: 0.03, lambda: 0.5, seed: 10 },
  ];
  for (const { users, items, density, lambda, seed } of cases) {
    it(`${users} users × ${items} items, λ ${lambda}: every weight within 1e-9, in |weight| order`, async () => {
      const dense = randomDense(users, items, density, seed);
      const want = bruteForceTopK(bruteForceEaseWeights(dense, items, lambda), items);
      const options = { lambda, k: Math.min(items, 500), neighbourhood: items + 5 };
      const block = await computeApproximateEase(matrixOf(dense), options, { threads: 1 });
      expect([block.start, block.end]).toEqual([0, items]);
      for (let j = 0; j < items; j++) {
        const got = signedRow(block, j);
        expect(
          got.map((e) => e.neighbour),
          `row ${j}`,
        ).toEqual(want[j].map((e) => e.neighbour));
        got.forEach((e, slot) => {
          const expected = want[j][slot].weight;
          expect(Math.abs(e.weight - expected), `row ${j} slot ${slot}`).toBeLessThanOrEqual(
            RELATIVE * Math.abs(expected),
          );
        });
      }
    });
  }

  it('keeps the top K of each row with their sign, and a row range, as exact EASE does', async () => {
    const dense = randomDense(80, 40, 0.15, 7);
    const want = bruteForceTopK(bruteForceEaseWeights(dense, 40, 5), 6);
    expect(want.flat().some((e) => e.weight < 0)).toBe(true);
    const options = { lambda: 5, k: 6, neighbourhood: 39, gramEntries: 39 };
    const block = await computeApproximateEase(matrixOf(dense), options, { threads: 1, rows: { start: 9, end: 23 } });
    expect([block.start, block.end, block.count.length]).toEqual([9, 23, 14]);
    for (let j = 9; j < 23; j++) {
      const got = signedRow(block, j);
      expect(got.map((e) => e.neighbour)).toEqual(want[j].map((e) => e.neighbour));
      got.forEach((e, slot) => expect(e.weight).toBeCloseTo(want[j][slot].weight, 12));
    }
  });
});

describe('approximate EASE with a small neighbourhood', () => {
  // 300 clustered items (synthetic generator), 150 ratings per item: rows have ~250 co-rated items, so M = 30 and
  // P = 60 prune both the neighbourhoods and the Gram lookups.
  const { matrix } = buildRatingMatrix(
    syntheticLog({ users: 600, items: 300, ratings: 45_000, seed: 3, timestamps: false }),
  );
  const n = matrix.byItem.rows;
  const users = matrix.byUser.rows;
  const lambda = 500;
  /** Each user's top 10 by Σ_j x_j·B[j][i], seen items left out, ties to the smaller index. */
  const topTens = (b: number[][]): number[][] =>
    Array.from({ length: users }, (_, u) => {
      const score = new Array<number>(n).fill(0);
      const seen = new Set<number>();
      for (let a = matrix.byUser.indptr[u]; a < matrix.byUser.indptr[u + 1]; a++) {
        const j = matrix.byUser.indices[a];
        seen.add(j);
        for (let i = 0; i < n; i++) score[i] += matrix.byUser.values[a] * b[j][i];
      }
      return score
        .map((value, i) => ({ value, i }))
        .filter((e) => !seen.has(e.i))
        .sort((x, y) => y.value - x.value || x.i - y.i)
        .slice(0, 10)
        .map((e) => e.i);
    });

  it('stays close to exact EASE: bounded mean |ΔB| over the exact top-20 entries, similar recommendations', async () => {
    const exact = denseWeights(await computeEase(matrix, { lambda, k: n - 1 }, { threads: 1 }), n);
    const options = { lambda, k: n - 1, neighbourhood: 30, gramEntries: 60 };
    const approx = denseWeights(await computeApproximateEase(matrix, options, { threads: 1 }), n);
    // Σ|ΔB| / Σ|B| over each row's 20 largest exact entries: B = 0 scores 1, a sign error about 2. Measured 0.60.
    let diff = 0;
    let size = 0;
    for (let j = 0; j < n; j++) {
      for (const { neighbour } of bruteForceTopK([exact[j]], 20)[0]) {
        diff += Math.abs(approx[j][neighbour] - exact[j][neighbour]);
        size += Math.abs(exact[j][neighbour]);
      }
    }
    expect(diff / size).toBeLessThan(0.75);
    // Share of each user's top 10 (Σ_j x_j·B[j][i], seen items left out) that exact EASE recommends too.
    // Measured 0.64; popularity (a B whose every row is the item counts) gets 0.28, negated weights 0.00.
    const wanted = topTens(exact);
    const agreement = (b: number[][]): number =>
      topTens(b).reduce((sum, list, u) => sum + list.filter((i) => wanted[u].includes(i)).length, 0) / (10 * users);
    const counts = Array.from({ length: n }, (_, i) => matrix.byItem.indptr[i + 1] - matrix.byItem.indptr[i]);
    expect(agreement(approx)).toBeGreaterThan(0.55);
    expect(agreement(exact.map(() => counts))).toBeLessThan(0.4);
  });

  it('rows follow exact EASE’s contract: |weight| desc, ties to the smaller index, no self, no zeros', async () => {
    const full = await computeApproximateEase(matrix, { lambda, k: n - 1, neighbourhood: 30 }, { threads: 1 });
    const short = await computeApproximateEase(matrix, { lambda, k: 7, neighbourhood: 30 }, { threads: 1 });
    let negatives = 0;
    for (let j = 0; j < n; j++) {
      const row = signedRow(full, j);
      expect(row.length).toBeGreaterThan(0);
      const sorted = [...row].sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.neighbour - y.neighbour);
      expect(row).toEqual(sorted);
      for (const e of row) {
        expect(e.neighbour).not.toBe(j);
        expect(e.weight).not.toBe(0);
        expect(Number.isFinite(e.weight)).toBe(true);
        if (e.weight < 0) negatives++;
      }
      expect(signedRow(short, j)).toEqual(row.slice(0, 7));
    }
    expect(negatives).toBeGreaterThan(0);
  });

  it('gives the same bits on 1, 2 and 3 threads, for all rows and a row range', async () => {
    const options = { lambda, k: 40, neighbourhood: 25, gramEntries: 40, selection: 'gram' as const };
    const single = await computeApproximateEase(matrix, options, { threads: 1 });
    for (const threads of [2, 3]) {
      const threaded = await computeApproximateEase(matrix, options, { threads });
      expect(threaded.weight.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(threaded.count)).toEqual(Array.from(single.count));
      expect(Array.from(threaded.neighbour)).toEqual(Array.from(single.neighbour));
      expect(Array.from(threaded.weight)).toEqual(Array.from(single.weight));
    }
    const range = await computeApproximateEase(matrix, options, { threads: 2, rows: { start: 100, end: 177 } });
    expect(Array.from(range.weight)).toEqual(Array.from(single.weight.subarray(100 * 40, 177 * 40)));
    expect(Array.from(range.neighbour)).toEqual(Array.from(single.neighbour.subarray(100 * 40, 177 * 40)));
  });

  it('stays positive definite when the pruning drops large entries (tiny λ, P = M = 4)', async () => {
    // Without the diagonal compensation this run hits a negative pivot (checked by disabling it).
    const options = { lambda: 1e-6, k: 10, neighbourhood: 4, gramEntries: 4 };
    const block = await computeApproximateEase(matrix, options, { threads: 1 });
    expect(Array.from(block.weight).every(Number.isFinite)).toBe(true);
  });
});

describe('approximate EASE refuses what does not fit', () => {
  it.each([1, 2])(
    'a neighbourhood Gram not positive definite in floating point (three identical items, λ 1e-300), %s thread(s)',
    async (threads) => {
      const triplets = matrixOf([
        [1, 1, 1],
        [1, 1, 1],
        [3, 3, 3],
      ]);
      const error = await computeApproximateEase(triplets, { lambda: 1e-300, k: 2 }, { threads }).catch(
        (e: unknown) => e,
      );
      // On 2 threads the error is thrown in a worker and must still arrive as a UserInputError.
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).where).toBe('lambda');
    },
  );

  const matrix = matrixOf(randomDense(20, 10, 0.3, 11));
  async function refusal(options: ApproximateEaseOptions, run = {}): Promise<UserInputError> {
    const error = await computeApproximateEase(matrix, options, { threads: 1, ...run }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('λ %s', async (lambda) => {
    expect((await refusal({ lambda, k: 5 })).where).toBe('lambda');
  });
  it.each([0, 1.5, 501])('k %s', async (k) => {
    expect((await refusal({ lambda: 1, k })).where).toBe('k');
  });
  it.each([0, 2.5, 2001])('neighbourhood %s', async (neighbourhood) => {
    expect((await refusal({ lambda: 1, k: 5, neighbourhood })).where).toBe('neighbourhood');
  });
  it.each([0, 7.5, 20001, 9])('gramEntries %s (neighbourhood 10)', async (gramEntries) => {
    expect((await refusal({ lambda: 1, k: 5, neighbourhood: 10, gramEntries })).where).toBe('gramEntries');
  });
  it('selection other than cosine or gram', async () => {
    const options = { lambda: 1, k: 5, selection: 'jaccard' } as unknown as ApproximateEaseOptions;
    expect((await refusal(options)).where).toBe('selection');
  });
  it.each([0, Number.NaN, -5])('maxBytes %s', async (maxBytes) => {
    expect((await refusal({ lambda: 1, k: 5, maxBytes })).where).toBe('maxBytes');
  });
  it('more memory than allowed, and exactly enough is accepted', async () => {
    // 10 items: M and P capped at 9. Per item 12·9 + 24·9 + 12·5 + 20 bytes, per thread 8·81 + 16·9 + 4·9 + 10·20.
    const bytes = 10 * (108 + 216 + 60 + 20) + (648 + 144 + 36 + 200);
    expect(estimateApproximateBytes(10, 9, 9, 5, 1)).toBe(bytes);
    const error = await refusal({ lambda: 1, k: 5, maxBytes: bytes - 1 });
    expect(error.message).toContain('above the');
    await expect(
      computeApproximateEase(matrix, { lambda: 1, k: 5, maxBytes: bytes }, { threads: 1 }),
    ).resolves.toBeDefined();
  });
  it.each([
    { start: -1, end: 3 },
    { start: 4, end: 3 },
    { start: 0, end: 11 },
  ])('row range %o', async (rows) => {
    expect((await refusal({ lambda: 1, k: 5 }, { rows })).where).toBe('rows');
  });
  it.each([0, 1.5])('threads %s', async (threads) => {
    expect((await refusal({ lambda: 1, k: 5 }, { threads })).where).toBe('threads');
  });
});
