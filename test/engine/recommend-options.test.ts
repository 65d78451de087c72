// Recommendation options and their validation, similar-item look-ups and the top-N selection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  recommendFromItemNeighbours,
  recommendFromUserNeighbours,
  resolveRecommendOptions,
  similarFrom,
} from '../../functions/engine/recommend/index.js';
import { topN } from '../../functions/engine/recommend/top-n.js';
import { UserInputError, type Neighbour, type RecommendOptions } from '../../functions/engine/types.js';
import { catchError } from './recommend-helpers.js';

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
