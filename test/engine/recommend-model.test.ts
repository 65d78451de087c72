// InMemoryModel: recommendations and look-ups against the brute force, building, and the kinds it lacks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { InMemoryModel, resolveRecommendOptions } from '../../functions/engine/recommend/index.js';
import { UserInputError, type ModelKind } from '../../functions/engine/types.js';
import {
  type Dense,
  itemId,
  userId,
  column,
  bruteNeighbours,
  bruteBlock,
  bruteItemBased,
  denseHistory,
  bruteUserBased,
  expectSameResult,
  anyDense,
  optionsArb,
  withoutUndefined,
  catchError,
} from './recommend-helpers.js';

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
