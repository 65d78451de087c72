// Retired versions outlive their readers (issue 8, point 1), against the real dynalite: an activation records
// which versions it retires and when; no deletion touches their rows until the grace has passed; and a reader
// that finds rows missing under a manifest older than the grace re-reads it, while a recent one costs no read.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import {
  DEFAULT_RETIRED_VERSION_GRACE_MS,
  DynamoModelStore,
  type DynamoModelStoreOptions,
} from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { manifestKey } from '../../functions/adapters/dynamo/keys.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';
import type { VersionInfo } from '../../functions/adapters/store-contract.js';

const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const doc = createDocumentClient(raw);
const TABLE = `retired-${process.pid}-${Date.now()}`;
const GRACE_MS = 60_000;
const T0 = Date.parse('2024-06-01T12:00:00.000Z');

beforeAll(async () => {
  await ensureTable(raw, TABLE);
});

/** A store whose clock the test sets (activation, retirement and prune all read it). */
function storeAt(clock: { now: number }, options: DynamoModelStoreOptions = {}): DynamoModelStore {
  return new DynamoModelStore(doc, TABLE, {
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    consistentReads: true,
    retiredVersionGraceMs: GRACE_MS,
    now: () => new Date(clock.now),
    ...options,
  });
}

function info(version: string, sourceOrder: string): VersionInfo {
  return {
    version,
    createdAt: '2024-06-01T00:00:00.000Z',
    jobId: `job-${version}`,
    source: { bucket: 'b', key: 'uploads/x/ratings.csv', sourceOrder },
    stats: { users: 1, items: 2, ratings: 2, itemRows: 2, userRows: 0 },
    options: {
      similarity: { measure: 'cosine', k: 50, shrinkage: 0, minSupport: 1, implicit: false },
      models: ['item'],
      versionsKept: 1,
    },
  };
}

/** Writes two item rows and a history row: 3 rows per version. */
async function publish(store: DynamoModelStore, dataset: string, version: string, order: string): Promise<void> {
  const writer = store.createVersionWriter(dataset, version);
  await writer.putItemNeighbours('i1', [{ id: 'i2', similarity: 0.5, support: 1 }]);
  await writer.putItemNeighbours('i2', [{ id: 'i1', similarity: 0.5, support: 1 }]);
  await writer.putUserHistory('u1', [{ item: 'i1', value: 1 }]);
  await writer.flush();
  expect(await store.activateVersion(dataset, info(version, order), 1)).toBe('activated');
}

async function rowsOf(store: DynamoModelStore, dataset: string, version: string): Promise<number> {
  const items = await store.getItemNeighbours(dataset, version, ['i1', 'i2']);
  const user = await store.getUserRows(dataset, version, 'u1');
  return items.size + (user.history ? 1 : 0);
}

async function storedManifest(dataset: string): Promise<Record<string, unknown>> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: TABLE, Key: manifestKey(dataset), ConsistentRead: true }),
  );
  return Item!;
}

describe('retired versions (versionsKept 1)', () => {
  it('keep their rows through prunes within the grace, and lose them at the first prune after it', async () => {
    const clock = { now: T0 };
    const store = storeAt(clock);
    await publish(store, 'grace', 'v1', '1');
    clock.now += 1_000;
    await publish(store, 'grace', 'v2', '2');
    clock.now += 1_000;
    await publish(store, 'grace', 'v3', '3');

    // Both retirements are recorded in the manifest item, with their times and the promised grace.
    const item = await storedManifest('grace');
    expect(item.retired).toEqual([
      { version: 'v2', retiredAt: new Date(T0 + 2_000).toISOString() },
      { version: 'v1', retiredAt: new Date(T0 + 1_000).toISOString() },
    ]);
    expect(item.retiredVersionGraceMs).toBe(GRACE_MS);

    expect(await store.pruneVersions('grace')).toEqual({ rowsDeleted: 0 });
    for (const version of ['v1', 'v2', 'v3']) expect(await rowsOf(store, 'grace', version)).toBe(3);

    // v1 retired at T0+1s: its grace ends at T0+61s; v2's at T0+62s.
    clock.now = T0 + 1_000 + GRACE_MS + 1;
    expect(await store.pruneVersions('grace')).toEqual({ rowsDeleted: 3 });
    expect(await rowsOf(store, 'grace', 'v1')).toBe(0);
    expect(await rowsOf(store, 'grace', 'v2')).toBe(3);
    clock.now = T0 + 2_000 + GRACE_MS + 1;
    expect(await store.pruneVersions('grace')).toEqual({ rowsDeleted: 3 });
    expect(await rowsOf(store, 'grace', 'v2')).toBe(0);
    expect(await rowsOf(store, 'grace', 'v3')).toBe(3);

    // The next activation drops the entries whose grace has passed and records its own retirement.
    await publish(store, 'grace', 'v4', '4');
    expect((await storedManifest('grace')).retired).toEqual([
      { version: 'v3', retiredAt: new Date(clock.now).toISOString() },
    ]);
  });

  it('are not deleted by deleteVersion within the grace (a retried build of a once-active version)', async () => {
    const clock = { now: T0 };
    const store = storeAt(clock);
    await publish(store, 'retry', 'v1', '1');
    await publish(store, 'retry', 'v2', '2');
    expect(await store.deleteVersion('retry', 'v1')).toEqual({ rowsDeleted: 0 });
    expect(await rowsOf(store, 'retry', 'v1')).toBe(3);
    clock.now += GRACE_MS + 1;
    expect(await store.deleteVersion('retry', 'v1')).toEqual({ rowsDeleted: 3 });
  });

  it('with a grace of 0 are deleted by the next prune (the behaviour before the grace)', async () => {
    const clock = { now: T0 };
    const store = storeAt(clock, { retiredVersionGraceMs: 0 });
    await publish(store, 'no-grace', 'v1', '1');
    await publish(store, 'no-grace', 'v2', '2');
    expect(await store.pruneVersions('no-grace')).toEqual({ rowsDeleted: 3 });
  });

  it('default to a grace longer than the longest manifest cache (60 s) plus the longest request (30 s)', () => {
    expect(DEFAULT_RETIRED_VERSION_GRACE_MS).toBeGreaterThan(60_000 + 30_000);
  });
});

describe('refreshManifest, for a reader that found rows missing', () => {
  it('re-reads a cached manifest whose version was pruned (grace 0), and updates the cache', async () => {
    const publisher = storeAt({ now: Date.now() }, { retiredVersionGraceMs: 0 });
    const reader = new DynamoModelStore(doc, TABLE, { manifestCacheMs: 60_000 });
    await publish(publisher, 'stale', 'v1', '1');
    const seen = (await reader.getManifest('stale'))!;
    expect(seen.activeVersion).toBe('v1');

    await publish(publisher, 'stale', 'v2', '2');
    await publisher.pruneVersions('stale');
    expect(await rowsOf(reader, 'stale', 'v1')).toBe(0);
    expect((await reader.getManifest('stale'))!.activeVersion).toBe('v1'); // still cached

    const fresh = await reader.refreshManifest('stale', seen);
    expect(fresh?.activeVersion).toBe('v2');
    expect((await reader.getManifest('stale'))!.activeVersion).toBe('v2');
  });

  it('spends no read on a manifest read within its promised grace: its versions still have their rows', async () => {
    const publisher = storeAt({ now: Date.now() });
    await publish(publisher, 'recent', 'v1', '1');
    const sends: string[] = [];
    const counting = new Proxy(doc, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: { constructor: { name: string } }) => {
          sends.push(command.constructor.name);
          return target.send(command as never);
        };
      },
    }) as DynamoDBDocumentClient;
    const reader = new DynamoModelStore(counting, TABLE, { manifestCacheMs: 1_000 });
    const seen = (await reader.getManifest('recent'))!;
    await publish(publisher, 'recent', 'v2', '2');
    sends.length = 0;
    expect(await reader.refreshManifest('recent', seen)).toBe(seen);
    expect(sends).toEqual([]);
  });

  it('re-reads a manifest written before the grace was recorded', async () => {
    const publisher = storeAt({ now: Date.now() });
    await publish(publisher, 'legacy', 'v1', '1');
    const { retired: _retired, retiredVersionGraceMs: _grace, ...legacy } = await storedManifest('legacy');
    await doc.send(new PutCommand({ TableName: TABLE, Item: legacy }));
    const reader = new DynamoModelStore(doc, TABLE, { manifestCacheMs: 60_000 });
    const seen = (await reader.getManifest('legacy'))!;
    const refreshed = await reader.refreshManifest('legacy', seen);
    expect(refreshed).toEqual(seen);
    expect(refreshed).not.toBe(seen); // a new read
  });
});
