// A reader whose cached manifest names a version whose rows are gone (deleted with no grace, the worst case the
// grace is there to prevent) re-reads the manifest and answers from the active version: never a fallback for a
// known user, never a 404 for a known item or user, never an empty popular list (issue 8, point 1).
// Expected bodies come from a second reader that caches nothing, so it reads the new manifest directly.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { createApp } from '../../functions/api/app.js';
import {
  createTestStore,
  FILMS,
  recordingLogger,
  recordingMetrics,
  versionInfo,
  type TestModel,
  type TestStore,
} from './fixture.js';

const DATASET = 'stale';
const BASE = `/v1/datasets/${DATASET}`;
let test: TestStore;
let publisher: DynamoModelStore;
let versions = 0;

/** The fixture model with every similarity scaled, so that each version's answers differ. */
function scaled(factor: number): TestModel {
  const scale = (rows: TestModel['itemNeighbours']) =>
    Object.fromEntries(
      Object.entries(rows).map(([id, list]) => [id, list.map((n) => ({ ...n, similarity: n.similarity * factor }))]),
    );
  return { ...FILMS, itemNeighbours: scale(FILMS.itemNeighbours), userNeighbours: scale(FILMS.userNeighbours) };
}

/** Publishes the next version with versionsKept 1 and deletes the retired one's rows at once (grace 0). */
async function publishNext(): Promise<string> {
  versions++;
  const version = `v${versions}`;
  const model = scaled(1 / versions);
  const writer = publisher.createVersionWriter(DATASET, version);
  for (const [item, neighbours] of Object.entries(model.itemNeighbours))
    await writer.putItemNeighbours(item, neighbours);
  for (const [user, neighbours] of Object.entries(model.userNeighbours))
    await writer.putUserNeighbours(user, neighbours);
  for (const [user, history] of Object.entries(model.histories)) await writer.putUserHistory(user, history);
  await writer.putPopularity(model.popularity);
  await writer.flush();
  const order = `2024-05-01T10:00:00.000Z#${String(versions).padStart(4, '0')}`;
  expect(await publisher.activateVersion(DATASET, versionInfo(DATASET, version, order), 1)).toBe('activated');
  await publisher.pruneVersions(DATASET);
  return version;
}

beforeAll(async () => {
  test = await createTestStore();
  publisher = new DynamoModelStore(createDocumentClient(test.client), test.tableName, { retiredVersionGraceMs: 0 });
  await publishNext();
});

const ROUTES: Array<{ name: string; path: string; body?: unknown }> = [
  { name: 'item-based recommendations for a known user', path: `${BASE}/users/u1/recommendations` },
  { name: 'user-based recommendations for a known user', path: `${BASE}/users/u1/recommendations?algorithm=user` },
  {
    name: 'recommendations for a posted history',
    path: `${BASE}/recommendations`,
    body: { history: [{ item: 'm1' }] },
  },
  { name: 'similar items of a known item', path: `${BASE}/items/m1/similar` },
  { name: 'similar users of a known user', path: `${BASE}/users/u1/similar` },
  { name: 'popular items', path: `${BASE}/popular` },
];

async function call(app: ReturnType<typeof createApp>, route: (typeof ROUTES)[number]) {
  const response = await app.request(
    route.path,
    route.body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(route.body) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a reader with a cached manifest whose version was deleted under it', () => {
  for (const route of ROUTES) {
    it(`answers ${route.name} from the active version`, async () => {
      const reader = new DynamoModelStore(createDocumentClient(test.client), test.tableName, {
        manifestCacheMs: 60_000,
      });
      const stale = createApp({ store: reader, logger: recordingLogger(), metrics: recordingMetrics() });
      const cachedVersion = (await reader.getManifest(DATASET))!.activeVersion;
      const active = await publishNext();
      expect(active).not.toBe(cachedVersion);
      expect((await reader.getManifest(DATASET))!.activeVersion).toBe(cachedVersion); // the cache still names it

      const fresh = createApp({ store: test.store, logger: recordingLogger(), metrics: recordingMetrics() });
      const expected = await call(fresh, route);
      expect(expected.status).toBe(200);
      expect(expected.body.version).toBe(active);
      expect(expected.body.fallback).toBeUndefined();

      expect(await call(stale, route)).toEqual(expected);
    });
  }
});
