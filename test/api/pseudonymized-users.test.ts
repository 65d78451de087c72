// The API on a pseudonymised dataset (functions/api/user-ids.ts): request ids are hashed per request, answers echo
// the caller's id and show pseudonyms only, a version served without the key fails loudly, and no log line holds a
// user id from a path. The pseudonymised rows are the fixture's rows under pseudonyms computed here with
// node:crypto, so the raw dataset written alongside is the oracle of every answer.
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { logSafePath } from '../../functions/log-redaction.js';
import {
  createTestStore,
  FILMS,
  ODD_USER,
  recordingLogger,
  recordingMetrics,
  segment,
  versionInfo,
  writeModel,
  type TestModel,
} from './fixture.js';

const KEY = new Uint8Array(32).fill(0x5a);
const hmac = (id: string) => `p_${createHmac('sha256', KEY).update(id, 'utf8').digest('base64url')}`;
const RAW_DATASET = 'films';
const PRIVATE = 'films-private';

/** FILMS with every user id replaced by its pseudonym (histories, user rows and their neighbours). */
function pseudonymized(model: TestModel): TestModel {
  return {
    ...model,
    histories: Object.fromEntries(Object.entries(model.histories).map(([user, h]) => [hmac(user), h])),
    userNeighbours: Object.fromEntries(
      Object.entries(model.userNeighbours).map(([user, row]) => [
        hmac(user),
        row.map((n) => ({ ...n, id: hmac(n.id) })),
      ]),
    ),
  };
}

async function writePseudonymized(store: DynamoModelStore): Promise<void> {
  const model = pseudonymized(FILMS);
  const writer = store.createVersionWriter(PRIVATE, 'v1');
  for (const [item, row] of Object.entries(model.itemNeighbours)) await writer.putItemNeighbours(item, row);
  for (const [user, row] of Object.entries(model.userNeighbours)) await writer.putUserNeighbours(user, row);
  for (const [user, history] of Object.entries(model.histories)) await writer.putUserHistory(user, history);
  await writer.putPopularity(model.popularity);
  await writer.flush();
  const info = versionInfo(PRIVATE, 'v1', '2024-05-01T10:00:00.000Z#1');
  info.options = { ...info.options, pseudonymizeUsers: true };
  expect(await store.activateVersion(PRIVATE, info, 3)).toBe('activated');
}

let store: DynamoModelStore;
const logger = recordingLogger();
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, RAW_DATASET, 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writePseudonymized(store);
  app = createApp({ store, logger, metrics: recordingMetrics(), idHashKey: KEY });
});

interface Because {
  id: string;
  kind: string;
  similarity: number;
  value: number;
  share: number;
}
interface Body {
  userId?: string;
  items: { item: string; score: number; because?: Because[] }[];
  similar?: { id: string; similarity: number; support: number }[];
}

async function get(path: string, target = app): Promise<{ status: number; body: Body }> {
  const response = await target.request(path);
  return { status: response.status, body: (await response.json()) as Body };
}

const usersOf = (dataset: string, user: string, rest: string) =>
  `/v1/datasets/${dataset}/users/${segment(user)}/${rest}`;

describe('a pseudonymised dataset through the API', () => {
  it('answers a raw id with the rows of its pseudonym: the raw dataset’s items and scores, pseudonyms in explanations', async () => {
    for (const user of ['u1', 'u2', ODD_USER]) {
      for (const algorithm of ['item', 'user']) {
        const query = `recommendations?algorithm=${algorithm}&explain=true`;
        const raw = await get(usersOf(RAW_DATASET, user, query));
        const answer = await get(usersOf(PRIVATE, user, query));
        expect(answer.status).toBe(200);
        expect(answer.body.userId).toBe(user); // the caller's id, echoed
        expect(answer.body.items.map(({ item, score }) => ({ item, score }))).toEqual(
          raw.body.items.map(({ item, score }) => ({ item, score })),
        );
        // Contributors: items stay, users are pseudonyms (the API never has a raw neighbour id).
        const mapped = raw.body.items.map((entry) =>
          (entry.because ?? []).map((b) => (b.kind === 'user' ? { ...b, id: hmac(b.id) } : b)),
        );
        expect(answer.body.items.map((entry) => entry.because ?? [])).toEqual(mapped);
      }
    }
  });

  it('shows similar users as pseudonyms only', async () => {
    const raw = await get(usersOf(RAW_DATASET, 'u1', 'similar'));
    const answer = await get(usersOf(PRIVATE, 'u1', 'similar'));
    expect(raw.body.similar?.length).toBeGreaterThan(0);
    expect(answer.body.similar).toEqual(raw.body.similar?.map((n) => ({ ...n, id: hmac(n.id) })));
    for (const { id } of answer.body.similar ?? []) expect(id).toMatch(/^p_[A-Za-z0-9_-]{43}$/);
  });

  it('takes a pseudonym where a user id goes (e.g. one a similar-users answer showed)', async () => {
    const byRaw = await get(usersOf(PRIVATE, ODD_USER, 'recommendations'));
    const byPseudonym = await get(usersOf(PRIVATE, hmac(ODD_USER), 'recommendations'));
    expect(byPseudonym.body.items).toEqual(byRaw.body.items);
    expect(byRaw.body.items.length).toBeGreaterThan(0);
  });

  it('answers 503, logged without the id, when started without the key; raw datasets still serve', async () => {
    const records = recordingLogger();
    const keyless = createApp({ store, logger: records, metrics: recordingMetrics() });
    expect((await get(usersOf(PRIVATE, ODD_USER, 'recommendations'), keyless)).status).toBe(503);
    expect((await get(usersOf(RAW_DATASET, ODD_USER, 'recommendations'), keyless)).status).toBe(200);
    const failure = records.records.find((r) => r.level === 'error');
    expect(String((failure?.extra[0] as { error: Error }).error)).toMatch(
      /"films-private" has pseudonymised user ids, but the API has no id hashing key/,
    );
    expect(JSON.stringify(records.records.map((r) => ({ ...r, extra: r.extra.map(String) })))).not.toContain('user #2');
  });
});

describe('request logs', () => {
  it('never hold a user id from the path, matched route or not', async () => {
    const records = recordingLogger();
    const logged = createApp({ store, logger: records, metrics: recordingMetrics(), idHashKey: KEY });
    await logged.request(usersOf(PRIVATE, ODD_USER, 'recommendations'));
    await logged.request(usersOf(PRIVATE, ODD_USER, 'no-such-route'));
    await logged.request(`/v1/datasets/${PRIVATE}/users/${segment(ODD_USER)}`);
    await logged.request(`/users/${segment(ODD_USER)}`);
    const routes = records.records
      .filter((r) => r.message === 'request')
      .map((r) => (r.extra[0] as { route: string }).route);
    expect(routes).toEqual([
      '/v1/datasets/:dataset/users/:userId/recommendations',
      // Unmatched paths log the middleware's pattern (the raw path, were Hono to give none, goes through logSafePath).
      '/v1/*',
      '/v1/*',
      '/*',
    ]);
    const text = JSON.stringify(records.records);
    for (const form of [ODD_USER, segment(ODD_USER), 'user #2', 'user%20%232']) expect(text).not.toContain(form);
  });

  it('logSafePath replaces every user segment, keeps the rest', () => {
    expect(logSafePath('/v1/datasets/d/users/a%40b/similar?limit=3')).toBe(
      '/v1/datasets/d/users/{userId}/similar?limit=3',
    );
    expect(logSafePath('/v1/datasets/d/users/x')).toBe('/v1/datasets/d/users/{userId}');
    expect(logSafePath('/v1/datasets/d/items/i1/similar')).toBe('/v1/datasets/d/items/i1/similar');
    expect(logSafePath('/a/users/x/b/users/y')).toBe('/a/users/{userId}/b/users/{userId}');
  });
});
