// Item- and user-based recommendation against the dense brute force, and a seed example worked by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
  resolveRecommendOptions,
} from '../../functions/engine/recommend/index.js';
import { UserInputError, type HistoryEntry, type Neighbour, type PopularItem } from '../../functions/engine/types.js';
import {
  itemId,
  userId,
  column,
  bruteNeighbours,
  brutePopularity,
  bruteItemBased,
  itemIndexOf,
  denseHistory,
  bruteUserBased,
  contributions,
  expectSameResult,
  denseArb,
  anyDense,
  optionsArb,
  withoutUndefined,
  catchError,
} from './recommend-helpers.js';

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
