// The row cache: versioned rows served from memory after the first read, absent rows remembered, memory bounded.
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { entityRowKey } from '../../functions/adapters/dynamo/keys.js';
import { RowCache } from '../../functions/adapters/dynamo/row-cache.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';

const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const doc = createDocumentClient(raw);
const TABLE = `row-cache-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  await ensureTable(raw, TABLE);
});

describe('RowCache', () => {
  it('evicts the least recently used entries beyond its byte budget', () => {
    const cache = new RowCache(1000);
    cache.set('a', 'A', 50); // 64 + 2 + 200 = 266 bytes each
    cache.set('b', 'B', 50);
    cache.set('c', 'C', 50);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('d', 'D', 50); // 4 x 266 > 1000: the least recent (b) goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.get('d')).toBe('D');
  });

  it('is disabled with a zero budget and never stores an entry larger than the budget', () => {
    const off = new RowCache(0);
    off.set('a', 'A', 1);
    expect(off.get('a')).toBeUndefined();
    const small = new RowCache(100);
    small.set('big', 'x', 1000);
    expect(small.size).toBe(0);
  });
});

describe('DynamoModelStore with a row cache', () => {
  it('serves rows of a version from memory after the first read, including rows known to be absent', async () => {
    const store = new DynamoModelStore(doc, TABLE, { rowCacheBytes: 1 << 20 });
    const writer = store.createVersionWriter('ds', 'v1');
    await writer.putItemNeighbours('i1', [{ id: 'i2', similarity: 0.5, support: 2 }]);
    await writer.putUserHistory('u1', [{ item: 'i1', value: 4 }]);
    await writer.flush();

    const first = await store.getItemNeighbours('ds', 'v1', ['i1', 'missing']);
    expect(first.get('i1')).toEqual([{ id: 'i2', similarity: 0.5, support: 2 }]);
    expect(first.has('missing')).toBe(false);
    expect((await store.getUserRows('ds', 'v1', 'u1')).history).toEqual([{ item: 'i1', value: 4 }]);

    // Delete the rows behind the store's back: cached reads must not go to the table any more.
    for (const [kind, id] of [
      ['i', 'i1'],
      ['h', 'u1'],
    ] as const) {
      await doc.send(new DeleteCommand({ TableName: TABLE, Key: entityRowKey('ds', 'v1', kind, id)! }));
    }
    const misses = store.rowCache.misses;
    const second = await store.getItemNeighbours('ds', 'v1', ['i1', 'missing']);
    expect(second.get('i1')).toEqual([{ id: 'i2', similarity: 0.5, support: 2 }]);
    expect(second.has('missing')).toBe(false);
    expect((await store.getUserRows('ds', 'v1', 'u1')).history).toEqual([{ item: 'i1', value: 4 }]);
    expect(store.rowCache.misses).toBe(misses); // every lookup was a hit

    // Another version's rows are other keys: nothing leaks across versions.
    expect((await store.getItemNeighbours('ds', 'v2', ['i1'])).has('i1')).toBe(false);
  });

  it('reuses a manifest read for manifestCacheMs, sees its own rollback at once, and re-reads after expiry', async () => {
    const info = (version: string, sourceOrder: string) => ({
      version,
      createdAt: '2024-01-01T00:00:00.000Z',
      jobId: `job-${version}`,
      source: { bucket: 'b', key: 'uploads/m/r.csv', sourceOrder },
      stats: { users: 1, items: 1, ratings: 1, itemRows: 1, userRows: 0 },
      options: {
        similarity: { measure: 'cosine' as const, k: 50, shrinkage: 0, minSupport: 1, implicit: false },
        models: ['item' as const],
        versionsKept: 3,
      },
    });
    const writerStore = new DynamoModelStore(doc, TABLE);
    const reader = new DynamoModelStore(doc, TABLE, { manifestCacheMs: 300 });
    await writerStore.activateVersion('m', info('v1', 'a'), 3);
    expect((await reader.getManifest('m'))?.activeVersion).toBe('v1');
    await writerStore.activateVersion('m', info('v2', 'b'), 3);
    expect((await reader.getManifest('m'))?.activeVersion).toBe('v1'); // still within the cache time
    expect((await writerStore.getManifest('m'))?.activeVersion).toBe('v2'); // no cache: fresh
    await reader.rollback('m', 'v1'); // the reader's own change is visible at once
    expect((await reader.getManifest('m'))?.activeVersion).toBe('v1');
    await writerStore.rollback('m', 'v2');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await reader.getManifest('m'))?.activeVersion).toBe('v2'); // expired: re-read
  });

  it('shares one manifest read among concurrent readers when the cached manifest has expired', async () => {
    const store = new DynamoModelStore(doc, TABLE, { manifestCacheMs: 50 });
    const send = vi.spyOn(doc, 'send');
    try {
      const reads = () => send.mock.calls.filter(([command]) => command.constructor.name === 'GetCommand').length;
      await Promise.all(Array.from({ length: 20 }, () => store.getManifest('m')));
      expect(reads()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const manifests = await Promise.all(Array.from({ length: 20 }, () => store.getManifest('m')));
      expect(reads()).toBe(2);
      expect(new Set(manifests.map((m) => m?.activeVersion)).size).toBe(1);
    } finally {
      send.mockRestore();
    }
  });

  it('reads through to the table when the cache is off', async () => {
    const store = new DynamoModelStore(doc, TABLE);
    const writer = store.createVersionWriter('ds2', 'v1');
    await writer.putItemNeighbours('i1', [{ id: 'i2', similarity: 0.5, support: 2 }]);
    await writer.flush();
    expect((await store.getItemNeighbours('ds2', 'v1', ['i1'])).has('i1')).toBe(true);
    await doc.send(new DeleteCommand({ TableName: TABLE, Key: entityRowKey('ds2', 'v1', 'i', 'i1')! }));
    expect((await store.getItemNeighbours('ds2', 'v1', ['i1'])).has('i1')).toBe(false);
  });
});
