// Recommendation, similarity and popularity routes against the real DynamoModelStore on the test dynalite.
// Expected scores are Σ similarity × rating worked out by hand from the rows in ./fixture.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ApiStore } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  HASH_ITEM,
  ODD_USER,
  recordingLogger,
  recordingMetrics,
  segment,
  SLASH_ITEM,
  SPACE_ITEM,
  UNICODE_ITEM,
  writeModel,
} from './fixture.js';

const DATASET = 'films';
let store: ApiStore;
let app: ReturnType<typeof createApp>;
const metrics = recordingMetrics();

interface Item {
  item: string;
  score: number;
  because?: { id: string; kind: string; similarity: number; value: number; share: number }[];
}
interface Body {
  dataset: string;
  version: string;
  userId?: string;
  algorithm: string;
  fallback?: { reason: string; algorithm: string };
  historyUsed: number;
  historyCapped: boolean;
  items: Item[];
}

/** Popularity order by hand: count desc, then mean desc: m1(3), m2(2, 4), m3(2, 3.5), m5(1, 5), m4(1, 2), a/b(1, 1). */
const POPULAR_ORDER = [
  { item: 'm1', score: 3 },
  { item: 'm2', score: 2 },
  { item: 'm3', score: 2 },
  { item: 'm5', score: 1 },
  { item: 'm4', score: 1 },
  { item: SLASH_ITEM, score: 1 },
];

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store as never, DATASET, 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  app = createApp({ store, logger: recordingLogger(), metrics });
});

async function get(path: string, target = app): Promise<{ status: number; body: Body; headers: Headers }> {
  const response = await target.request(path);
  return { status: response.status, body: (await response.json()) as Body, headers: response.headers };
}

async function post(
  path: string,
  payload: unknown,
  target = app,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const response = await target.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Body, headers: response.headers };
}

/** Items as [id, score] with scores compared to 10 decimals. */
function expectItems(items: Item[], expected: [string, number][]): void {
  expect(items.map((entry) => entry.item)).toEqual(expected.map(([item]) => item));
  items.forEach((entry, index) => expect(entry.score).toBeCloseTo(expected[index][1], 10));
}

/** Records which store methods a request called, in order; the calls go to the real store. */
function countingStore(target: ApiStore): { store: ApiStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('GET /v1/datasets/{dataset}/users/{userId}/recommendations', () => {
  it('item-based: scores are Σ sim·rating over the history, explained by the largest contributions', async () => {
    const { status, body, headers } = await get('/v1/datasets/films/users/u1/recommendations');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    // u1 = {m1: 5, m2: 3}; m1 and m2 are seen.
    expectItems(body.items, [
      ['m3', 0.5 * 5 + 0.6 * 3],
      [SLASH_ITEM, 0.4 * 5],
      ['m4', 0.2 * 3],
    ]);
    expect(body).toMatchObject({
      dataset: DATASET,
      version: 'v1',
      userId: 'u1',
      algorithm: 'item',
      historyUsed: 2,
      historyCapped: false,
    });
    expect(body.fallback).toBeUndefined();
    const [m1, m2] = body.items[0].because!;
    expect(m1).toMatchObject({ id: 'm1', kind: 'item', similarity: 0.5, value: 5 });
    expect(m1.share).toBeCloseTo(2.5 / 4.3, 10);
    expect(m2).toMatchObject({ id: 'm2', kind: 'item', similarity: 0.6, value: 3 });
    expect(m2.share).toBeCloseTo(1.8 / 4.3, 10);
  });

  it('user-based: Σ over similar users of sim(u, v) · r_vi', async () => {
    const { body } = await get('/v1/datasets/films/users/u1/recommendations?algorithm=user');
    // Neighbours u2 (0.7: m3=4, m4=2) and ODD_USER (0.3: c#d=2, m1=1); m1 is seen by u1.
    expectItems(body.items, [
      ['m3', 0.7 * 4],
      ['m4', 0.7 * 2],
      [HASH_ITEM, 0.3 * 2],
    ]);
    expect(body.algorithm).toBe('user');
    expect(body.items[0].because).toEqual([{ id: 'u2', kind: 'user', similarity: 0.7, value: 4, share: 1 }]);
  });

  it('limit, exclude (comma-separated and repeated) and explain=false', async () => {
    expectItems((await get('/v1/datasets/films/users/u1/recommendations?limit=1')).body.items, [['m3', 4.3]]);
    expectItems((await get('/v1/datasets/films/users/u1/recommendations?exclude=m3,m4')).body.items, [[SLASH_ITEM, 2]]);
    expectItems(
      (await get(`/v1/datasets/films/users/u1/recommendations?exclude=m3&exclude=${segment(SLASH_ITEM)}`)).body.items,
      [['m4', 0.6]],
    );
    const { body } = await get('/v1/datasets/films/users/u1/recommendations?explain=false');
    expect(body.items.length).toBe(3);
    for (const item of body.items) expect(item).not.toHaveProperty('because');
  });

  it('works for a user id with spaces, "#", "/", "?" and unicode when percent-encoded', async () => {
    const { status, body } = await get(`/v1/datasets/films/users/${segment(ODD_USER)}/recommendations`);
    expect(status).toBe(200);
    expect(body.userId).toBe(ODD_USER);
    // ODD_USER = {c#d: 2, m1: 1}: c#d -> m4 0.8, m5 0.3; m1 -> m2 0.9, m3 0.5, a/b 0.4.
    expectItems(body.items, [
      ['m4', 0.8 * 2],
      ['m2', 0.9 * 1],
      ['m5', 0.3 * 2],
      ['m3', 0.5 * 1],
      [SLASH_ITEM, 0.4 * 1],
    ]);
  });

  it('an unknown user gets popular items, flagged as a fallback and counted in metrics', async () => {
    const before = metrics.published.length;
    const { status, body } = await get('/v1/datasets/films/users/nobody/recommendations');
    expect(status).toBe(200);
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
    expect(body.algorithm).toBe('popularity');
    expect(body.historyUsed).toBe(0);
    expectItems(
      body.items,
      POPULAR_ORDER.map(({ item, score }) => [item, score]),
    );
    expect((await get('/v1/datasets/films/users/nobody/recommendations?algorithm=user')).body.fallback?.reason).toBe(
      'unknown-user',
    );
    const flushed = metrics.published.slice(before);
    expect(flushed[0]).toMatchObject({ RecommendationsServed: 1, Fallbacks: 1 });
  });

  it('reads the store in the planned rounds: manifest with the tombstones, user rows with live events, neighbour rows (popularity only for a fallback)', async () => {
    const known = countingStore(store);
    await createApp({ store: known.store, logger: recordingLogger(), metrics: recordingMetrics() }).request(
      '/v1/datasets/films/users/u1/recommendations',
    );
    // The tombstones are read with the manifest, the user's live events with the user's rows (the same rounds).
    expect(known.calls).toEqual([
      'getManifest',
      'getTombstones',
      'getUserRows',
      'getUserLiveEvents',
      'getItemNeighbours',
    ]);

    const byUser = countingStore(store);
    await createApp({ store: byUser.store, logger: recordingLogger(), metrics: recordingMetrics() }).request(
      '/v1/datasets/films/users/u1/recommendations?algorithm=user',
    );
    expect(byUser.calls).toEqual([
      'getManifest',
      'getTombstones',
      'getUserRows',
      'getUserLiveEvents',
      'getUserHistories',
    ]);

    const unknown = countingStore(store);
    await createApp({ store: unknown.store, logger: recordingLogger(), metrics: recordingMetrics() }).request(
      '/v1/datasets/films/users/nobody/recommendations',
    );
    // An unknown user's missing rows ask refreshManifest, which reads nothing for a manifest this recent.
    expect(unknown.calls).toEqual([
      'getManifest',
      'getTombstones',
      'getUserRows',
      'getUserLiveEvents',
      'getPopularity',
      'refreshManifest',
    ]);
  });

  it('caps a long stored history to the most recent entries and says so; older items stay excluded', async () => {
    const capped = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics(), historyCap: 1 });
    const { body } = await get('/v1/datasets/films/users/u1/recommendations', capped);
    // Only m1 (5) scores; m2 is beyond the cap but seen, so it is not recommended.
    expectItems(body.items, [
      ['m3', 0.5 * 5],
      [SLASH_ITEM, 0.4 * 5],
    ]);
    expect(body).toMatchObject({ historyUsed: 1, historyCapped: true });
  });
});

describe('POST /v1/datasets/{dataset}/recommendations', () => {
  it('scores an anonymous history; a missing rating counts as 1', async () => {
    const rated = await post('/v1/datasets/films/recommendations', { history: [{ item: HASH_ITEM, rating: 2 }] });
    expect(rated.status).toBe(200);
    expect(rated.headers.get('cache-control')).toBe('no-store');
    expectItems(rated.body.items, [
      ['m4', 0.8 * 2],
      ['m5', 0.3 * 2],
    ]);
    expect(rated.body).toMatchObject({
      dataset: DATASET,
      version: 'v1',
      algorithm: 'item',
      historyUsed: 1,
      historyCapped: false,
    });
    expect(rated.body.userId).toBeUndefined();
    const implicit = await post('/v1/datasets/films/recommendations', { history: [{ item: HASH_ITEM }] });
    expectItems(implicit.body.items, [
      ['m4', 0.8],
      ['m5', 0.3],
    ]);
  });

  it('handles unicode and space ids in the history', async () => {
    const { body } = await post('/v1/datasets/films/recommendations', {
      history: [
        { item: UNICODE_ITEM, rating: 2 },
        { item: SPACE_ITEM, rating: 10 },
      ],
    });
    expectItems(body.items, [
      ['m1', 0.7 * 2],
      ['m2', 0.1 * 10],
    ]);
    expect(body.items[0].because?.[0].id).toBe(UNICODE_ITEM);
  });

  it('applies exclude and allow', async () => {
    const history = [{ item: HASH_ITEM, rating: 2 }];
    expectItems((await post('/v1/datasets/films/recommendations', { history, exclude: ['m4'] })).body.items, [
      ['m5', 0.6],
    ]);
    // m1 is allowed but not scored: it is backfilled from popularity (score 0, labelled; test/api/filters.test.ts).
    const allowed = (await post('/v1/datasets/films/recommendations', { history, allow: ['m4', 'm1'] })).body.items;
    expectItems(allowed, [
      ['m4', 1.6],
      ['m1', 0],
    ]);
    expect(allowed[1].because).toEqual([{ kind: 'backfill', reason: 'popular', value: 3 }]);
    expectItems((await post('/v1/datasets/films/recommendations', { history, limit: 1 })).body.items, [['m4', 1.6]]);
  });

  it('falls back to popularity for an empty history or one with no known items', async () => {
    const empty = await post('/v1/datasets/films/recommendations', { history: [] });
    expect(empty.body.fallback).toEqual({ reason: 'empty-history', algorithm: 'popularity' });
    expectItems(
      empty.body.items,
      POPULAR_ORDER.map(({ item, score }) => [item, score]),
    );
    const unknown = await post('/v1/datasets/films/recommendations', { history: [{ item: 'never-seen' }], limit: 2 });
    expect(unknown.body.fallback).toEqual({ reason: 'no-candidates', algorithm: 'popularity' });
    expectItems(unknown.body.items, [
      ['m1', 3],
      ['m2', 2],
    ]);
  });

  it('uses only the most recent historyCap entries (first in the list) and flags the cap', async () => {
    const history = [
      { item: 'm2', rating: 1 },
      { item: 'm1', rating: 1 },
    ];
    const full = await post('/v1/datasets/films/recommendations', { history });
    expectItems(full.body.items, [
      ['m3', 0.6 + 0.5],
      [SLASH_ITEM, 0.4],
      ['m4', 0.2],
    ]);
    expect(full.body.historyCapped).toBe(false);
    const capped = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics(), historyCap: 1 });
    const { body } = await post('/v1/datasets/films/recommendations', { history }, capped);
    // Only m2 scores; m1 (beyond the cap) is still excluded.
    expectItems(body.items, [
      ['m3', 0.6],
      ['m4', 0.2],
    ]);
    expect(body).toMatchObject({ historyUsed: 1, historyCapped: true });
  });

  it('reads the neighbour rows of the whole history in one store call', async () => {
    const counted = countingStore(store);
    await post(
      '/v1/datasets/films/recommendations',
      { history: [{ item: 'm1' }, { item: 'm2' }, { item: HASH_ITEM }] },
      createApp({
        store: counted.store,
        logger: recordingLogger(),
        metrics: recordingMetrics(),
      }),
    );
    expect(counted.calls).toEqual(['getManifest', 'getTombstones', 'getItemNeighbours']);
  });
});

describe('similar and popular', () => {
  it('GET items/{itemId}/similar: most similar first, with support', async () => {
    const response = await app.request('/v1/datasets/films/items/m1/similar?limit=2');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await response.json()).toEqual({
      dataset: DATASET,
      version: 'v1',
      item: 'm1',
      similar: [
        { id: 'm2', similarity: 0.9, support: 3 },
        { id: 'm3', similarity: 0.5, support: 2 },
      ],
    });
  });

  it.each([
    [HASH_ITEM, ['m4', 'm5']],
    [SPACE_ITEM, ['m2']],
    [UNICODE_ITEM, ['m1']],
  ])('GET items/{itemId}/similar for %j percent-encoded', async (item, expected) => {
    const response = await app.request(`/v1/datasets/films/items/${segment(item)}/similar`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { item: string; similar: { id: string }[] };
    expect(body.item).toBe(item);
    expect(body.similar.map((entry) => entry.id)).toEqual(expected);
  });

  it('an item without a neighbour row is 404, even with "/" in its id', async () => {
    const response = await app.request(`/v1/datasets/films/items/${segment(SLASH_ITEM)}/similar`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toContain('"a/b"');
  });

  it('GET users/{userId}/similar', async () => {
    const response = await app.request('/v1/datasets/films/users/u1/similar');
    expect(await response.json()).toMatchObject({
      userId: 'u1',
      similar: [
        { id: 'u2', similarity: 0.7, support: 2 },
        { id: ODD_USER, similarity: 0.3, support: 1 },
      ],
    });
    const odd = await app.request(`/v1/datasets/films/users/${segment(ODD_USER)}/similar`);
    expect(await odd.json()).toMatchObject({ userId: ODD_USER, similar: [{ id: 'u1', similarity: 0.3 }] });
    expect((await app.request('/v1/datasets/films/users/u2/similar')).status).toBe(404);
  });

  it('GET popular: count desc, then mean rating desc', async () => {
    const response = await app.request('/v1/datasets/films/popular?limit=4');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      dataset: DATASET,
      version: 'v1',
      items: [
        { item: 'm1', count: 3, meanValue: 3 },
        { item: 'm2', count: 2, meanValue: 4 },
        { item: 'm3', count: 2, meanValue: 3.5 },
        { item: 'm5', count: 1, meanValue: 5 },
      ],
    });
  });

  it('GET /health', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'affinity' });
  });
});
