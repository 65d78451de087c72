// Similarity options: defaults and validation (resolveSimilarityOptions).
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import {
  computeNeighbourBlock,
  computeNeighbours,
  resolveSimilarityOptions,
} from '../../functions/engine/similarity/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, UserInputError, type SimilarityMeasure } from '../../functions/engine/types.js';

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
