// The build's validation with a catalogue: content and hybrid candidates, chosen by NDCG@10 as the CF models are.
// The catalogue is built here from the synthetic generator's own taste factors (docs/SYNTHETIC.md): an item's tags
// name its factor(s) and its genre, so its text reveals what its users like; the control has random tags.
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';
import { resolveContentOptions } from '../../functions/engine/content/index.js';
import { buildRatingMatrix, ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { validationSplit } from '../../functions/engine/evaluate/index.js';
import { HYBRID_EVIDENCE_GRID } from '../../functions/engine/models/index.js';
import { parseModelConfig, validateConfigModels } from '../../functions/engine/pipeline.js';
import { InMemoryModel } from '../../functions/engine/recommend/index.js';
import { syntheticCatalogue, syntheticLog, type SyntheticOptions } from '../../functions/engine/synthetic/index.js';
import { cosineTopK } from '../support/brute-force.js';

// Sparse (5 interactions per user over 800 items) and without a popularity skew: the kind of data where CF alone
// knows little about most items and the held-out (latest) items are often barely seen in the training part.
const OPTIONS: SyntheticOptions = { users: 300, items: 800, ratings: 1500, seed: 5, zipf: 0 };
const matrix = buildRatingMatrix(syntheticLog(OPTIONS)).matrix;
const items = syntheticCatalogue(OPTIONS);

function factorEntries(): Map<string, CatalogueEntry> {
  const entries = new Map<string, CatalogueEntry>();
  for (let i = 0; i < OPTIONS.items; i++) {
    const tags = [`f${items.factor[i]}`];
    if (items.secondFactor[i] >= 0) tags.push(`f${items.secondFactor[i]}`);
    entries.set(`i${i}`, { item: `i${i}`, tags, categories: [`g${items.cluster[i]}`] });
  }
  return entries;
}

/** The same shape of tags, drawn at random (its own LCG): no signal about taste. */
function randomEntries(): Map<string, CatalogueEntry> {
  let state = 12345;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const genres = Math.max(...items.cluster) + 1;
  const entries = new Map<string, CatalogueEntry>();
  for (let i = 0; i < OPTIONS.items; i++)
    entries.set(`i${i}`, { item: `i${i}`, tags: [`f${next(items.factors)}`], categories: [`g${next(genres)}`] });
  return entries;
}

// Item rows only: user-knn is not what this is about, and leaving it out keeps the test short.
const config = parseModelConfig({ model: 'auto', models: ['item'] });
const isCf = (model: string | undefined): boolean => model === 'ease' || model === 'item-knn';

describe('validation with a catalogue under auto', () => {
  it('scores content, then one hybrid per β on the best CF candidate; with factor tags the hybrid wins', async () => {
    const { report, chosen } = await validateConfigModels(matrix, config, { catalogue: factorEntries() });
    const names = report.candidates.map(({ name }) => name);
    expect(names).toContain('content (tfidf, k 50)');
    const cf = report.candidates.filter(({ spec }) => isCf(spec?.model));
    const bestCf = cf.reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    const hybrids = report.candidates.filter(({ spec }) => spec?.model === 'hybrid');
    expect(hybrids.map(({ spec }) => (spec?.model === 'hybrid' ? spec.evidence : undefined))).toEqual([
      ...HYBRID_EVIDENCE_GRID,
    ]);
    for (const { spec } of hybrids) expect(spec?.model === 'hybrid' && spec.cf).toEqual(bestCf.spec);
    // The hybrids come after every CF candidate (the λ widening included).
    expect(names.indexOf(hybrids[0].name)).toBeGreaterThan(names.indexOf(cf[cf.length - 1].name));

    const bestHybrid = hybrids.reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    expect(bestHybrid.ndcg).toBeGreaterThan(bestCf.ndcg);
    expect(chosen.model).toBe('hybrid');
    expect(report.chosen).toBe(bestHybrid.name);
  }, 120_000);

  it('with random tags (no signal) chooses neither content nor a hybrid', async () => {
    const { report, chosen } = await validateConfigModels(matrix, config, { catalogue: randomEntries() });
    expect(report.candidates.some(({ spec }) => spec?.model === 'hybrid')).toBe(true);
    expect(report.candidates.some(({ spec }) => spec?.model === 'content')).toBe(true);
    expect(isCf(chosen.model)).toBe(true);
  }, 120_000);

  it('without a catalogue tries neither', async () => {
    const { report } = await validateConfigModels(matrix, config);
    expect(report.candidates.every(({ spec }) => spec === undefined || isCf(spec.model))).toBe(true);
  }, 120_000);
});

describe('cold items in the validation’s training part', () => {
  // 3 groups of 10 items (tag g0, g1, g2: each in a third of the catalogue). Each user takes 3 of its group's 6
  // head items, and 12 of them one of its 4 tail items too: a tail item has exactly one interaction, so it is
  // cold in the training part whenever that one is held out.
  let state = 7;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const dense = Array.from({ length: 45 }, (_, u) => {
    const group = u % 3;
    const row = new Array<number>(30).fill(0);
    while (row.filter((v) => v !== 0).length < 3) row[group * 10 + next(6)] = 1;
    if (Math.floor(u / 3) < 4) row[group * 10 + 6 + Math.floor(u / 3)] = 1;
    return row;
  });
  const small = ratingMatrixFromDense(dense);
  const catalogue = new Map<string, CatalogueEntry>(
    Array.from({ length: 30 }, (_, i) => [`i${i}`, { item: `i${i}`, tags: [`g${Math.floor(i / 10)}`] }]),
  );

  it('an item whose only interactions were held out is recommended by content rows, never by item-knn rows', async () => {
    const split = validationSplit(small, { users: 45, seed: 1 });
    const { train } = split;
    const trainCount = (item: number): number => train.byItem.indptr[item + 1] - train.byItem.indptr[item];
    const content = await InMemoryModel.build(train, {
      spec: { model: 'content', content: resolveContentOptions({}) },
      catalogue,
    });
    const knn = await InMemoryModel.build(train, { spec: { model: 'item-knn', similarity: cosineTopK(50) } });
    let cold = 0;
    for (const [user, held] of split.test) {
      const userId = train.users.idAt(user);
      const fromContent = content.recommendForUser(userId, { limit: 10 }).items.map(({ item }) => item);
      const fromKnn = knn.recommendForUser(userId, { limit: 10 }).items.map(({ item }) => item);
      for (const item of held) {
        if (trainCount(item) > 0) continue;
        cold++;
        // Same group as the user's training items: every group member has cosine 1 with them, and there are at
        // most 10 − (items seen) of them, so a cold member is in the top 10.
        expect(fromContent).toContain(train.items.idAt(item));
        expect(fromKnn).not.toContain(train.items.idAt(item));
      }
    }
    expect(cold).toBeGreaterThan(0);
  });
});
