// What a config asks the build to compare: the λ grid, exact or approximate, and the combinations refused.
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { modelChoiceOf, parseModelConfig } from '../../functions/engine/model-config.js';
import {
  candidateSpecs,
  easeLambdaGrid,
  easeMethodFor,
  EXACT_EASE_AUTO_MAX_ITEMS,
  meanGramDiagonal,
  nextEaseLambda,
} from '../../functions/engine/models/index.js';
import { UserInputError } from '../../functions/engine/types.js';

// 3 items: Σ x² per item = 1+4 = 5, 9, 16+1 = 17 → mean 31/3.
const matrix = ratingMatrixFromDense([
  [1, 3, 0],
  [2, 0, 4],
  [0, 0, 1],
]);

describe('EASE λ grid and method', () => {
  it('is the factors 0.25, 1, 4 times the mean of diag(XᵀX), to 3 significant digits', () => {
    expect(meanGramDiagonal(matrix)).toBeCloseTo(31 / 3, 12);
    expect(easeLambdaGrid(matrix)).toEqual([2.58, 10.3, 41.3]);
  });

  it('is exact up to EXACT_EASE_AUTO_MAX_ITEMS items under auto, approximate beyond; a named method stays', () => {
    expect(easeMethodFor('auto', EXACT_EASE_AUTO_MAX_ITEMS)).toBe('exact');
    expect(easeMethodFor('auto', EXACT_EASE_AUTO_MAX_ITEMS + 1)).toBe('approximate');
    expect(easeMethodFor('exact', 10 ** 6)).toBe('exact');
    expect(easeMethodFor('approximate', 10)).toBe('approximate');
  });
});

describe('candidateSpecs', () => {
  it('under auto (the default) compares item-knn, user-knn and EASE over the λ grid', () => {
    const specs = candidateSpecs(parseModelConfig({}), matrix);
    expect(specs.map((s) => s.model)).toEqual(['item-knn', 'user-knn', 'ease', 'ease', 'ease']);
    expect(specs.flatMap((s) => (s.model === 'ease' ? [s.lambda] : []))).toEqual([2.58, 10.3, 41.3]);
    expect(specs[0]).toMatchObject({ similarity: { measure: 'cosine', k: 50 } });
  });

  it('leaves out user-knn when the rows listed have no user rows', () => {
    const specs = candidateSpecs(parseModelConfig({ model: 'auto', models: ['item'] }), matrix);
    expect(specs.map((s) => s.model)).toEqual(['item-knn', 'ease', 'ease', 'ease']);
  });

  it('gives a named EASE its λ when set, the grid when validating, the grid’s middle when not', () => {
    expect(candidateSpecs(parseModelConfig({ model: 'ease', ease: { lambda: 7, k: 30 } }), matrix)).toEqual([
      { model: 'ease', lambda: 7, k: 30, method: 'exact' },
    ]);
    expect(candidateSpecs(parseModelConfig({ model: 'ease' }), matrix)).toHaveLength(3);
    expect(candidateSpecs(parseModelConfig({ model: 'ease', evaluate: false }), matrix)).toEqual([
      { model: 'ease', lambda: 10.3, k: 200, method: 'exact' },
    ]);
  });
});

describe('model choice in the config', () => {
  it('is auto by default; a models list alone means its kNN model, as before "model" existed', () => {
    expect(modelChoiceOf(parseModelConfig({}))).toBe('auto');
    expect(modelChoiceOf(parseModelConfig({ models: ['item', 'user'] }))).toBe('item-knn');
    expect(modelChoiceOf(parseModelConfig({ models: ['user'] }))).toBe('user-knn');
  });

  it.each([
    [{ evaluate: false }, /model "auto" chooses by the build's evaluation/],
    [{ model: 'ease', evaluate: false, promotionGate: { maxNdcgDrop: 0.1 } }, /promotionGate compares/],
    [{ model: 'user-knn', models: ['item'] }, /served from user rows/],
    [{ model: 'best' }, /model: must be one of auto, ease, item-knn, user-knn, content, hybrid \(got "best"\)/],
    [{ ease: { lambda: 0 } }, /ease\.lambda: must be a number from/],
    [{ ease: { k: 501 } }, /ease\.k: must be an integer from 1 to 500/],
    [{ promotionGate: { maxNdcgDrop: 2 } }, /promotionGate\.maxNdcgDrop: must be a number from 0 to 1/],
    [{ evaluation: { users: 5 } }, /evaluation\.users: must be an integer from 10/],
  ])('refuses %j with what to change', (config, message) => {
    let error: unknown;
    try {
      parseModelConfig(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).message).toMatch(message);
    expect((error as UserInputError).hint).toBeTruthy();
  });
});

describe('nextEaseLambda: past the grid’s edge', () => {
  const ease = (lambda: number, ndcg: number) => ({
    spec: { model: 'ease' as const, lambda, k: 200, method: 'exact' as const },
    ndcg,
  });
  const bounds = { min: 0.5, max: 100 };

  it('steps 4× past the largest λ tried, or ÷4 below the smallest, while the best EASE is there', () => {
    expect(nextEaseLambda([ease(1, 0.1), ease(4, 0.2), ease(16, 0.3)], bounds)?.lambda).toBe(64);
    expect(nextEaseLambda([ease(1, 0.3), ease(4, 0.2), ease(16, 0.1)], { min: 0.1, max: 100 })?.lambda).toBe(0.25);
  });

  it('searches EASE’s λ even when another model scores best overall', () => {
    const knn = { spec: { model: 'user-knn' as const, similarity: {} as never }, ndcg: 0.9 };
    expect(nextEaseLambda([knn, ease(1, 0.1), ease(4, 0.2), ease(16, 0.3)], bounds)?.lambda).toBe(64);
  });

  it('stops once the best EASE is inside, past the bounds, with one λ tried, or with no EASE', () => {
    // 64 was tried and did worse than 16: the best is inside now.
    expect(nextEaseLambda([ease(1, 0.1), ease(4, 0.2), ease(16, 0.3), ease(64, 0.25)], bounds)).toBeUndefined();
    expect(nextEaseLambda([ease(1, 0.3), ease(4, 0.2), ease(16, 0.1)], bounds)).toBeUndefined(); // 0.25 < min
    expect(nextEaseLambda([ease(16, 0.1), ease(64, 0.3)], bounds)).toBeUndefined(); // 256 > max
    expect(nextEaseLambda([ease(16, 0.3)], bounds)).toBeUndefined();
    expect(nextEaseLambda([{ spec: undefined, ndcg: 0.2 }], bounds)).toBeUndefined();
  });
});
