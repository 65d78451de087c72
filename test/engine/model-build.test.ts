// EASE rows served through the item-row path: recommendations and explanations against a brute-force dense EASE.
import { describe, expect, it } from 'vitest';
import { InMemoryModel, computeModelBlocks } from '../../functions/engine/recommend/index.js';
import { UserInputError, type Contribution } from '../../functions/engine/types.js';
import { bruteForceEaseWeights, bruteForceTopK, matrixOf, randomDense } from './ease-helpers.js';

const LAMBDA = 3;

describe('EASE rows served by the item-based path', () => {
  const dense = randomDense(30, 12, 0.35, 11);
  const matrix = matrixOf(dense);
  const items = matrix.items.size;
  const weights = bruteForceEaseWeights(dense, items, LAMBDA);

  it('scores each candidate Σ_j x_j·B[j, i] over the kept top-K weights (K small: the cut matters)', async () => {
    const K = 4;
    const kept = bruteForceTopK(weights, K);
    const model = await InMemoryModel.build(matrix, { spec: { model: 'ease', lambda: LAMBDA, k: K, method: 'exact' } });
    expect(model.spec.model).toBe('ease');
    for (let u = 0; u < dense.length; u++) {
      const expected = new Map<number, number>();
      dense[u].forEach((x, j) => {
        if (x === 0) return;
        for (const { neighbour, weight } of kept[j])
          expected.set(neighbour, (expected.get(neighbour) ?? 0) + x * weight);
      });
      const ranked = [...expected]
        .filter(([i, score]) => dense[u][i] === 0 && score > 0)
        .sort((a, b) => b[1] - a[1] || (`i${a[0]}` < `i${b[0]}` ? -1 : 1))
        .slice(0, 5);
      const result = model.recommendForUser(`u${u}`, { limit: 5 });
      if (ranked.length === 0) {
        expect(result.fallback?.reason).toBe('no-candidates');
        continue;
      }
      expect(result.algorithm).toBe('item');
      expect(result.items.map((r) => r.item)).toEqual(ranked.map(([i]) => `i${i}`));
      result.items.forEach((r, q) => expect(r.score).toBeCloseTo(ranked[q][1], 9));
    }
  });

  it('explains an item by the history items that pushed it up, with shares of their sum', async () => {
    const model = await InMemoryModel.build(matrix, {
      spec: { model: 'ease', lambda: LAMBDA, k: 11, method: 'exact' },
    });
    let negativesSeen = 0;
    for (let u = 0; u < dense.length; u++) {
      const result = model.recommendForUser(`u${u}`, { limit: 3, explainTop: 20 });
      for (const r of result.items) {
        const i = Number(r.item.slice(1));
        const positive = dense[u]
          .map((x, j) => ({ j, contribution: x * weights[j][i] }))
          .filter(({ j, contribution }) => dense[u][j] !== 0 && j !== i && contribution > 0);
        negativesSeen += dense[u].filter((x, j) => x !== 0 && j !== i && x * weights[j][i] < 0).length;
        const total = positive.reduce((s, p) => s + p.contribution, 0);
        const because = r.because as Contribution[];
        expect(because.map((c) => c.id).sort()).toEqual(positive.map(({ j }) => `i${j}`).sort());
        for (const c of because) {
          expect(c.contribution).toBeGreaterThan(0);
          expect(c.share).toBeCloseTo((dense[u][Number(c.id.slice(1))] * weights[Number(c.id.slice(1))][i]) / total, 9);
        }
        expect(because.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 9);
      }
    }
    // The data has history items that pushed recommended items down: they are the ones left out.
    expect(negativesSeen).toBeGreaterThan(0);
  });

  it('lists only positive weights as similar items, largest first', async () => {
    const model = await InMemoryModel.build(matrix, {
      spec: { model: 'ease', lambda: LAMBDA, k: 11, method: 'exact' },
    });
    for (let j = 0; j < items; j++) {
      const expected = weights[j]
        .map((weight, i) => ({ i, weight }))
        .filter(({ i, weight }) => i !== j && weight > 0)
        .sort((a, b) => b.weight - a.weight || (`i${a.i}` < `i${b.i}` ? -1 : 1))
        .slice(0, 5);
      const similar = model.similarItems(`i${j}`, 5) ?? [];
      expect(similar.map((n) => n.id)).toEqual(expected.map(({ i }) => `i${i}`));
    }
  });

  it('refuses a row-kind list that leaves out the rows the model is served from', async () => {
    const refusal = await computeModelBlocks(matrix, {
      spec: { model: 'ease', lambda: LAMBDA, k: 5, method: 'exact' },
      models: ['user'],
    }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UserInputError);
    expect((refusal as UserInputError).message).toMatch(/served from item rows/);
  });

  it('builds user rows for user-knn and answers from them by default, with item rows beside them', async () => {
    const similarity = { measure: 'cosine' as const, k: 5, shrinkage: 0, minSupport: 1, implicit: false };
    const model = await InMemoryModel.build(matrix, { spec: { model: 'user-knn', similarity } });
    expect(model.models.sort()).toEqual(['item', 'user']);
    expect(model.recommendForUser('u0').algorithm).toBe('user');
  });
});
