// The model a version serves, through the API on the real DynamoModelStore: recommendations default to the active
// version's served rows (user rows for user-knn, item rows for EASE and item-knn, item rows for versions stored
// before models were named), every response names the model that produced it, and the dataset status shows each
// version's model and validation. Expected scores are worked out by hand from the rows in ./fixture.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import type { VersionInfo, VersionValidation } from '../../functions/adapters/store-contract.js';
import { createApp } from '../../functions/api/app.js';
import type { ModelSpec } from '../../functions/engine/models/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, type ModelKind } from '../../functions/engine/types.js';
import {
  createTestStore,
  FILMS,
  ODD_USER,
  recordingLogger,
  recordingMetrics,
  SLASH_ITEM,
  versionInfo,
  writeModel,
} from './fixture.js';

const EASE: ModelSpec = { model: 'ease', lambda: 250, k: 200, method: 'exact' };
const USER_KNN: ModelSpec = { model: 'user-knn', similarity: { ...DEFAULT_SIMILARITY_OPTIONS } };
const VALIDATION: VersionValidation = {
  k: 10,
  chosen: 'ease (λ 250, K 200, exact)',
  reason: 'ease (λ 250, K 200, exact) has the best validation NDCG@10.',
  split: { kind: 'random', share: 0.2, users: 3, heldOut: 3 },
  candidates: [
    { name: 'popularity', model: 'popularity', ndcg: 0.1, recall: 0.2, hitRate: 0.3, coverage: 0.4 },
    { name: 'ease (λ 250, K 200, exact)', model: 'ease', ndcg: 0.5, recall: 0.6, hitRate: 0.7, coverage: 0.8 },
  ],
};

let app: ReturnType<typeof createApp>;

/** FILMS written as `dataset` v1, recorded as serving `model` (with `models` rows), then activated. */
async function writeServed(
  store: DynamoModelStore,
  dataset: string,
  model: ModelSpec,
  models: ModelKind[],
  validation?: VersionValidation,
): Promise<void> {
  const writer = store.createVersionWriter(dataset, 'v1');
  if (models.includes('item'))
    for (const [item, row] of Object.entries(FILMS.itemNeighbours)) await writer.putItemNeighbours(item, row);
  if (models.includes('user'))
    for (const [user, row] of Object.entries(FILMS.userNeighbours)) await writer.putUserNeighbours(user, row);
  for (const [user, history] of Object.entries(FILMS.histories)) await writer.putUserHistory(user, history);
  await writer.putPopularity(FILMS.popularity);
  await writer.flush();
  const base = versionInfo(dataset, 'v1', '2024-05-01T10:00:00.000Z#1', models);
  const info: VersionInfo = { ...base, options: { ...base.options, model }, ...(validation ? { validation } : {}) };
  expect(await store.activateVersion(dataset, info, 3)).toBe('activated');
}

beforeAll(async () => {
  const { store } = await createTestStore();
  await writeServed(store, 'films-ease', EASE, ['item'], VALIDATION);
  await writeServed(store, 'films-uknn', USER_KNN, ['user', 'item']);
  await writeModel(store, 'films-legacy', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1'); // no `model`
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

interface Body {
  algorithm: string;
  model: string;
  items: { item: string; score: number; because?: { id: string; kind: string; share: number }[] }[];
}

async function get(path: string): Promise<Body> {
  const response = await app.request(path);
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

const scores = (body: Body) => body.items.map(({ item, score }) => [item, Number(score.toFixed(10))]);

describe('the served model', () => {
  it('EASE: item rows by default, model "ease", explanations name the contributing history items', async () => {
    const body = await get('/v1/datasets/films-ease/users/u1/recommendations');
    expect(body).toMatchObject({ algorithm: 'item', model: 'ease' });
    // u1 = {m1: 5, m2: 3}: m3 = 0.5·5 + 0.6·3 = 4.3, a/b = 0.4·5 = 2, m4 = 0.2·3 = 0.6.
    expect(scores(body)).toEqual([
      ['m3', 4.3],
      [SLASH_ITEM, 2],
      ['m4', 0.6],
    ]);
    const because = body.items[0].because!;
    expect(because.map(({ id, kind }) => [id, kind])).toEqual([
      ['m1', 'item'],
      ['m2', 'item'],
    ]);
    expect(because[0].share).toBeCloseTo(2.5 / 4.3, 10);
    expect(because[1].share).toBeCloseTo(1.8 / 4.3, 10);

    const posted = await app.request('/v1/datasets/films-ease/recommendations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ history: [{ item: 'm3', rating: 2 }] }),
    });
    // m3's row: m2 = 0.6·2 = 1.2, m1 = 0.5·2 = 1.
    expect(await posted.json()).toMatchObject({ model: 'ease', items: [{ item: 'm2' }, { item: 'm1' }] });
  });

  it('EASE has no user rows: algorithm=user is 409 model-not-built', async () => {
    expect((await app.request('/v1/datasets/films-ease/users/u1/recommendations?algorithm=user')).status).toBe(409);
  });

  it('user-knn: user rows by default, item-knn rows when asked', async () => {
    const body = await get('/v1/datasets/films-uknn/users/u1/recommendations');
    expect(body).toMatchObject({ algorithm: 'user', model: 'user-knn' });
    // Neighbours u2 (0.7: m3 4, m4 2) and ODD_USER (0.3: c#d 2, m1 seen): m3 2.8, m4 1.4, c#d 0.6.
    expect(scores(body)).toEqual([
      ['m3', 2.8],
      ['m4', 1.4],
      ['c#d', 0.6],
    ]);
    const items = await get('/v1/datasets/films-uknn/users/u1/recommendations?algorithm=item');
    expect(items).toMatchObject({ algorithm: 'item', model: 'item-knn' });
    expect(scores(items)[0]).toEqual(['m3', 4.3]);
  });

  it('a version stored before models were named serves its item rows by default, as item-knn', async () => {
    const body = await get('/v1/datasets/films-legacy/users/u1/recommendations');
    expect(body).toMatchObject({ algorithm: 'item', model: 'item-knn' });
    expect(scores(body)[0]).toEqual(['m3', 4.3]);
    expect(
      await get(`/v1/datasets/films-legacy/users/${encodeURIComponent(ODD_USER)}/recommendations?algorithm=user`),
    ).toMatchObject({ algorithm: 'user', model: 'user-knn' });
  });

  it('a popularity fallback says model "popularity"', async () => {
    expect(await get('/v1/datasets/films-ease/users/nobody/recommendations')).toMatchObject({
      algorithm: 'popularity',
      model: 'popularity',
      fallback: { reason: 'unknown-user' },
    });
  });

  it('the dataset status shows each version model and validation', async () => {
    const ease = (await (await app.request('/v1/datasets/films-ease')).json()) as {
      versions: { model: unknown; validation?: unknown }[];
    };
    expect(ease.versions[0].model).toEqual({ name: 'ease', label: 'ease (λ 250, K 200, exact)', spec: EASE });
    expect(ease.versions[0].validation).toEqual(VALIDATION);
    const legacy = (await (await app.request('/v1/datasets/films-legacy')).json()) as typeof ease;
    expect(legacy.versions[0].model).toMatchObject({ name: 'item-knn', label: 'item-knn (cosine, k 50)' });
    expect(legacy.versions[0].validation).toBeUndefined();
  });

  it('is documented in /openapi.json', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
      paths: Record<string, { get?: { parameters?: { name: string; required?: boolean }[] } }>;
    };
    const { schemas } = doc.components;
    expect(schemas.Recommendations.properties?.model?.enum).toEqual([
      'ease',
      'item-knn',
      'content',
      'hybrid',
      'user-knn',
      'popularity',
    ]);
    expect(Object.keys(schemas.ModelVersion.properties ?? {})).toEqual(expect.arrayContaining(['model', 'validation']));
    expect(Object.keys(schemas.Job.properties ?? {})).toEqual(
      expect.arrayContaining(['validation', 'activated', 'message']),
    );
    const algorithm = doc.paths['/v1/datasets/{dataset}/users/{userId}/recommendations'].get?.parameters?.find(
      (p) => p.name === 'algorithm',
    );
    expect(algorithm?.required).not.toBe(true);
  });
});
