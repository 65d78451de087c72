// The trending route and the new-user fallback against the real store on the test dynalite, on hand-written rows:
// a version that records a trending list answers from its stored rows (in trending order, whatever the stored
// order), without taken-down items; a version built before trending (no `trending` in its manifest entry) is a 409
// on the route and gets popularity as the new-user fallback. The build side is in test/pipeline/trending.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.js';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, versionInfo, writeModel } from './fixture.js';

// Stored out of order on purpose: m3 2.5 (3), m5 2.5 (2), m1 1 — the route ranks score, count, id.
const STORED = [
  { item: 'm5', score: 2.5, count: 2 },
  { item: 'm1', score: 1, count: 1 },
  { item: 'm3', score: 2.5, count: 3 },
];
const TRENDING_INFO = { windowDays: 7, halfLifeDays: 2, now: '2024-05-01T00:00:00.000Z', items: 3 };

let app: ReturnType<typeof createApp>;

async function writeTrendingVersion(store: DynamoModelStore): Promise<void> {
  const writer = store.createVersionWriter('fresh', 'v1');
  for (const [user, history] of Object.entries(FILMS.histories)) await writer.putUserHistory(user, history);
  await writer.putPopularity(FILMS.popularity);
  await writer.putTrending(STORED);
  await writer.flush();
  const info = { ...versionInfo('fresh', 'v1', '2024-05-01T10:00:00.000Z#1'), trending: TRENDING_INFO };
  expect(await store.activateVersion('fresh', info, 3)).toBe('activated');
}

const call = async (path: string, method = 'GET') => {
  const response = await app.request(path, { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  const { store } = await createTestStore();
  await writeModel(store, 'old', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeTrendingVersion(store);
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() });
});

describe('a version with a trending list', () => {
  it('answers GET …/trending in trending order with its window', async () => {
    const { status, body } = await call('/v1/datasets/fresh/trending');
    expect(status).toBe(200);
    expect(body).toEqual({
      dataset: 'fresh',
      version: 'v1',
      window: { windowDays: 7, halfLifeDays: 2, now: '2024-05-01T00:00:00.000Z' },
      items: [
        { item: 'm3', score: 2.5, count: 3 },
        { item: 'm5', score: 2.5, count: 2 },
        { item: 'm1', score: 1, count: 1 },
      ],
    });
  });

  it('answers a new user from it, then popularity to fill the limit; the version shows its trending', async () => {
    const { body } = await call('/v1/datasets/fresh/users/nobody/recommendations?limit=4&explain=false');
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'trending' });
    // Popularity (fixture): m1 3, m2 2 (mean 4), m3 2 (3.5), …; m1 and m3 are listed already, so m2 fills in.
    expect(body.items).toEqual([
      { item: 'm3', score: 2.5 },
      { item: 'm5', score: 2.5 },
      { item: 'm1', score: 1 },
      { item: 'm2', score: 0, because: [{ kind: 'backfill', reason: 'popular', value: 2 }] },
    ]);
    const dataset = await call('/v1/datasets/fresh');
    expect((dataset.body.versions as { trending?: unknown }[])[0].trending).toEqual(TRENDING_INFO);
  });

  it('leaves a taken-down item out of both', async () => {
    expect((await call('/v1/datasets/fresh/items/m3', 'DELETE')).status).toBe(200);
    const trending = await call('/v1/datasets/fresh/trending');
    expect((trending.body.items as { item: string }[]).map(({ item }) => item)).toEqual(['m5', 'm1']);
    const fallback = await call('/v1/datasets/fresh/users/nobody/recommendations?limit=2');
    expect((fallback.body.items as { item: string }[]).map(({ item }) => item)).toEqual(['m5', 'm1']);
  });
});

describe('a version built before trending', () => {
  it('is a 409 model-not-built on GET …/trending', async () => {
    const { status, body } = await call('/v1/datasets/old/trending');
    expect(status).toBe(409);
    expect(body.type).toBe('urn:affinity:problem:model-not-built');
    expect(body.detail).toContain('before trending');
    expect(body.hint).toContain('timestamp');
  });

  it('gives a new user popularity, as before', async () => {
    const { body } = await call('/v1/datasets/old/users/nobody/recommendations?limit=2');
    expect(body.fallback).toEqual({ reason: 'unknown-user', algorithm: 'popularity' });
    expect((body.items as { item: string }[]).map(({ item }) => item)).toEqual(['m1', 'm2']);
  });
});
