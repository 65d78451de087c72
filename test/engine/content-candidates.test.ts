// Which content and hybrid candidates a config asks for, and the refusals without a catalogue.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import {
  candidateSpecs,
  describeSpec,
  hybridCount,
  hybridSpecs,
  hybridStageOf,
  sameSpec,
  type ModelSpec,
} from '../../functions/engine/models/index.js';
import { buildModel, parseModelConfig, validateConfigModels } from '../../functions/engine/pipeline.js';
import { UserInputError } from '../../functions/engine/types.js';
import { userInputErrorOf } from '../support/user-input-error.js';
import { randomDense } from './ease-helpers.js';

const dense = randomDense(60, 12, 0.35, 3);
const matrix = ratingMatrixFromDense(dense);
// Tags split the items in three groups of four (each tag in 4 of 12 items: within maxDfShare 0.5).
const CATALOGUE = new Map<string, CatalogueEntry>(
  Array.from({ length: 12 }, (_, i) => [`i${i}`, { item: `i${i}`, tags: [`g${i % 3}`], categories: [`c${i % 4}`] }]),
);
const models = (specs: readonly ModelSpec[]): string[] => specs.map(({ model }) => model);

describe('candidateSpecs with a catalogue', () => {
  it('under auto lists content after the CF candidates; without a catalogue neither content nor hybrid', () => {
    const config = parseModelConfig({});
    expect(models(candidateSpecs(config, matrix, true, true))).toEqual([
      'item-knn',
      'user-knn',
      'ease',
      'ease',
      'ease',
      'content',
    ]);
    expect(models(candidateSpecs(config, matrix, true, false))).toEqual([
      'item-knn',
      'user-knn',
      'ease',
      'ease',
      'ease',
    ]);
    expect(hybridStageOf(config, false)).toBeUndefined();
    expect(hybridStageOf(config, true)).toEqual({
      content: config.content,
      contentWeight: [0.1, 0.3, 1],
      evidence: [2],
      required: false,
    });
    // User rows only: no item rows to serve content from.
    expect(candidateSpecs(parseModelConfig({ model: 'auto', models: ['user'] }), matrix, true, true)).toEqual([
      { model: 'user-knn', similarity: expect.any(Object) },
    ]);
    expect(hybridStageOf(parseModelConfig({ model: 'auto', models: ['user'] }), true)).toBeUndefined();
  });

  it('named content is one candidate with the config’s content options; named hybrid is the CF stage', () => {
    const content = parseModelConfig({ model: 'content', content: { scheme: 'bm25', k: 20 } });
    expect(candidateSpecs(content, matrix, true, true)).toEqual([{ model: 'content', content: content.content }]);
    expect(describeSpec(candidateSpecs(content, matrix, true, true)[0])).toBe('content (bm25, k 20)');
    const hybrid = parseModelConfig({ model: 'hybrid', hybrid: { evidence: 5 } });
    expect(models(candidateSpecs(hybrid, matrix, true, true))).toEqual(['item-knn', 'ease', 'ease', 'ease']);
    expect(hybridStageOf(hybrid, true)).toMatchObject({ contentWeight: [0.1, 0.3, 1], evidence: [5], required: true });
    // Without a validation: one hybrid on EASE at the grid's middle λ, γ 0.1 and β 2 unless the config fixes them.
    const [alone] = candidateSpecs(parseModelConfig({ model: 'hybrid', evaluate: false }), matrix, false, true);
    expect(alone).toMatchObject({ model: 'hybrid', cf: { model: 'ease' }, contentWeight: 0.1, evidence: 2 });
    expect(describeSpec(alone)).toMatch(/^hybrid \(ease \(λ [0-9.]+, K 200, exact\), γ 0\.1, β 2\)$/);
    const fixed = parseModelConfig({ model: 'hybrid', evaluate: false, hybrid: { evidence: 5, contentWeight: 0.3 } });
    expect(candidateSpecs(fixed, matrix, false, true)).toMatchObject([
      { model: 'hybrid', contentWeight: 0.3, evidence: 5 },
    ]);
  });

  // The hybrids the validation scores on its best CF candidate, for each way a config may fix γ and β.
  it.each([
    [{}, [0.1, 0.3, 1].map((contentWeight) => [contentWeight, 2])],
    [{ contentWeight: 0.5 }, [[0.5, 2]]],
    [{ evidence: 8 }, [0.1, 0.3, 1].map((contentWeight) => [contentWeight, 8])],
    [{ contentWeight: 3, evidence: 0.5 }, [[3, 0.5]]],
  ])('hybrid %j: hybrids (γ, β) %j', (fields, expected) => {
    for (const model of ['auto', 'hybrid']) {
      const config = parseModelConfig({ model, hybrid: fields });
      const cf = candidateSpecs(config, matrix, true, true).find((spec) => spec.model === 'ease')!;
      const stage = hybridStageOf(config, true)!;
      const specs = hybridSpecs(cf, stage);
      expect(specs.map((spec) => (spec.model === 'hybrid' ? [spec.contentWeight, spec.evidence] : []))).toEqual(
        expected,
      );
      expect(hybridCount(stage)).toBe(expected.length);
      for (const spec of specs) expect(spec).toMatchObject({ model: 'hybrid', cf, content: config.content });
      // Each names its γ and β, and no two are the same model.
      const names = specs.map(describeSpec);
      expect(names).toEqual(expected.map(([g, b]) => `hybrid (${describeSpec(cf)}, γ ${g}, β ${b})`));
      for (let a = 0; a < specs.length; a++)
        for (let b = a + 1; b < specs.length; b++) expect(sameSpec(specs[a], specs[b])).toBe(false);
    }
  });

  it.each(['content', 'hybrid'])('refuses model %s without a catalogue, naming model', (model) => {
    const error = userInputErrorOf(() => candidateSpecs(parseModelConfig({ model }), matrix, true, false));
    expect(error.where).toBe('model');
    expect(error.message).toContain(`model ${model} needs the dataset's catalogue: upload uploads/<dataset>/items.csv`);
    expect(error.hint).toBeTruthy();
  });

  it.each(['content', 'hybrid'])(
    'buildModel refuses model %s without a catalogue before reading any data',
    async (model) => {
      const source = new Readable({
        read() {
          throw new Error('the source was read');
        },
      });
      const refusal = await buildModel(source, { config: parseModelConfig({ model }), fileName: 'r.csv' }).catch(
        (caught: unknown) => caught,
      );
      expect(refusal).toBeInstanceOf(UserInputError);
      expect(refusal).toMatchObject({ where: 'model' });
    },
  );

  it('refuses hybrid.contentWeight with a CF model, and a γ ≤ 0 or > 100, naming hybrid.contentWeight', () => {
    expect(userInputErrorOf(() => parseModelConfig({ model: 'ease', hybrid: { contentWeight: 1 } })).message).toMatch(
      /hybrid.contentWeight is read only with model "hybrid" or "auto", but model is "ease"/,
    );
    for (const contentWeight of [0, -1, 101, '1']) {
      const error = userInputErrorOf(() => parseModelConfig({ model: 'hybrid', hybrid: { contentWeight } }));
      expect(error.message).toMatch(/hybrid.contentWeight: must be a number > 0, at most 100/);
    }
    expect(parseModelConfig({ model: 'auto', hybrid: { contentWeight: 100 } }).hybrid.contentWeight).toBe(100);
  });

  it('refuses hybrid.evidence with a CF model (it would be ignored), and a β ≤ 0', () => {
    expect(userInputErrorOf(() => parseModelConfig({ model: 'ease', hybrid: { evidence: 3 } })).message).toMatch(
      /hybrid.evidence is read only with model "hybrid" or "auto"/,
    );
    expect(userInputErrorOf(() => parseModelConfig({ model: 'hybrid', hybrid: { evidence: 0 } })).message).toMatch(
      /hybrid.evidence: must be a number > 0/,
    );
  });

  it('tells content and hybrid specs apart by every option (sameSpec)', () => {
    const config = parseModelConfig({});
    const content: ModelSpec = { model: 'content', content: config.content };
    const reordered: ModelSpec = {
      model: 'content',
      content: Object.fromEntries(Object.entries(config.content).reverse()) as typeof config.content,
    };
    expect(sameSpec(content, reordered)).toBe(true);
    expect(sameSpec(content, { model: 'content', content: { ...config.content, k: 10 } })).toBe(false);
    const cf = candidateSpecs(config, matrix, true)[2];
    const hybrid = (evidence: number, contentWeight = 0.1): ModelSpec => ({
      model: 'hybrid',
      cf: cf as Extract<ModelSpec, { model: 'ease' }>,
      content: config.content,
      contentWeight,
      evidence,
    });
    expect(sameSpec(hybrid(2), hybrid(2))).toBe(true);
    expect(sameSpec(hybrid(2), hybrid(8))).toBe(false);
    expect(sameSpec(hybrid(2, 0.1), hybrid(2, 0.3))).toBe(false);
    expect(describeSpec(hybrid(2, 0.3))).toBe(`hybrid (${describeSpec(cf)}, γ 0.3, β 2)`);
    // A version stored before the spec held γ was built with γ 0.1: the same model as γ 0.1, not as 0.3.
    const { contentWeight: _, ...stored } = hybrid(2) as Extract<ModelSpec, { model: 'hybrid' }>;
    const legacy = stored as ModelSpec;
    expect(sameSpec(legacy, hybrid(2, 0.1))).toBe(true);
    expect(sameSpec(legacy, hybrid(2, 0.3))).toBe(false);
    expect(describeSpec(legacy)).toBe(`hybrid (${describeSpec(cf)}, γ 0.1, β 2)`);
  });
});

describe('validation of a named model', () => {
  it('hybrid: chooses the best hybrid whatever the CF candidates score, built on the best CF candidate', async () => {
    const config = parseModelConfig({ model: 'hybrid', evaluation: { users: 40, seed: 2 } });
    const { report, chosen } = await validateConfigModels(matrix, config, { catalogue: CATALOGUE });
    expect(chosen.model).toBe('hybrid');
    const hybrids = report.candidates.filter(({ spec }) => spec?.model === 'hybrid');
    expect(hybrids).toHaveLength(3);
    const best = hybrids.reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    expect(report.chosen).toBe(best.name);
    const cf = report.candidates.filter(({ spec }) => spec?.model === 'ease' || spec?.model === 'item-knn');
    const bestCf = cf.reduce((a, c) => (c.ndcg > a.ndcg ? c : a));
    expect(chosen.model === 'hybrid' && chosen.cf).toEqual(bestCf.spec);
  });

  it('content: the one candidate is chosen', async () => {
    const config = parseModelConfig({ model: 'content', evaluation: { users: 40, seed: 2 } });
    const { report, chosen } = await validateConfigModels(matrix, config, { catalogue: CATALOGUE });
    expect(report.candidates.map(({ name }) => name)).toEqual(['popularity', 'content (tfidf, k 50)']);
    expect(chosen).toEqual({ model: 'content', content: config.content });
  });
});
