// The popularity ranking, popularity recommendations and how popular items explain themselves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { InMemoryModel, popularityRanking, recommendPopular } from '../../functions/engine/recommend/index.js';
import { UserInputError, type PopularItem, type RecommendationResult } from '../../functions/engine/types.js';
import { itemId, brutePopularity, anyDense } from './recommend-helpers.js';

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
