// The build's validation: the split, the choice by NDCG@10, the gate, against hand-derived expectations.
import { describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { gateDecision, validateModels, validationSplit } from '../../functions/engine/evaluate/index.js';
import type { ModelSpec } from '../../functions/engine/models/index.js';
import { resolveContentOptions } from '../../functions/engine/content/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';
import { randomDense } from './ease-helpers.js';

const knn = (model: 'item-knn' | 'user-knn', k = 20): ModelSpec => ({
  model,
  similarity: { measure: 'cosine', k, shrinkage: 0, minSupport: 1, implicit: false },
});

/** Timestamps t[p] = the entry's position, so each user's latest entries are the ones stored last. */
function withTimestamps(matrix: RatingMatrix, time: (user: number, slot: number) => number): RatingMatrix {
  const { indptr } = matrix.byUser;
  const timestamps = new Float64Array(matrix.byUser.indices.length);
  for (let u = 0; u < matrix.byUser.rows; u++)
    for (let p = indptr[u]; p < indptr[u + 1]; p++) timestamps[p] = time(u, p - indptr[u]);
  return { ...matrix, timestamps };
}

describe('validationSplit', () => {
  const dense = randomDense(40, 15, 0.4, 5);

  it('holds out each sampled user’s latest round(0.2·n) interactions (1 to n − 1), the rest stay in train', () => {
    // Time runs backwards over the stored order: the latest interactions are the first stored.
    const matrix = withTimestamps(ratingMatrixFromDense(dense), (_u, slot) => 1000 - slot);
    const split = validationSplit(matrix, { users: 10, seed: 3 });
    expect(split.kind).toBe('time');
    expect(split.users).toHaveLength(10);
    for (let u = 0; u < dense.length; u++) {
      const rated = dense[u].flatMap((x, i) => (x ? [i] : []));
      const held = split.test.get(u);
      const train = [
        ...split.train.byUser.indices.slice(split.train.byUser.indptr[u], split.train.byUser.indptr[u + 1]),
      ];
      if (!split.users.includes(u)) {
        expect(held).toBeUndefined();
        expect(train).toEqual(rated);
        continue;
      }
      const h = Math.min(rated.length - 1, Math.max(1, Math.round(0.2 * rated.length)));
      expect([...held!].sort((a, b) => a - b)).toEqual(rated.slice(0, h)); // the first stored are the latest
      expect(train).toEqual(rated.slice(h));
    }
  });

  it('without timestamps holds out a seeded random share, the same for the same seed', () => {
    const matrix = ratingMatrixFromDense(dense);
    const a = validationSplit(matrix, { users: 1000, seed: 9 });
    const b = validationSplit(matrix, { users: 1000, seed: 9 });
    expect(a.kind).toBe('random');
    expect(a.users.length).toBe(dense.filter((row) => row.filter(Boolean).length >= 2).length);
    expect([...a.test].map(([u, s]) => [u, [...s]])).toEqual([...b.test].map(([u, s]) => [u, [...s]]));
    let heldTotal = 0;
    for (const u of a.users) heldTotal += a.test.get(u)!.size;
    expect(a.train.byUser.indices.length + heldTotal).toBe(matrix.byUser.indices.length);
  });
});

describe('validateModels', () => {
  // Items come in pairs (2p, 2p+1) that are always consumed together, each user takes 4 random pairs, and every
  // item is equally popular: the held-out partner of a training item is what a model should find, so an
  // item-based model nearly always ranks it first while popularity is a guess among 40 items.
  const pairs = 20;
  const users = 300;
  let state = 7;
  const random = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const dense = Array.from({ length: users }, () => {
    const row = new Array<number>(2 * pairs).fill(0);
    for (let taken = 0; taken < 4;) {
      const p = Math.floor(random() * pairs);
      if (row[2 * p]) continue;
      row[2 * p] = row[2 * p + 1] = 1;
      taken++;
    }
    return row;
  });
  const matrix = ratingMatrixFromDense(dense);
  const candidates = [knn('user-knn'), knn('item-knn'), { model: 'ease', lambda: 1, k: 20, method: 'exact' } as const];

  it('chooses the candidate with the highest NDCG@10; popularity is scored first and never chosen', async () => {
    const { report, chosen } = await validateModels(matrix, { candidates, users: 200, seed: 1 });
    expect(report.candidates.map((c) => c.name)).toEqual([
      'popularity',
      'user-knn (cosine, k 20)',
      'item-knn (cosine, k 20)',
      'ease (λ 1, K 20, exact)',
    ]);
    const best = report.candidates.slice(1).reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    expect(report.chosen).toBe(best.name);
    expect(chosen).toEqual(best.spec);
    // The pair structure: an item model finds the partner; popularity cannot.
    expect(best.ndcg).toBeGreaterThan(0.6);
    expect(report.candidates[0].ndcg).toBeLessThan(0.35);
    expect(report.reason).toContain(best.ndcg.toFixed(4));
    expect(report.split).toMatchObject({ kind: 'random', users: 200, share: 0.2, seed: 1 });
  });

  it('widens one candidate at a time after the list while `next` names one, at most maxSteps', async () => {
    const offered: ModelSpec[] = [];
    const extra = [knn('item-knn', 20), knn('user-knn', 2), knn('user-knn', 3)];
    const { report } = await validateModels(matrix, {
      candidates: [knn('user-knn', 1)],
      users: 200,
      seed: 1,
      widen: {
        maxSteps: 2,
        next: (scored) => {
          // It sees every score so far: the list's, then each widened one's.
          expect(scored).toHaveLength(2 + offered.length);
          const spec = extra[offered.length];
          offered.push(spec);
          return spec;
        },
      },
    });
    expect(offered).toHaveLength(2); // maxSteps
    expect(report.candidates.map((c) => c.name)).toEqual([
      'popularity',
      'user-knn (cosine, k 1)',
      'item-knn (cosine, k 20)',
      'user-knn (cosine, k 2)',
    ]);
    const best = report.candidates.slice(1).reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    expect(report.chosen).toBe(best.name);
    expect(best.name).toBe('item-knn (cosine, k 20)'); // item-knn finds every partner
  });

  it('gives the same table for the same data and seed', async () => {
    const strip = (r: Awaited<ReturnType<typeof validateModels>>['report']) =>
      r.candidates.map(({ name, ndcg, recall, hitRate, coverage }) => ({ name, ndcg, recall, hitRate, coverage }));
    const a = await validateModels(matrix, { candidates, users: 100, seed: 4 });
    const b = await validateModels(matrix, { candidates, users: 100, seed: 4 });
    expect(strip(a.report)).toEqual(strip(b.report));
  });

  it('with a gate, scores the active model on the same users and holds back a clearly worse one', async () => {
    // One neighbour user, who shares at most a pair or two: far below EASE, which finds every partner.
    const { report } = await validateModels(matrix, {
      candidates: [knn('user-knn', 1)],
      users: 200,
      seed: 1,
      gate: { maxNdcgDrop: 0.05, active: candidates[2] },
    });
    expect(report.active?.name).toBe('ease (λ 1, K 20, exact)');
    expect(report.gate?.passed).toBe(report.candidates[1].ndcg >= report.active!.ndcg * 0.95);
    expect(report.gate?.passed).toBe(false);
    expect(report.gate?.message).toContain(report.active!.ndcg.toFixed(4));
  });

  it('with a gate whose active model needs a catalogue this build lacks, says it did not compare', async () => {
    const active: ModelSpec = { model: 'content', content: resolveContentOptions({}) };
    const { report, chosen } = await validateModels(matrix, {
      candidates: [knn('item-knn')],
      users: 200,
      seed: 1,
      gate: { maxNdcgDrop: 0.05, active },
    });
    expect(chosen.model).toBe('item-knn');
    expect(report.gate).toBeUndefined();
    expect(report.active).toBeUndefined();
    expect(report.reason).toContain('The promotion gate did not compare: the active model, content (tfidf, k 50)');
  });
});

describe('gateDecision', () => {
  it('fails exactly below active × (1 − maxNdcgDrop)', () => {
    expect(gateDecision(0.375, 0.5, 0.25, 'a').passed).toBe(true); // 0.375 = 0.5 × 0.75, exact in binary
    expect(gateDecision(0.3749, 0.5, 0.25, 'a').passed).toBe(false);
    expect(gateDecision(0.5, 0.4, 0, 'a').passed).toBe(true);
    expect(gateDecision(0.39, 0.4, 0, 'a').message).toMatch(/held this version back.*0\.3900.*0\.4000/);
  });
});
