// GET /v1/datasets/{dataset}/users/{userId}/history on the real store (dynalite): the stored history of a
// hand-written model (./fixture.ts, ./erasure-fixture.ts), live events first, erased users and taken-down items out.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { ERASABLE, GONE, PULLED } from './erasure-fixture.js';
import { createTestStore, FILMS, ODD_USER, recordingLogger, recordingMetrics, segment, writeModel } from './fixture.js';

let store: DynamoModelStore;
let app: ReturnType<typeof createApp>;

interface HistoryBody {
  dataset: string;
  version: string;
  userId: string;
  history: { item: string; value: number; live: boolean; title?: string }[];
  total: number;
  liveEvents: number;
}

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, 'erasable', 'v1', ERASABLE, '2024-05-01T10:00:00.000Z#1');
  app = createApp({
    store,
    logger: recordingLogger(),
    metrics: recordingMetrics(),
    idHashKey: new Uint8Array(randomBytes(32)),
  });
});

async function history(dataset: string, user: string, query = '') {
  const response = await app.request(`/v1/datasets/${dataset}/users/${segment(user)}/history${query}`);
  return { status: response.status, headers: response.headers, body: (await response.json()) as HistoryBody };
}

describe('GET …/users/{userId}/history', () => {
  it('lists the stored history most recent first, as the fixture wrote it, and is personal (no-store)', async () => {
    const { status, body, headers } = await history('films', 'u1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ dataset: 'films', version: 'v1', userId: 'u1', total: 2, liveEvents: 0 });
    expect(body.history).toEqual([
      { item: 'm1', value: 5, live: false },
      { item: 'm2', value: 3, live: false },
    ]);
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('an id that needs percent-encoding reaches its own row', async () => {
    const { body } = await history('films', ODD_USER);
    expect(body.history.map((entry) => entry.item)).toEqual(FILMS.histories[ODD_USER].map((entry) => entry.item));
  });

  it('limit shows the first entries and total says how many there are', async () => {
    const { body } = await history('films', 'u1', '?limit=1');
    expect(body.history).toEqual([{ item: 'm1', value: 5, live: false }]);
    expect(body.total).toBe(2);
  });

  it('live events come first, marked live; an item also stored keeps the larger value', async () => {
    const sent = await app.request('/v1/datasets/films/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          { user: 'u2', item: 'm9', value: 2 },
          { user: 'u2', item: 'm4', value: 1 },
        ],
      }),
    });
    expect(sent.status).toBeLessThan(300);
    const { body } = await history('films', 'u2');
    // Stored u2: m3 4, m4 2. Live: m9 2 and m4 1 (m4 keeps the stored 2, at its live place).
    expect(new Set(body.history.slice(0, 2).map((entry) => entry.item))).toEqual(new Set(['m9', 'm4']));
    expect(body.history.slice(0, 2).every((entry) => entry.live)).toBe(true);
    expect(body.history.find((entry) => entry.item === 'm4')?.value).toBe(2);
    expect(body.history[2]).toEqual({ item: 'm3', value: 4, live: false });
    expect(body).toMatchObject({ total: 3, liveEvents: 2 });
  });

  it('an unknown user is a 404 that says what to check', async () => {
    const response = await app.request('/v1/datasets/films/users/nobody/history');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toContain('"nobody" has no history');
  });

  it('a bad limit or an unknown query parameter is a 400 naming it', async () => {
    for (const query of ['?limit=0', '?limit=abc', '?colour=red']) {
      const response = await app.request(`/v1/datasets/films/users/u1/history${query}`);
      expect(response.status, query).toBe(400);
    }
  });

  it('leaves out a taken-down item, and an erased user has no history at all', async () => {
    expect((await history('erasable', 'bo')).body.history.map((entry) => entry.item)).toEqual(['i2', PULLED]);
    expect((await app.request(`/v1/datasets/erasable/items/${PULLED}`, { method: 'DELETE' })).status).toBe(200);
    expect((await history('erasable', 'bo')).body.history.map((entry) => entry.item)).toEqual(['i2']);
    expect((await history('erasable', GONE)).status).toBe(200);
    expect((await app.request(`/v1/datasets/erasable/users/${segment(GONE)}`, { method: 'DELETE' })).status).toBe(200);
    expect((await history('erasable', GONE)).status).toBe(404);
  });
});
