// POST /v1/datasets/{dataset}/events and the user's next recommendations, on the real store (dynalite). Scores are
// Σ similarity × value worked out by hand from the rows in ./fixture.ts:
//   m1 → m2 0.9, m3 0.5, a/b 0.4;  m2 → m1 0.9, m3 0.6, m4 0.2;  m3 → m2 0.6, m1 0.5;  u2's history m3 4, m4 2.
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import type { VersionInfo } from '../../functions/adapters/store-contract.js';
import { createApp } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  recordingLogger,
  recordingMetrics,
  SLASH_ITEM,
  versionInfo,
  writeModel,
} from './fixture.js';

let store: DynamoModelStore;
let clock = new Date('2026-12-01T10:00:00.000Z');
let app: ReturnType<typeof createApp>;

interface Body {
  algorithm: string;
  fallback?: { reason: string };
  historyUsed: number;
  liveEvents?: number;
  items: { item: string; score: number }[];
}
interface Problem {
  status: number;
  detail: string;
  errors?: { in: string; field: string; message: string }[];
}

const TYPED_WEIGHTS = { view: 1, play: 2, like: 4 };
const KEY = new Uint8Array(32).fill(0x3c);
/** The pseudonym of a raw id, computed here with node:crypto (the documented rule: 'p_' + base64url HMAC-SHA256). */
const pseudonym = (id: string) => `p_${createHmac('sha256', KEY).update(id, 'utf8').digest('base64url')}`;

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, 'users-only', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1', ['user']);
  // A typed dataset: the version records its weighting, as a build does.
  await writeVersion('typed', 'v1', {
    weighting: { rule: 'sign-log1p', eventWeights: TYPED_WEIGHTS, defaultEventWeight: 1 },
  });
  // A version whose build folded the events received before 10:05.
  await writeVersion('cut', 'v1', { liveCutoff: '2026-12-01T10:05:00.000Z' });
  await writeVersion('private', 'v1', { pseudonymizeUsers: true, users: pseudonym });
  app = createApp({ store, logger: recordingLogger(), metrics: recordingMetrics(), now: () => clock, idHashKey: KEY });
});

async function writeVersion(
  dataset: string,
  version: string,
  extra: { weighting?: object; liveCutoff?: string; pseudonymizeUsers?: true; users?: (id: string) => string },
) {
  const writer = store.createVersionWriter(dataset, version);
  for (const [item, neighbours] of Object.entries(FILMS.itemNeighbours))
    await writer.putItemNeighbours(item, neighbours);
  const userId = extra.users ?? ((id: string) => id);
  for (const [user, history] of Object.entries(FILMS.histories)) await writer.putUserHistory(userId(user), history);
  await writer.putPopularity(FILMS.popularity);
  await writer.flush();
  const base = versionInfo(dataset, version, '2024-05-01T10:00:00.000Z#1', ['item']);
  const info: VersionInfo = {
    ...base,
    options: {
      ...base.options,
      ...(extra.weighting ? { weighting: extra.weighting as never } : {}),
      ...(extra.pseudonymizeUsers ? { pseudonymizeUsers: true as const } : {}),
    },
    ...(extra.liveCutoff ? { liveCutoff: extra.liveCutoff } : {}),
  };
  expect(await store.activateVersion(dataset, info, 3)).toBe('activated');
}

const post = async (dataset: string, events: unknown[]) => {
  const response = await app.request(`/v1/datasets/${encodeURIComponent(dataset)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & Problem };
};
const recommend = async (dataset: string, user: string, query = '') => {
  const response = await app.request(
    `/v1/datasets/${dataset}/users/${encodeURIComponent(user)}/recommendations?explain=false${query}`,
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
};
const scores = (body: Body) => body.items.map(({ item, score }) => [item, Number(score.toFixed(6))]);

describe('POST …/events then GET recommendations: the events count at once', () => {
  it('a known user: the event joins the scoring history and its item is never recommended', async () => {
    const before = await recommend('films', 'u2');
    expect(scores(before)).toEqual([
      ['m2', 2.4], // 0.6 × 4 (from m3)
      ['m1', 2], // 0.5 × 4
    ]);
    const posted = await post('films', [{ eventId: 'k1', user: 'u2', item: 'm1', value: 3 }]);
    expect(posted).toEqual({
      status: 200,
      body: { dataset: 'films', accepted: 1, duplicates: 0, receivedAt: clock.toISOString() },
    });
    const after = await recommend('films', 'u2');
    // m1 (3) now scores: m2 = 0.9 × 3 + 0.6 × 4 = 5.1, a/b = 0.4 × 3 = 1.2; m1 itself is seen.
    expect(scores(after)).toEqual([
      ['m2', 5.1],
      [SLASH_ITEM, 1.2],
    ]);
    expect(after).toMatchObject({ algorithm: 'item', historyUsed: 3, liveEvents: 1 });
  });

  it('a retried batch is counted once (typed events: a second count would change the value)', async () => {
    const batch = [{ eventId: 'p1', user: 'u2', item: 'm1', type: 'play' }];
    expect((await post('typed', batch)).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post('typed', batch)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    // The same eventId twice in one batch is one event too.
    expect((await post('typed', [...batch, ...batch])).body).toMatchObject({ accepted: 0, duplicates: 2 });
    const body = await recommend('typed', 'u2');
    const m1 = Math.fround(Math.log1p(2)); // play weighs 2, counted once: sign·log1p(2), not log1p(4)
    expect(body.liveEvents).toBe(1);
    expect(scores(body)).toEqual([
      ['m2', Number((0.9 * m1 + 0.6 * 4).toFixed(6))],
      [SLASH_ITEM, Number((0.4 * m1).toFixed(6))],
    ]);
  });

  it('events without an eventId get one each: a resent batch stores them again (documented)', async () => {
    const batch = [{ user: 'anon', item: 'm3' }];
    expect((await post('films', batch)).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post('films', batch)).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await recommend('films', 'anon')).liveEvents).toBe(2);
  });

  it('a new user gets item-based results from their first events, not the popularity fallback', async () => {
    const before = await recommend('films', 'newbie');
    expect(before.fallback?.reason).toBe('unknown-user');
    await post('films', [{ eventId: 'n1', user: 'newbie', item: 'm1', value: 5 }]);
    const after = await recommend('films', 'newbie');
    expect(after.fallback).toBeUndefined();
    expect(after).toMatchObject({ algorithm: 'item', historyUsed: 1, liveEvents: 1 });
    // m1 (5): m2 0.9 × 5, m3 0.5 × 5, a/b 0.4 × 5.
    expect(scores(after)).toEqual([
      ['m2', 4.5],
      ['m3', 2.5],
      [SLASH_ITEM, 2],
    ]);
  });

  it('with user rows only, a new user still gets popular items, without the items of their events', async () => {
    await post('users-only', [{ eventId: 'x', user: 'fresh', item: 'm1' }]);
    const body = await recommend('users-only', 'fresh', '&algorithm=user');
    expect(body).toMatchObject({ algorithm: 'popularity', fallback: { reason: 'unknown-user' }, liveEvents: 1 });
    // Popularity by hand (count desc, mean desc), m1 left out: m2, m3, m5, m4, a/b.
    expect(body.items.map((entry) => entry.item)).toEqual(['m2', 'm3', 'm5', 'm4', SLASH_ITEM]);
    // A known user served from user rows: the event's item (their neighbour u2's best) is excluded too.
    expect((await recommend('users-only', 'u1', '&algorithm=user')).items[0].item).toBe('m3');
    await post('users-only', [{ eventId: 'y', user: 'u1', item: 'm3' }]);
    const known = await recommend('users-only', 'u1', '&algorithm=user');
    expect(known.algorithm).toBe('user');
    expect(known.items.map((entry) => entry.item)).not.toContain('m3');
  });

  it("uses only the events received at or after the version's cutoff (earlier ones are in the version)", async () => {
    clock = new Date('2026-12-01T10:04:59.999Z');
    await post('cut', [{ eventId: 'old', user: 'u2', item: 'm1', value: 3 }]);
    expect((await recommend('cut', 'u2')).liveEvents).toBe(0);
    clock = new Date('2026-12-01T10:05:00.000Z');
    await post('cut', [{ eventId: 'new', user: 'u2', item: 'm1', value: 3 }]);
    const body = await recommend('cut', 'u2');
    expect(body.liveEvents).toBe(1);
    expect(scores(body)[0]).toEqual(['m2', 5.1]);
  });
});

describe('a pseudonymised dataset', () => {
  it('stores the events under the pseudonym, never the raw id, and serves them to the raw id', async () => {
    await post('private', [{ eventId: 'q', user: 'u2', item: 'm1', value: 3 }]);
    expect(await store.getUserLiveEvents('private', 'u2')).toEqual([]);
    expect((await store.getUserLiveEvents('private', pseudonym('u2'))).map((e) => e.user)).toEqual([pseudonym('u2')]);
    const body = await recommend('private', 'u2');
    // As for the raw dataset: m2 = 0.9 × 3 + 0.6 × 4, a/b = 0.4 × 3.
    expect(scores(body)).toEqual([
      ['m2', 5.1],
      [SLASH_ITEM, 1.2],
    ]);
    expect(body.liveEvents).toBe(1);
  });
});

describe('bad input: 4xx problems naming the field, nothing stored', () => {
  const fieldsOf = (problem: Problem) => (problem.errors ?? []).map((error) => error.field);

  it('more than 500 events', async () => {
    const events = Array.from({ length: 501 }, (_, i) => ({ user: 'big', item: `i${i}` }));
    const { status, body } = await post('films', events);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { in: 'body', field: 'events', message: 'at most 500 events per request; send the rest in another request' },
    ]);
    expect(await store.getUserLiveEvents('films', 'big')).toEqual([]);
  });

  it('an unknown dataset', async () => {
    const { status, body } = await post('no-such-dataset', [{ user: 'u', item: 'i' }]);
    expect(status).toBe(404);
    expect(body.detail).toMatch(/"no-such-dataset" is unknown/);
  });

  it('bad timestamps, ids over 256 bytes, wrong types and unknown fields, each named; the batch is refused', async () => {
    const { status, body } = await post('films', [
      { user: 'ok', item: 'i1', timestamp: '2026-12-01T10:00:00Z' },
      { user: 'ok', item: 'i2', timestamp: 'yesterday' },
      { user: 'é'.repeat(129), item: 'i3' },
      { user: 'ok', item: 'x'.repeat(257), eventId: 'y'.repeat(257) },
      { user: 'ok', item: 'i5', value: 'high' },
      { user: 'ok', item: 'i6', rating: 5 },
      { item: 'i7' },
      { user: 'ok', item: 'i8', timestamp: true },
    ]);
    expect(status).toBe(400);
    expect(fieldsOf(body)).toEqual([
      'events[1].timestamp',
      'events[2].user',
      'events[3].eventId',
      'events[3].item',
      'events[4].value',
      'events[5].rating',
      'events[6].user',
      'events[7].timestamp',
    ]);
    const messages = Object.fromEntries((body.errors ?? []).map((error) => [error.field, error.message]));
    expect(messages['events[1].timestamp']).toMatch(/'yesterday' is neither a number nor an ISO-8601 date/);
    expect(messages['events[2].user']).toMatch(/258 UTF-8 bytes; the limit is 256/);
    expect(messages['events[6].user']).toBe('user is required');
    expect(await store.getUserLiveEvents('films', 'ok')).toEqual([]); // the valid first event was not stored either
  });

  it("a type the dataset's event weights do not name, or none where they are required", async () => {
    const { status, body } = await post('typed', [
      { user: 't', item: 'm1', type: 'view' },
      { user: 't', item: 'm1', type: 'Play' },
      { user: 't', item: 'm1' },
      { user: 't', item: 'm1', type: 'like', value: 3e8 },
    ]);
    expect(status).toBe(400);
    expect(fieldsOf(body)).toEqual(['events[1].type', 'events[2].type', 'events[3].value']);
    expect(body.errors![0].message).toMatch(
      /'Play' is not one of the dataset's event types \('view', 'play', 'like'\)/,
    );
    expect(body.errors![2].message).toMatch(/is 1200000000, outside ±1000000000/);
  });

  it('an empty batch, and a body that is not JSON', async () => {
    expect((await post('films', [])).body.errors?.[0]).toMatchObject({ field: 'events' });
    const response = await app.request('/v1/datasets/films/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'user,item',
    });
    expect(response.status).toBe(415);
  });
});
