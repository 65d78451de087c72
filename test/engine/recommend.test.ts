import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import {
  InMemoryModel,
  popularityRanking,
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
  recommendPopular,
  resolveRecommendOptions,
  similarFrom,
} from '../../functions/engine/recommend/index.js';
import { topN } from '../../functions/engine/recommend/top-n.js';
import {
  UserInputError,
  type Contribution,
  type Explanation,
  type HistoryEntry,
  type ModelKind,
  type Neighbour,
  type NeighbourBlock,
  type PopularItem,
  type RecommendationResult,
  type RecommendOptions,
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

// ---------------------------------------------------------------------------------------------------------
// The independent dense brute force (test/support/brute-force.ts) on this file's matrices and ids, cosine top-k.
// ---------------------------------------------------------------------------------------------------------

type Dense = number[][];

/** Ids whose string order is the reverse of their index order, so "ties by id" cannot pass by accident. */
const itemId = (index: number): string => `${String.fromCharCode(122 - index)}${index}`;
const userId = (index: number): string => `${String.fromCharCode(90 - index)}u${index}`;

const ratingsOf = (dense: Dense): DenseRatings => ({
  values: dense,
  userIds: dense.map((_, u) => userId(u)),
  itemIds: (dense[0] ?? []).map((_, c) => itemId(c)),
});

function column(dense: Dense, c: number): number[] {
  return dense.map((row) => row[c]);
}

/** Top-k neighbours of row vectors by id (similarity desc, index asc; only sim > 1e-12, never self). */
function bruteNeighbours(vectors: number[][], k: number, ids: (i: number) => string): Neighbour[][] {
  return neighbourLists(
    vectors,
    cosineTopK(k),
    vectors.map((_, i) => ids(i)),
  );
}

/** The same top-k lists in the similarity module's flat block layout. */
function bruteBlock(vectors: number[][], k: number): NeighbourBlock {
  return neighbourBlock(vectors, cosineTopK(k));
}

function brutePopularity(dense: Dense): PopularItem[] {
  return popularity(ratingsOf(dense));
}

function bruteItemBased(
  dense: Dense,
  k: number,
  history: HistoryEntry[],
  options: RecommendOptions,
): RecommendationResult {
  return itemBasedResult(ratingsOf(dense), cosineTopK(k), history, options);
}

function itemIndexOf(id: string, nItems: number): number {
  for (let c = 0; c < nItems; c++) if (itemId(c) === id) return c;
  return -1;
}

function denseHistory(dense: Dense, u: number): HistoryEntry[] {
  return historyOf(ratingsOf(dense), u);
}

function bruteUserBased(dense: Dense, k: number, u: number, options: RecommendOptions): RecommendationResult {
  return userBasedResult(ratingsOf(dense), cosineTopK(k), u, options);
}

/** A CF item's explanation: contributions only (a `popular` entry there would be a bug). */
function contributions(because: Explanation[]): Contribution[] {
  expect(because.filter((c) => c.kind === 'popular')).toEqual([]);
  return because as Contribution[];
}

function expectSameResult(actual: RecommendationResult, expected: RecommendationResult): void {
  expect(actual.algorithm).toBe(expected.algorithm);
  expect(actual.fallback).toEqual(expected.fallback);
  expect(actual.items.map((r) => r.item)).toEqual(expected.items.map((r) => r.item));
  actual.items.forEach((r, p) => {
    expect(r.score).toBeCloseTo(expected.items[p].score, 9);
    const ids = (because: Explanation[]) => because.map((c) => (c.kind === 'popular' ? c.interactions : c.id));
    expect(ids(r.because)).toEqual(ids(expected.items[p].because));
    r.because.forEach((c, q) => {
      const want = expected.items[p].because[q];
      expect(c.kind).toBe(want.kind);
      if (c.kind === 'popular' || want.kind === 'popular') return void expect(c).toEqual(want);
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

const denseArb = (values: number[]) =>
  fc
    .record({ users: fc.integer({ min: 1, max: 6 }), items: fc.integer({ min: 1, max: 7 }) })
    .chain(({ users, items }) =>
      fc.array(fc.array(fc.constantFrom(...values), { minLength: items, maxLength: items }), {
        minLength: users,
        maxLength: users,
      }),
    );

/** Ratings 1..5 with gaps, or implicit 0/1 (many exact ties). */
const anyDense = fc.oneof(denseArb([0, 0, 1, 2, 3, 4, 5]), denseArb([0, 1]));

const optionsArb = (nItems: number) => {
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

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

describe('seed example: user-based cosine on [[5,3,4,2],[3,4,5,1],[2,1,3,4],[4,2,1,5]]', () => {
  const dense = [
    [5, 3, 4, 2],
    [3, 4, 5, 1],
    [2, 1, 3, 4],
    [4, 2, 1, 5],
  ];
  const users = ['alice', 'bob', 'carol', 'dave'];
  const items = ['film-a', 'film-b', 'film-c', 'film-d'];
  // Cosine similarities of alice with the others, by hand.
  const s01 = (5 * 3 + 3 * 4 + 4 * 5 + 2 * 1) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(9 + 16 + 25 + 1));
  const s02 = (5 * 2 + 3 * 1 + 4 * 3 + 2 * 4) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(4 + 1 + 9 + 16));
  const s03 = (5 * 4 + 3 * 2 + 4 * 1 + 2 * 5) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(16 + 4 + 1 + 25));
  // pred(alice, i) = Σ_{v ≠ alice} sim(alice, v) · r_vi
  const pred = {
    'film-a': s01 * 3 + s02 * 2 + s03 * 4,
    'film-b': s01 * 4 + s02 * 1 + s03 * 2,
    'film-c': s01 * 5 + s02 * 3 + s03 * 1,
    'film-d': s01 * 1 + s02 * 4 + s03 * 5,
  };
  const neighbours: Neighbour[] = [
    { id: 'bob', similarity: s01, support: 4 },
    { id: 'carol', similarity: s02, support: 4 },
    { id: 'dave', similarity: s03, support: 4 },
  ].sort((a, b) => b.similarity - a.similarity);
  const historyOf = (user: string): HistoryEntry[] | undefined => {
    const u = users.indexOf(user);
    return u < 0 ? undefined : dense[u].map((value, c) => ({ item: items[c], value }));
  };
  const popularity: PopularItem[] = [
    { item: 'film-c', count: 4, meanValue: 13 / 4 },
    { item: 'film-a', count: 4, meanValue: 14 / 4 },
  ];

  it('predicts every item with excludeSeen=false, ranked by the hand-computed scores', () => {
    const result = recommendFromUserNeighbours(historyOf('alice'), neighbours, historyOf, popularity, {
      excludeSeen: false,
      limit: 4,
      explainTop: 3,
    });
    const expectedOrder = Object.entries(pred).sort((a, b) => b[1] - a[1]);
    expect(result.algorithm).toBe('user');
    expect(result.fallback).toBeUndefined();
    expect(result.items.map((r) => r.item)).toEqual(expectedOrder.map(([item]) => item));
    for (const r of result.items) expect(r.score).toBeCloseTo(pred[r.item as keyof typeof pred], 12);
    // film-c's explanation: bob contributes s01*5, carol s02*3, dave s03*1.
    const filmC = result.items.find((r) => r.item === 'film-c')!;
    const expectedC = [
      { id: 'bob', contribution: s01 * 5 },
      { id: 'carol', contribution: s02 * 3 },
      { id: 'dave', contribution: s03 * 1 },
    ].sort((a, b) => b.contribution - a.contribution);
    const filmCBecause = contributions(filmC.because);
    expect(filmCBecause.map((c) => c.id)).toEqual(expectedC.map((c) => c.id));
    filmCBecause.forEach((c, q) => {
      expect(c.kind).toBe('user');
      expect(c.contribution).toBeCloseTo(expectedC[q].contribution, 12);
      expect(c.share).toBeCloseTo(expectedC[q].contribution / pred['film-c'], 12);
    });
    expect(filmCBecause.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
  });

  it('normalises by the sum of |sim| of the contributors', () => {
    const result = recommendFromUserNeighbours(historyOf('alice'), neighbours, historyOf, popularity, {
      excludeSeen: false,
      normalise: true,
      limit: 1,
    });
    const normalised = Object.entries(pred)
      .map(([item, score]) => [item, score / (s01 + s02 + s03)] as const)
      .sort((a, b) => b[1] - a[1]);
    expect(result.items).toHaveLength(1);
    expect(result.items[0].item).toBe(normalised[0][0]);
    expect(result.items[0].score).toBeCloseTo(normalised[0][1], 12);
  });

  it('falls back to popularity (no-candidates) with excludeSeen=true, since alice has seen everything', () => {
    const result = recommendFromUserNeighbours(historyOf('alice'), neighbours, historyOf, popularity, {});
    expect(result).toEqual({
      algorithm: 'popularity',
      fallback: { reason: 'no-candidates', algorithm: 'popularity' },
      items: [],
    });
  });
});

describe('recommendFromItemNeighbours vs dense brute force', () => {
  it('matches items, order, scores and explanations', () => {
    fc.assert(
      fc.property(
        anyDense.chain((dense) => {
          const nItems = dense[0].length;
          return fc.record({
            dense: fc.constant(dense),
            k: fc.integer({ min: 1, max: nItems }),
            options: optionsArb(nItems),
            // A user's own row, or a free history (possibly with duplicates, zeros and unknown items).
            history: fc.oneof(
              fc.integer({ min: 0, max: dense.length - 1 }).map((u) => denseHistory(dense, u)),
              fc.array(
                fc.record({
                  item: fc.oneof(fc.integer({ min: 0, max: nItems - 1 }).map(itemId), fc.constant('unknown-item')),
                  value: fc.constantFrom(0, 1, 2.5, 4, -1),
                }),
                { maxLength: 8 },
              ),
            ),
          });
        }),
        ({ dense, k, options, history }) => {
          const nItems = dense[0].length;
          const rows = bruteNeighbours(
            Array.from({ length: nItems }, (_, c) => column(dense, c)),
            k,
            itemId,
          );
          const lookup = (id: string) => {
            const c = itemIndexOf(id, nItems);
            return c < 0 ? undefined : rows[c];
          };
          const resolved = resolveRecommendOptions(withoutUndefined(options));
          const actual = recommendFromItemNeighbours(
            history,
            lookup,
            brutePopularity(dense),
            withoutUndefined(options),
          );
          expectSameResult(actual, bruteItemBased(dense, k, history, resolved));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives shares that sum to 1 when every contributor is listed (non-negative values)', () => {
    fc.assert(
      fc.property(
        denseArb([0, 1, 2, 3, 4, 5]).chain((dense) =>
          fc.record({
            dense: fc.constant(dense),
            u: fc.integer({ min: 0, max: dense.length - 1 }),
            normalise: fc.boolean(),
          }),
        ),
        ({ dense, u, normalise }) => {
          const nItems = dense[0].length;
          const rows = bruteNeighbours(
            Array.from({ length: nItems }, (_, c) => column(dense, c)),
            nItems,
            itemId,
          );
          const history = denseHistory(dense, u);
          const result = recommendFromItemNeighbours(history, (id) => rows[itemIndexOf(id, nItems)], [], {
            explainTop: 20,
            excludeSeen: false,
            normalise,
            limit: 1000,
          });
          for (const r of result.items) {
            expect(r.because.length).toBeLessThanOrEqual(history.length);
            expect(contributions(r.because).reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 9);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('breaks score ties at the N boundary by item id, not by input order', () => {
    // Both candidates get exactly 0.5 * 2 from the one history item.
    const neighbours = {
      seen: [
        { id: 'zeta', similarity: 0.5, support: 1 },
        { id: 'alpha', similarity: 0.5, support: 1 },
        { id: 'mid', similarity: 0.25, support: 1 },
      ],
    };
    const result = recommendFromItemNeighbours([{ item: 'seen', value: 2 }], (id) => neighbours[id as 'seen'], [], {
      limit: 1,
    });
    expect(result.items.map((r) => [r.item, r.score])).toEqual([['alpha', 1]]);
    const two = recommendFromItemNeighbours([{ item: 'seen', value: 2 }], (id) => neighbours[id as 'seen'], [], {
      limit: 2,
    });
    expect(two.items.map((r) => r.item)).toEqual(['alpha', 'zeta']);
  });

  it('lets the last duplicate history entry win', () => {
    const rows: Record<string, Neighbour[]> = { a: [{ id: 'b', similarity: 0.5, support: 1 }] };
    const result = recommendFromItemNeighbours(
      [
        { item: 'a', value: 5 },
        { item: 'a', value: 2 },
      ],
      (id) => rows[id],
      [],
    );
    expect(result.items).toEqual([
      {
        item: 'b',
        score: 1,
        because: [{ id: 'a', kind: 'item', similarity: 0.5, value: 2, contribution: 1, share: 1 }],
      },
    ]);
  });

  it('falls back with the right flag and applies the filters to the fallback', () => {
    const popularity: PopularItem[] = [
      { item: 'p3', count: 3, meanValue: 1 },
      { item: 'p1', count: 9, meanValue: 1 },
      { item: 'p2', count: 9, meanValue: 4 },
      { item: 'p0', count: 9, meanValue: 4 },
    ];
    const rows: Record<string, Neighbour[]> = { p0: [{ id: 'p1', similarity: 0.9, support: 2 }] };
    const lookup = (id: string) => rows[id];

    const empty = recommendFromItemNeighbours([], lookup, popularity, { limit: 3 });
    expect(empty.fallback).toEqual({ reason: 'empty-history', algorithm: 'popularity' });
    expect(empty.algorithm).toBe('popularity');
    // count desc, then meanValue desc, then id asc; score = count, explained by it
    const popular = { kind: 'popular', interactions: 9, fallback: 'empty-history' } as const;
    expect(empty.items).toEqual([
      { item: 'p0', score: 9, because: [popular] },
      { item: 'p2', score: 9, because: [popular] },
      { item: 'p1', score: 9, because: [popular] },
    ]);

    // p1 is the only candidate; excluding it leaves nothing, so popularity minus seen p0 and excluded p1.
    const none = recommendFromItemNeighbours([{ item: 'p0', value: 1 }], lookup, popularity, { exclude: ['p1'] });
    expect(none.fallback).toEqual({ reason: 'no-candidates', algorithm: 'popularity' });
    expect(none.items.map((r) => r.item)).toEqual(['p2', 'p3']);

    const allowOnly = recommendFromItemNeighbours([{ item: 'p0', value: 1 }], lookup, popularity, {
      allow: ['p3', 'p0'],
    });
    expect(allowOnly.fallback?.reason).toBe('no-candidates');
    expect(allowOnly.items.map((r) => r.item)).toEqual(['p3']);

    const negative = recommendFromItemNeighbours([{ item: 'p0', value: -3 }], lookup, popularity, { limit: 1 });
    expect(negative.fallback?.reason).toBe('no-candidates');
  });

  it('rejects non-finite or malformed history entries with a UserInputError naming the entry', () => {
    for (const value of [NaN, Infinity, -Infinity, '4' as unknown as number]) {
      const error = catchError(() =>
        recommendFromItemNeighbours(
          [
            { item: 'a', value: 1 },
            { item: 'b', value },
          ],
          () => undefined,
          [],
        ),
      );
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).where).toBe('history[1].value');
      expect((error as UserInputError).message).toContain('"b"');
    }
    const badItem = catchError(() =>
      recommendFromItemNeighbours([{ item: 7 as unknown as string, value: 1 }], () => undefined, []),
    );
    expect((badItem as UserInputError).where).toBe('history[0].item');
  });
});

describe('recommendFromUserNeighbours vs dense brute force', () => {
  it('matches items, order, scores and explanations', () => {
    fc.assert(
      fc.property(
        anyDense.chain((dense) =>
          fc.record({
            dense: fc.constant(dense),
            u: fc.integer({ min: 0, max: dense.length - 1 }),
            k: fc.integer({ min: 1, max: dense.length }),
            options: optionsArb(dense[0].length),
          }),
        ),
        ({ dense, u, k, options }) => {
          const neighbours = bruteNeighbours(dense, k, userId)[u];
          const historyOf = (id: string): HistoryEntry[] | undefined => {
            const v = dense.findIndex((_, index) => userId(index) === id);
            return v < 0 ? undefined : denseHistory(dense, v);
          };
          const resolved = resolveRecommendOptions(withoutUndefined(options));
          const actual = recommendFromUserNeighbours(
            denseHistory(dense, u),
            neighbours,
            historyOf,
            brutePopularity(dense),
            withoutUndefined(options),
          );
          expectSameResult(actual, bruteUserBased(dense, k, u, resolved));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('flags unknown users, empty histories and users without neighbours', () => {
    const popularity: PopularItem[] = [{ item: 'x', count: 2, meanValue: 3 }];
    const historyOf = () => [{ item: 'y', value: 1 }];
    expect(recommendFromUserNeighbours(undefined, undefined, historyOf, popularity).fallback?.reason).toBe(
      'unknown-user',
    );
    expect(
      recommendFromUserNeighbours([], [{ id: 'v', similarity: 1, support: 1 }], historyOf, popularity).fallback?.reason,
    ).toBe('empty-history');
    const lonely = recommendFromUserNeighbours([{ item: 'x', value: 1 }], undefined, historyOf, popularity);
    expect(lonely.fallback?.reason).toBe('no-candidates');
    expect(lonely.items).toEqual([]); // x is seen
    // Neighbours whose history is unknown contribute nothing.
    const ghost = recommendFromUserNeighbours(
      [{ item: 'x', value: 1 }],
      [{ id: 'v', similarity: 1, support: 1 }],
      () => undefined,
      popularity,
    );
    expect(ghost.fallback?.reason).toBe('no-candidates');
  });
});

describe('recommendPopular and popularityRanking', () => {
  it('ranks by count desc, mean desc, id asc (matches the brute force)', () => {
    fc.assert(
      fc.property(anyDense, (dense) => {
        const ranking = popularityRanking(
          ratingMatrixFromDense(
            dense,
            undefined,
            dense[0].map((_, c) => itemId(c)),
          ),
        );
        const expected = brutePopularity(dense);
        expect(ranking.map((p) => [p.item, p.count])).toEqual(expected.map((p) => [p.item, p.count]));
        ranking.forEach((p, i) => expect(p.meanValue).toBeCloseTo(expected[i].meanValue, 12));
      }),
      { numRuns: 200 },
    );
  });

  it('honours the ranking limit and rejects a bad one', () => {
    const matrix = ratingMatrixFromDense([
      [1, 0, 3],
      [1, 2, 0],
    ]);
    expect(popularityRanking(matrix, 2)).toEqual([
      { item: 'i0', count: 2, meanValue: 1 },
      { item: 'i2', count: 1, meanValue: 3 },
    ]);
    expect(() => popularityRanking(matrix, 0)).toThrow(UserInputError);
  });

  it('ranks whatever the input order, filters, and is unflagged without a reason', () => {
    const popularity: PopularItem[] = [
      { item: 'b', count: 1, meanValue: 5 },
      { item: 'c', count: 5, meanValue: 2 },
      { item: 'a', count: 5, meanValue: 2 },
    ];
    expect(recommendPopular(popularity, { limit: 2 })).toEqual({
      algorithm: 'popularity',
      items: [
        { item: 'a', score: 5, because: [{ kind: 'popular', interactions: 5 }] },
        { item: 'c', score: 5, because: [{ kind: 'popular', interactions: 5 }] },
      ],
    });
    expect(recommendPopular(popularity, {}, ['a']).items.map((r) => r.item)).toEqual(['c', 'b']);
    expect(recommendPopular(popularity, { excludeSeen: false }, ['a']).items.map((r) => r.item)).toEqual([
      'a',
      'c',
      'b',
    ]);
    expect(recommendPopular(popularity, { allow: ['b', 'c'], exclude: ['c'] }, [], 'unknown-user')).toEqual({
      algorithm: 'popularity',
      fallback: { reason: 'unknown-user', algorithm: 'popularity' },
      items: [{ item: 'b', score: 1, because: [{ kind: 'popular', interactions: 1, fallback: 'unknown-user' }] }],
    });
  });
});

describe('popularity explanations', () => {
  // Users per item counted by hand: i0 by u0, u1, u2 (3); i1 by u0, u2 (2); i2 by u1 (1); i3 by nobody.
  const DENSE = [
    [5, 1, 0, 0],
    [4, 0, 3, 0],
    [2, 2, 0, 0],
  ];
  const USERS_PER_ITEM: Record<string, number> = { i0: 3, i1: 2, i2: 1 };

  it('explains every fallback item by its interactions and the fallback reason', async () => {
    const model = await InMemoryModel.build(ratingMatrixFromDense(DENSE), { models: ['item', 'user'], threads: 1 });
    const cases: [RecommendationResult, string][] = [
      [model.recommendForUser('nobody'), 'unknown-user'],
      [model.recommendForUser('nobody', { algorithm: 'user' }), 'unknown-user'],
      [model.recommendForHistory([]), 'empty-history'],
      [model.recommendForHistory([{ item: 'unknown', value: 5 }]), 'no-candidates'],
    ];
    for (const [result, reason] of cases) {
      expect(result.fallback?.reason).toBe(reason);
      expect(result.items.length).toBeGreaterThan(0);
      for (const { item, score, because } of result.items) {
        expect(because).toEqual([{ kind: 'popular', interactions: USERS_PER_ITEM[item], fallback: reason }]);
        expect(score).toBe(USERS_PER_ITEM[item]);
      }
    }
  });

  it('says popular without a fallback reason when popularity was asked for, and nothing with explainTop 0', () => {
    const popularity = popularityRanking(ratingMatrixFromDense(DENSE));
    expect(recommendPopular(popularity, { limit: 2 }).items).toEqual([
      { item: 'i0', score: 3, because: [{ kind: 'popular', interactions: 3 }] },
      { item: 'i1', score: 2, because: [{ kind: 'popular', interactions: 2 }] },
    ]);
    const quiet = recommendPopular(popularity, { explainTop: 0 }, undefined, 'unknown-user');
    expect(quiet.items.map((r) => r.because)).toEqual([[], [], []]);
  });
});

describe('similarFrom', () => {
  it('returns the top neighbours, ties by id, [] for no row', () => {
    const row: Neighbour[] = [
      { id: 'q', similarity: 0.9, support: 3 },
      { id: 'b', similarity: 0.5, support: 1 },
      { id: 'a', similarity: 0.5, support: 2 },
    ];
    expect(similarFrom(row, 2)).toEqual([row[0], row[2]]);
    expect(similarFrom(row, 10)).toEqual([row[0], row[2], row[1]]);
    expect(similarFrom(undefined, 5)).toEqual([]);
    for (const limit of [0, 1.5, 1001]) expect(() => similarFrom(row, limit)).toThrow(UserInputError);
  });
});

describe('resolveRecommendOptions', () => {
  it('fills the defaults', () => {
    expect(resolveRecommendOptions()).toEqual({ limit: 10, excludeSeen: true, normalise: false, explainTop: 3 });
    expect(resolveRecommendOptions({ limit: 1000, explainTop: 0, allow: ['a'], exclude: [] })).toEqual({
      limit: 1000,
      excludeSeen: true,
      normalise: false,
      explainTop: 0,
      allow: ['a'],
      exclude: [],
    });
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 1001 }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ limit: '10' }, 'limit'],
    [{ explainTop: -1 }, 'explainTop'],
    [{ explainTop: 21 }, 'explainTop'],
    [{ excludeSeen: 'yes' }, 'excludeSeen'],
    [{ normalise: 1 }, 'normalise'],
    [{ exclude: 'a' }, 'exclude'],
    [{ allow: ['a', 3] }, 'allow[1]'],
  ])('rejects %o naming %s', (options, where) => {
    const error = catchError(() => resolveRecommendOptions(options as unknown as Partial<RecommendOptions>));
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toBe(where);
    expect((error as UserInputError).message).toContain(where.replace(/\[.*/, ''));
    expect((error as UserInputError).hint).toBeTruthy();
  });

  it('validates before falling back, so a bad option never hides behind a fallback', () => {
    expect(() => recommendFromUserNeighbours(undefined, undefined, () => undefined, [], { limit: 0 })).toThrow(
      UserInputError,
    );
    expect(() => recommendFromItemNeighbours([], () => undefined, [], { explainTop: 99 })).toThrow(UserInputError);
  });
});

describe('InMemoryModel', () => {
  const itemIds = (dense: Dense) => dense[0].map((_, c) => itemId(c));
  const userIds = (dense: Dense) => dense.map((_, u) => userId(u));
  const modelFromBrute = (dense: Dense, k: number) =>
    InMemoryModel.fromNeighbours(ratingMatrixFromDense(dense, userIds(dense), itemIds(dense)), {
      item: bruteBlock(
        dense[0].map((_, c) => column(dense, c)),
        k,
      ),
      user: bruteBlock(dense, k),
    });

  it('recommends like the dense brute force for known, empty and unknown users, item- and user-based', () => {
    fc.assert(
      fc.property(
        anyDense.chain((dense) =>
          fc.record({
            dense: fc.constant(dense),
            u: fc.integer({ min: 0, max: dense.length }), // dense.length = an unknown user
            k: fc.integer({ min: 1, max: Math.max(dense.length, dense[0].length) }),
            algorithm: fc.constantFrom('item' as const, 'user' as const),
            options: optionsArb(dense[0].length),
          }),
        ),
        ({ dense, u, k, algorithm, options }) => {
          const model = modelFromBrute(dense, k);
          const resolved = resolveRecommendOptions(withoutUndefined(options));
          const actual = model.recommendForUser(u < dense.length ? userId(u) : 'nobody', {
            ...withoutUndefined(options),
            algorithm,
          });
          if (u === dense.length) {
            // Popularity with the same filters and nothing seen: the brute force's empty-history answer,
            // flagged (and explained) as an unknown user.
            const popular = bruteItemBased(dense, k, [], resolved);
            expectSameResult(actual, {
              ...popular,
              fallback: { reason: 'unknown-user', algorithm: 'popularity' },
              items: popular.items.map((r) => ({
                ...r,
                because: r.because.map((c) => ({ ...c, fallback: 'unknown-user' as const })),
              })),
            });
            return;
          }
          const expected =
            algorithm === 'item'
              ? bruteItemBased(dense, k, denseHistory(dense, u), resolved)
              : bruteUserBased(dense, k, u, resolved);
          expectSameResult(actual, expected);
          if (algorithm === 'item')
            expectSameResult(model.recommendForHistory(denseHistory(dense, u), withoutUndefined(options)), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers similar look-ups from its blocks, undefined for unknown ids', () => {
    const dense = [
      [5, 3, 0, 1],
      [4, 0, 0, 1],
      [1, 1, 0, 5],
      [0, 1, 5, 4],
    ];
    const model = modelFromBrute(dense, 2);
    const items = bruteNeighbours(
      dense[0].map((_, c) => column(dense, c)),
      2,
      itemId,
    );
    expect(model.similarItems(itemId(0))).toEqual(items[0]);
    expect(model.similarItems(itemId(3), 1)).toEqual(items[3].slice(0, 1));
    expect(model.similarUsers(userId(1))).toEqual(bruteNeighbours(dense, 2, userId)[1]);
    expect(model.similarItems('missing')).toBeUndefined();
    expect(model.similarUsers('missing')).toBeUndefined();
    expect(model.historyOf(userId(1))).toEqual([
      { item: itemId(0), value: 4 },
      { item: itemId(3), value: 1 },
    ]);
    expect(model.historyOf('missing')).toBeUndefined();
    expect(() => model.recommendForUser(userId(0), { algorithm: 'both' as 'item' })).toThrow(UserInputError);
  });

  it('builds with the similarity module: the seed example by hand, progress per phase', async () => {
    const dense = [
      [5, 3, 4, 2],
      [3, 4, 5, 1],
      [2, 1, 3, 4],
      [4, 2, 1, 5],
    ];
    const phases = new Map<string, [number, number]>();
    const model = await InMemoryModel.build(ratingMatrixFromDense(dense), {
      models: ['item', 'user'],
      threads: 1,
      similarity: { k: 3 },
      onProgress: (phase, done, total) => phases.set(phase, [done, total]),
    });
    expect(Object.fromEntries(phases)).toEqual({ items: [4, 4], users: [4, 4] });

    const s01 = (5 * 3 + 3 * 4 + 4 * 5 + 2 * 1) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(9 + 16 + 25 + 1));
    const s02 = (5 * 2 + 3 * 1 + 4 * 3 + 2 * 4) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(4 + 1 + 9 + 16));
    const s03 = (5 * 4 + 3 * 2 + 4 * 1 + 2 * 5) / (Math.sqrt(25 + 9 + 16 + 4) * Math.sqrt(16 + 4 + 1 + 25));
    const pred: Record<string, number> = {
      i0: s01 * 3 + s02 * 2 + s03 * 4,
      i1: s01 * 4 + s02 * 1 + s03 * 2,
      i2: s01 * 5 + s02 * 3 + s03 * 1,
      i3: s01 * 1 + s02 * 4 + s03 * 5,
    };
    const result = model.recommendForUser('u0', { algorithm: 'user', excludeSeen: false, limit: 4 });
    expect(result.algorithm).toBe('user');
    expect(result.items.map((r) => r.item)).toEqual(Object.keys(pred).sort((a, b) => pred[b] - pred[a]));
    for (const r of result.items) expect(r.score).toBeCloseTo(pred[r.item], 9);

    expect(model.recommendForUser('u0', { algorithm: 'user' })).toEqual({
      algorithm: 'popularity',
      fallback: { reason: 'no-candidates', algorithm: 'popularity' },
      items: [],
    });
    const similar = model.similarUsers('u0')!;
    const bySimilarity = [
      ['u1', s01],
      ['u2', s02],
      ['u3', s03],
    ].sort((a, b) => (b[1] as number) - (a[1] as number));
    expect(similar.map((n) => n.id)).toEqual(bySimilarity.map(([id]) => id));
    similar.forEach((n, i) => {
      expect(n.similarity).toBeCloseTo(bySimilarity[i][1] as number, 9);
      expect(n.support).toBe(4);
    });
    // Everyone rated all four items: popularity ties on count 4, then mean desc (i0 3.5, i3 3, i2 3.25, i1 2.5).
    expect(model.popularity.map((p) => p.item)).toEqual(['i0', 'i2', 'i3', 'i1']);
  });

  it('explains which neighbours it lacks, and validates build options', async () => {
    const matrix = ratingMatrixFromDense([
      [1, 1],
      [1, 0],
    ]);
    const itemsOnly = await InMemoryModel.build(matrix, { threads: 1 });
    const error = catchError(() => itemsOnly.recommendForUser('u0', { algorithm: 'user' }));
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).where).toBe('models');
    expect((error as UserInputError).message).toContain('model kind "user" was not built');
    expect((error as UserInputError).hint).toContain('models: ["item", "user"]');
    expect(() => itemsOnly.similarUsers('u0')).toThrow(UserInputError);
    expect(itemsOnly.recommendForUser('u1').items.map((r) => r.item)).toEqual(['i1']);

    const usersOnly = await InMemoryModel.build(matrix, { models: ['user'], threads: 1 });
    expect(usersOnly.models).toEqual(['user']);
    expect(itemsOnly.models).toEqual(['item']);
    expect(() => usersOnly.similarItems('i0')).toThrow(UserInputError);
    expect(() => usersOnly.recommendForHistory([{ item: 'i0', value: 1 }])).toThrow(UserInputError);

    await expect(InMemoryModel.build(matrix, { similarity: { k: 0 } })).rejects.toThrow(UserInputError);
    for (const models of [[], ['item', 'item'], ['both'], 'user'] as unknown as ModelKind[][]) {
      const rejected = await InMemoryModel.build(matrix, { models }).catch((caught: unknown) => caught);
      expect(rejected).toBeInstanceOf(UserInputError);
      expect((rejected as UserInputError).where).toBe('models');
      expect((rejected as UserInputError).message).toContain(`(got ${JSON.stringify(models)})`);
    }
  });
});

describe('topN', () => {
  it('equals a full sort then slice', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 })), fc.integer({ min: 0, max: 30 }), (values, limit) => {
        const better = (a: number, b: number) => a > b;
        expect(topN(values, limit, better)).toEqual([...values].sort((a, b) => b - a).slice(0, limit));
      }),
    );
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
