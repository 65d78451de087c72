// A version answers only with the models it was built with: asking an item-only version for user-based results
// (or a user-only one for item-based results) is a 409 model-not-built problem on every route, never a silent
// popularity fallback or a misleading 404. Expected scores are worked out by hand from the rows in ./fixture.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  HASH_ITEM,
  ODD_USER,
  recordingLogger,
  recordingMetrics,
  SLASH_ITEM,
  writeModel,
} from './fixture.js';

const ITEM_ONLY = 'films-items';
const USER_ONLY = 'films-users';

let store: DynamoModelStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const created = await createTestStore();
  store = created.store;
  await writeModel(created.store, ITEM_ONLY, 'v1', FILMS, '2024-05-01T10:00:00.000Z#1', ['item']);
  await writeModel(created.store, USER_ONLY, 'v1', FILMS, '2024-05-01T10:00:00.000Z#1', ['user']);
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

interface Problem {
  type: string;
  status: number;
  detail: string;
  hint?: string;
}

const request = (path: string, body?: unknown, target = app) =>
  target.request(
    path,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
  );

async function expectModelNotBuilt(response: Response, dataset: string, missing: 'item' | 'user'): Promise<void> {
  expect(response.status).toBe(409);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const problem = (await response.json()) as Problem;
  expect(problem.type).toBe('urn:affinity:problem:model-not-built');
  expect(problem.status).toBe(409);
  expect(problem.detail).toContain(`"${dataset}"`);
  expect(problem.detail).toContain(`version v1`);
  expect(problem.detail).toContain(`no ${missing} model`);
  expect(problem.hint).toContain('"models": ["item", "user"]');
  expect(problem.hint).toContain(`uploads/${dataset}/config.json`);
}

async function itemsOf(response: Response): Promise<[string, number][]> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items: { item: string; score: number }[] };
  return body.items.map(({ item, score }) => [item, Number(score.toFixed(10))]);
}

async function similarOf(response: Response): Promise<[string, number][]> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { similar: { id: string; similarity: number }[] };
  return body.similar.map(({ id, similarity }) => [id, similarity]);
}

describe('a version built item-only', () => {
  const base = `/v1/datasets/${ITEM_ONLY}`;

  it('answers item-based recommendations, history recommendations and similar items as usual', async () => {
    // u1 = {m1: 5, m2: 3}: m3 = 0.5·5 + 0.6·3, a/b = 0.4·5, m4 = 0.2·3.
    expect(await itemsOf(await request(`${base}/users/u1/recommendations`))).toEqual([
      ['m3', 4.3],
      [SLASH_ITEM, 2],
      ['m4', 0.6],
    ]);
    // c#d (2) -> m4 0.8·2, m5 0.3·2.
    expect(
      await itemsOf(await request(`${base}/recommendations`, { history: [{ item: HASH_ITEM, rating: 2 }] })),
    ).toEqual([
      ['m4', 1.6],
      ['m5', 0.6],
    ]);
    expect(await similarOf(await request(`${base}/items/m1/similar`))).toEqual([
      ['m2', 0.9],
      ['m3', 0.5],
      [SLASH_ITEM, 0.4],
    ]);
  });

  it('user-based recommendations are 409 model-not-built, for known and unknown users alike', async () => {
    await expectModelNotBuilt(await request(`${base}/users/u1/recommendations?algorithm=user`), ITEM_ONLY, 'user');
    await expectModelNotBuilt(await request(`${base}/users/nobody/recommendations?algorithm=user`), ITEM_ONLY, 'user');
  });

  it('similar users is 409 model-not-built (not 404 "no similar users")', async () => {
    await expectModelNotBuilt(await request(`${base}/users/u1/similar`), ITEM_ONLY, 'user');
  });
});

describe('a version built user-only', () => {
  const base = `/v1/datasets/${USER_ONLY}`;

  it('answers user-based recommendations and similar users as usual', async () => {
    // u1's neighbours u2 (0.7: m3 4, m4 2) and ODD_USER (0.3: c#d 2, m1 1, seen): m3 2.8, m4 1.4, c#d 0.6.
    expect(await itemsOf(await request(`${base}/users/u1/recommendations?algorithm=user`))).toEqual([
      ['m3', 2.8],
      ['m4', 1.4],
      [HASH_ITEM, 0.6],
    ]);
    expect(await similarOf(await request(`${base}/users/u1/similar`))).toEqual([
      ['u2', 0.7],
      [ODD_USER, 0.3],
    ]);
  });

  it('item-based recommendations for a user (the default algorithm) are 409 model-not-built', async () => {
    await expectModelNotBuilt(await request(`${base}/users/u1/recommendations`), USER_ONLY, 'item');
    await expectModelNotBuilt(await request(`${base}/users/u1/recommendations?algorithm=item`), USER_ONLY, 'item');
  });

  it('recommendations for a posted history are 409 model-not-built, even for an empty history', async () => {
    await expectModelNotBuilt(
      await request(`${base}/recommendations`, { history: [{ item: HASH_ITEM, rating: 2 }] }),
      USER_ONLY,
      'item',
    );
    await expectModelNotBuilt(await request(`${base}/recommendations`, { history: [] }), USER_ONLY, 'item');
  });

  it('similar items is 409 model-not-built (not 404 "no similar items")', async () => {
    await expectModelNotBuilt(await request(`${base}/items/m1/similar`), USER_ONLY, 'item');
  });
});

describe('model-not-built', () => {
  it('is decided from the manifest alone: no row is read', async () => {
    const calls: string[] = [];
    const counting = new Proxy(store, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(property));
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
    const counted = createApp({ store: counting, logger: recordingLogger(), metrics: recordingMetrics() });
    expect(
      (await request(`/v1/datasets/${ITEM_ONLY}/users/u1/recommendations?algorithm=user`, undefined, counted)).status,
    ).toBe(409);
    expect(calls).toEqual(['getManifest', 'getTombstones']); // one round: the tombstones are read with the manifest
  });

  it('popular items need no model and are served by either version', async () => {
    for (const dataset of [ITEM_ONLY, USER_ONLY])
      expect((await request(`/v1/datasets/${dataset}/popular?limit=1`)).status).toBe(200);
  });

  it('is documented as a 409 problem on exactly the routes that need a model (or the trending list)', async () => {
    const doc = (await (await request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation.responses['409']?.description.includes('model-not-built'))
          .map(([method]) => `${method} ${path}`),
      )
      .sort();
    expect(documented).toEqual(
      [
        'get /v1/datasets/{dataset}/users/{userId}/recommendations',
        'post /v1/datasets/{dataset}/recommendations',
        'get /v1/datasets/{dataset}/items/{itemId}/similar',
        'get /v1/datasets/{dataset}/users/{userId}/similar',
        // Not a model kind but the version's trending list, which data without timestamps does not get.
        'get /v1/datasets/{dataset}/trending',
      ].sort(),
    );
  });
});
