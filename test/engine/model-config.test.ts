// The build options' one schema: config files, the engine's direct entry points and the file pipeline agree on
// defaults, rules and messages.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { parseModelConfig, resolveModelKinds, similarityOptionsOf } from '../../functions/engine/model-config.js';
import { buildModel } from '../../functions/engine/pipeline.js';
import { InMemoryModel } from '../../functions/engine/recommend/index.js';
import { resolveSimilarityOptions } from '../../functions/engine/similarity/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, type SimilarityOptions } from '../../functions/engine/types.js';
import { documentedSimilarityOptions } from '../support/brute-force.js';
import { userInputErrorOf } from '../support/user-input-error.js';

const rejection = userInputErrorOf;

describe('parseModelConfig', () => {
  it('fills every default: model auto (no model, no row list), the default similarity, evaluation on, 3 versions kept', () => {
    // shrinkage is left unset in the config: its default depends on the measure (see the next test)
    const { shrinkage: _byMeasure, ...similarityDefaults } = DEFAULT_SIMILARITY_OPTIONS;
    expect(parseModelConfig({})).toEqual({
      ...similarityDefaults,
      ease: { k: 200, method: 'auto' },
      evaluate: true,
      evaluation: { users: 2000, seed: 1 },
      versionsKept: 3,
      maxRejectedShare: 0.1,
      limits: {},
      input: {},
      catalogue: { columns: {}, attributes: [] },
      // The documented content defaults (engine/content/config.ts), written out: title words count double.
      content: {
        fields: { title: 2, text: 1, tags: 1, categories: 1, series: 1, attributes: 1 },
        scheme: 'tfidf',
        k: 50,
        minDf: 2,
        maxDfShare: 0.5,
      },
      hybrid: {},
      pseudonymizeUsers: false,
      trending: { windowDays: 7, halfLifeDays: 2 },
    });
    expect(parseModelConfig(undefined).models).toBeUndefined();
    expect(parseModelConfig({ models: ['user', 'item'] }).models).toEqual(['user', 'item']);
    expect(parseModelConfig({ models: ['user'] }).models).toEqual(['user']);
  });

  it('defaults shrinkage by measure: 100 for pearson and adjusted-cosine, 0 otherwise; an explicit value wins', () => {
    const shrinkageOf = (config: object) => similarityOptionsOf(parseModelConfig(config)).shrinkage;
    expect(shrinkageOf({})).toBe(0);
    expect(shrinkageOf({ measure: 'jaccard' })).toBe(0);
    expect(shrinkageOf({ measure: 'pearson' })).toBe(100);
    expect(shrinkageOf({ measure: 'adjusted-cosine' })).toBe(100);
    expect(shrinkageOf({ measure: 'pearson', shrinkage: 0 })).toBe(0);
    expect(shrinkageOf({ measure: 'cosine', shrinkage: 7 })).toBe(7);
    expect(resolveSimilarityOptions({ measure: 'pearson' }).shrinkage).toBe(100);
    expect(resolveSimilarityOptions({ measure: 'adjusted-cosine', shrinkage: 3 }).shrinkage).toBe(3);
    expect(resolveSimilarityOptions({ measure: 'cosine' }).shrinkage).toBe(0);
    for (const measure of ['cosine', 'adjusted-cosine', 'pearson', 'jaccard'] as const)
      expect(resolveSimilarityOptions({ measure })).toEqual(documentedSimilarityOptions({ measure }));
  });

  it.each([
    [[], '[]'],
    [['item', 'item'], '["item","item"]'],
    ['item', '"item"'],
    [null, 'null'],
  ])('rejects models %j, naming the field, the rule and the value', (models, got) => {
    const error = rejection(() => parseModelConfig({ models }, 'uploads/d/config.json'));
    expect(error.where).toBe('uploads/d/config.json');
    expect(error.message).toBe(
      `invalid model configuration: models: must be a non-empty list of model kinds (item, user), each at most once (got ${got})`,
    );
  });

  it('names the entry of models that is not a kind', () => {
    const error = rejection(() => parseModelConfig({ models: ['item', 'ease'] }));
    expect(error.message).toBe(
      'invalid model configuration: models[1]: must be a model kind: one of item, user (got "ease")',
    );
  });

  it.each([
    ['item', '["item"]', '--models item'],
    ['user', '["user"]', '--models user'],
    ['both', '["item", "user"]', '--models item,user'],
  ])('rejects the replaced mode %s, saying how to write it with models', (mode, models, flag) => {
    const error = rejection(() => parseModelConfig({ measure: 'cosine', mode }, 'uploads/d/config.json'));
    expect(error.where).toBe('uploads/d/config.json');
    expect(error.message).toContain('"mode" was replaced by "models"');
    expect(error.hint).toContain(`"models": ${models}`);
    expect(error.hint).toContain(flag);
  });

  it('names unknown keys and lists the allowed ones', () => {
    const error = rejection(() => parseModelConfig({ neighbors: 20 }));
    expect(error.message).toContain('"neighbors"');
    expect(error.hint).toMatch(
      /allowed keys are model, measure, k, shrinkage, minSupport, implicit, models, ease, evaluate, evaluation, promotionGate, versionsKept, maxRejectedShare, limits, input/,
    );
  });

  it('lists every bad field in one message', () => {
    const error = rejection(() => parseModelConfig({ k: 0, versionsKept: 21, input: { format: 'xml' } }));
    expect(error.message).toContain('k: must be an integer from 1 to 500 (got 0)');
    expect(error.message).toContain('versionsKept: must be an integer from 1 to 20 (got 21)');
    expect(error.message).toContain('input.format: ');
    expect(error.message).toContain('(got "xml")');
  });

  // One rule per field: a value the direct entry point refuses, the config refuses with the same sentence.
  it.each<[keyof SimilarityOptions, unknown]>([
    ['measure', 'euclid'],
    ['k', 501],
    ['k', 2.5],
    ['shrinkage', -1],
    ['shrinkage', 2e6],
    ['minSupport', 0],
    ['implicit', 'yes'],
  ])('gives %s = %j the same rule in a config and as a similarity option', (field, value) => {
    const direct = rejection(() => resolveSimilarityOptions({ [field]: value } as Partial<SimilarityOptions>));
    const configured = rejection(() => parseModelConfig({ [field]: value }));
    expect(direct.where).toBe(field);
    const rule = /^similarity option \w+ (.*)$/.exec(direct.message)?.[1];
    expect(rule).toMatch(/^must be .* \(got .*\)$/);
    expect(configured.message).toBe(`invalid model configuration: ${field}: ${rule}`);
  });
});

describe('resolveModelKinds', () => {
  it('defaults to item only and keeps a valid list as given', () => {
    expect(resolveModelKinds(undefined)).toEqual(['item']);
    expect(resolveModelKinds(['user', 'item'])).toEqual(['user', 'item']);
  });

  it('refuses a bad list, naming models', () => {
    const error = rejection(() => resolveModelKinds(['user', 'user']));
    expect(error.where).toBe('models');
    expect(error.message).toBe(
      'model option models must be a non-empty list of model kinds (item, user), each at most once (got ["user","user"])',
    );
  });
});

describe('building exactly the configured kinds', () => {
  // u0 and u1 share i0; u1 and u2 share i1: every user and every rated item has a neighbour.
  const DENSE = [
    [5, 0, 0],
    [4, 3, 0],
    [0, 2, 1],
  ];
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'affinity-model-config-'));
    file = join(dir, 'ratings.csv');
    const lines = DENSE.flatMap((row, u) => row.flatMap((value, i) => (value ? [`u${u},i${i},${value}`] : [])));
    await writeFile(file, `user,item,rating\n${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([[['item']], [['user']], [['user', 'item']]] as const)(
    'the file pipeline with models %j: rows and timings for those kinds only',
    async (models) => {
      // `models` alone: the kNN model of those kinds, as before `model` existed; no evaluation asked for here.
      const built = await buildModel(file, { config: parseModelConfig({ models, evaluate: false }), threads: 1 });
      expect(built.model.models).toEqual([...models].sort());
      expect(Object.keys(built.timings)).toEqual([
        'parse',
        ...models.map((kind) => (kind === 'item' ? 'items' : 'users')),
        'total',
      ]);
      expect(built.model.itemNeighbours('i0') !== undefined).toBe(models.includes('item' as never));
      expect(built.model.userNeighbours('u0') !== undefined).toBe(models.includes('user' as never));
    },
  );

  it('InMemoryModel.build validates the same way before any work', async () => {
    const matrix = ratingMatrixFromDense(DENSE);
    await expect(InMemoryModel.build(matrix, { models: [] })).rejects.toThrow(/models must be a non-empty list/);
    await expect(InMemoryModel.build(matrix, { similarity: { k: 0 } })).rejects.toThrow(
      'similarity option k must be an integer from 1 to 500 (got 0)',
    );
  });
});
