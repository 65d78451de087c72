// The erasure routes (functions/api/erasure-service.ts, erasure-routes.ts) on the real store: idempotent and
// race-free, every API instance stops naming the user within its manifest cache (the answering one at once), a
// DELETE that stopped part-way is finished by a repeat, a full tombstone item and a missing key are 503s (not
// user errors), and neither the store nor the logs keep the raw user id.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { TombstonesFullError } from '../../functions/adapters/erasure-contract.js';
import { createApp, type ApiStore } from '../../functions/api/app.js';
import { ERASABLE, GONE, PULLED } from './erasure-fixture.js';
import { createTestStore, recordingLogger, recordingMetrics, segment, writeModel, type TestStore } from './fixture.js';

const key = new Uint8Array(randomBytes(32));
let test: TestStore;
let dataset = 0;
const logger = recordingLogger();

beforeAll(async () => {
  test = await createTestStore();
});

/** A fresh dataset with two versions of ERASABLE (v2 active). */
async function freshDataset(): Promise<string> {
  const name = `erase-${++dataset}`;
  await writeModel(test.store, name, 'v1', ERASABLE, '2024-05-01T10:00:00.000Z#1');
  await writeModel(test.store, name, 'v2', ERASABLE, '2024-05-02T10:00:00.000Z#2');
  return name;
}

/** `idHashKey` null: an API started without a key. */
function appOn(store: ApiStore, idHashKey: Uint8Array | null = key) {
  const app = createApp({ store, logger, metrics: recordingMetrics(), ...(idHashKey ? { idHashKey } : {}) });
  return async (path: string, method = 'GET') => {
    const response = await app.request(path, { method });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

const userPath = (name: string) => `/v1/datasets/${name}/users/${segment(GONE)}`;
const similarOfAna = async (call: ReturnType<typeof appOn>, name: string) =>
  ((await call(`/v1/datasets/${name}/users/ana/similar`)).body.similar as { id: string }[]).map(({ id }) => id);

describe('DELETE of a user', () => {
  it('concurrent DELETEs answer one record; a repeat answers it again', async () => {
    const name = await freshDataset();
    const call = appOn(test.store);
    const answers = await Promise.all([1, 2, 3].map(() => call(userPath(name), 'DELETE')));
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200]);
    const record = await call(`/v1/datasets/${name}/erasures/users/${segment(GONE)}`);
    expect(record.body).toMatchObject({ status: 'completed', kind: 'user' });
    for (const { body } of answers) {
      expect(body.requestedAt).toBe(record.body.requestedAt);
      expect(body.pseudonym).toBe(record.body.pseudonym);
    }
    expect((await call(userPath(name), 'DELETE')).body).toEqual(record.body);
    // v1 and v2 each had GONE's history and neighbour rows.
    const deleted = record.body.deleted as { version: string; rows: number }[];
    expect(deleted.filter(({ rows }) => rows > 0).map(({ version, rows }) => [version, rows])).toEqual(
      expect.arrayContaining([
        ['v1', 2],
        ['v2', 2],
      ]),
    );
  });

  it('every API instance stops naming the user within its manifest cache; the answering one at once', async () => {
    const name = await freshDataset();
    const answering = new DynamoModelStore(createDocumentClient(test.client), test.tableName, {
      manifestCacheMs: 60_000,
    });
    const other = new DynamoModelStore(createDocumentClient(test.client), test.tableName, { manifestCacheMs: 100 });
    const here = appOn(answering);
    const there = appOn(other);
    expect(await similarOfAna(here, name)).toContain(GONE);
    expect(await similarOfAna(there, name)).toContain(GONE); // both have read (and cached) the tombstones
    expect((await here(userPath(name), 'DELETE')).status).toBe(200);
    expect(await similarOfAna(here, name)).toEqual(['bo']); // its cache has the new tombstone
    // The other instance's rows for GONE are gone too, but its neighbour lists still name GONE until it re-reads.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await similarOfAna(there, name)).toEqual(['bo']);
  });

  it('a DELETE that stopped part-way is pending (answers already exclude the user); a repeat finishes it', async () => {
    const name = await freshDataset();
    const failingSweep = new Proxy(test.store, {
      get(target, property, receiver) {
        if (property === 'deleteEntityRows') return () => Promise.reject(new Error('connection reset'));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const broken = appOn(failingSweep);
    expect((await broken(userPath(name), 'DELETE')).status).toBe(503);
    const call = appOn(test.store);
    const pending = await call(`/v1/datasets/${name}/erasures/users/${segment(GONE)}`);
    expect(pending.body).toMatchObject({ status: 'pending' });
    expect(pending.body.note).toMatch(/under way .*send it again/);
    expect(await similarOfAna(call, name)).toEqual(['bo']);
    const finished = await call(userPath(name), 'DELETE');
    expect(finished.body).toMatchObject({ status: 'completed', requestedAt: pending.body.requestedAt });
    expect(await test.store.getUserRows(name, 'v1', GONE)).toEqual({});
  });

  it('a repeat of a completed erasure sweeps again and notes rows it still found', async () => {
    const name = await freshDataset();
    const call = appOn(test.store);
    const first = await call(userPath(name), 'DELETE');
    // A row of GONE that appeared after the erasure completed (say a build that could not clean its version).
    const writer = test.store.createVersionWriter(name, 'v2');
    await writer.putUserHistory(GONE, [{ item: 'i1', value: 1 }]);
    await writer.flush();
    const again = await call(userPath(name), 'DELETE');
    expect(again.body).toMatchObject({ status: 'completed', completedAt: first.body.completedAt });
    expect(again.body.deleted).toEqual([
      ...(first.body.deleted as unknown[]),
      expect.objectContaining({ version: 'v2', rows: 1 }),
    ]);
    expect(await test.store.getUserRows(name, 'v2', GONE)).toEqual({});
  });

  it('full tombstones and a missing key are 503s saying what to do, never a 4xx or a silent gap', async () => {
    const name = await freshDataset();
    const full = new Proxy(test.store, {
      get(target, property, receiver) {
        if (property === 'addTombstone') return () => Promise.reject(new TombstonesFullError('full'));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const refused = await appOn(full)(userPath(name), 'DELETE');
    expect(refused.status).toBe(503);
    expect(refused.body.hint).toMatch(/Build the dataset/);
    const noKey = appOn(test.store, null);
    expect((await noKey(userPath(name), 'DELETE')).status).toBe(503);
    // An item needs no key.
    expect((await noKey(`/v1/datasets/${name}/items/${PULLED}`, 'DELETE')).status).toBe(200);
    // Nor does serving, while no user is erased: no id is hashed.
    expect((await noKey(`/v1/datasets/${name}/users/ana/recommendations`)).status).toBe(200);
  });

  it('deletes the rows of a version retired within the grace too (readers may still be on it)', async () => {
    const name = await freshDataset();
    await writeModel(test.store, name, 'v3', ERASABLE, '2024-05-03T10:00:00.000Z#3');
    await writeModel(test.store, name, 'v4', ERASABLE, '2024-05-04T10:00:00.000Z#4'); // three kept: v1 retired
    expect((await test.store.getManifest(name))!.versions.map(({ version }) => version)).not.toContain('v1');
    expect((await test.store.getUserRows(name, 'v1', GONE)).history).toBeDefined();
    const { body } = await appOn(test.store)(userPath(name), 'DELETE');
    expect(body.deleted).toContainEqual(expect.objectContaining({ version: 'v1', rows: 2 }));
    expect(await test.store.getUserRows(name, 'v1', GONE)).toEqual({});
  });

  it("deletes the user's live events where the store keeps them (an item's DELETE does not ask)", async () => {
    const name = await freshDataset();
    const calls: unknown[][] = [];
    const withLiveEvents = new Proxy(test.store, {
      get(target, property, receiver) {
        if (property === 'deleteUserLiveEvents') return async (...args: unknown[]) => void calls.push(args);
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const call = appOn(withLiveEvents);
    const erased = await call(userPath(name), 'DELETE');
    expect(erased.status).toBe(200);
    expect((await call(`/v1/datasets/${name}/items/${PULLED}`, 'DELETE')).status).toBe(200);
    // Under the id as given and as a pseudonymised dataset stores it.
    expect(calls).toEqual([
      [name, GONE],
      [name, erased.body.pseudonym],
    ]);
  });

  it("deletes the user's live events, and a taken-down item in someone's live events scores nothing", async () => {
    const name = await freshDataset();
    const app = createApp({ store: test.store, logger, metrics: recordingMetrics(), idHashKey: key });
    const post = (events: unknown[]) =>
      app.request(`/v1/datasets/${name}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    expect(
      (
        await post([
          { user: GONE, item: 'i1' },
          { user: 'cy', item: PULLED },
        ])
      ).status,
    ).toBe(200);
    expect(await test.store.getUserLiveEvents(name, GONE)).toHaveLength(1);
    // Before: cy's live PULLED scores through PULLED's row (i1 .9, i2 .6) beside cy's own i5 (i2 .2).
    const call = appOn(test.store);
    const before = await call(`/v1/datasets/${name}/users/cy/recommendations`);
    expect((before.body.items as { item: string }[]).map(({ item }) => item)).toEqual(['i1', 'i2']);
    expect((await call(userPath(name), 'DELETE')).status).toBe(200);
    expect((await call(`/v1/datasets/${name}/items/${PULLED}`, 'DELETE')).status).toBe(200);
    expect(await test.store.getUserLiveEvents(name, GONE)).toEqual([]);
    const after = await call(`/v1/datasets/${name}/users/cy/recommendations`);
    expect((after.body.items as { item: string; score: number }[]).map(({ item, score }) => [item, score])).toEqual([
      ['i2', 0.2],
    ]);
    expect(after.body).toMatchObject({ historyUsed: 1, liveEvents: 1 });
    const own = await call(`/v1/datasets/${name}/users/${segment(GONE)}/recommendations`);
    expect(own.body).toMatchObject({ fallback: { reason: 'unknown-user' }, liveEvents: 0 });
  });

  it('stores and logs the pseudonym, never the user id', async () => {
    const name = await freshDataset();
    const { body } = await appOn(test.store)(userPath(name), 'DELETE');
    const records = await test.store.listErasures(name);
    expect(JSON.stringify(records)).not.toContain(GONE);
    expect(records[0].subject).toBe(body.pseudonym);
    expect(
      JSON.stringify(await test.store.getTombstones(name), (_, v: unknown) => (v instanceof Map ? [...v] : v)),
    ).not.toContain(GONE);
    const logged = logger.records.filter(({ message }) => message === 'user erased');
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.records)).not.toContain(GONE);
  });
});
