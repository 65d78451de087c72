// Erasure records, tombstones and erased rows on the real store (functions/adapters/dynamo/erasures.ts) against
// the test dynalite: one record per subject whatever the races, atomic tombstones (no lost update, never
// replaced, pruned by time), the cache, the 400 KB bound, and deletions that count only rows that were there.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { TombstonesFullError } from '../../functions/adapters/erasure-contract.js';
import { oldestMark } from '../../functions/model-build/build-erasures.js';
import { createStoreTable, doc, fastRetry, store, TABLE } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

describe('erasure records', () => {
  it('one per subject: repeated and concurrent begins share the first time; the first completion wins', async () => {
    const first = await store.beginErasure('records', 'user', 'p_one', at(1));
    expect(first).toMatchObject({ dataset: 'records', kind: 'user', subject: 'p_one', status: 'pending', deleted: [] });
    expect(first.requestedAt).toBe(at(1).toISOString());
    const racing = await Promise.all([2, 3, 4, 5].map((s) => store.beginErasure('records', 'user', 'p_one', at(s))));
    expect(new Set(racing.map((r) => r.requestedAt))).toEqual(new Set([at(1).toISOString()]));

    const done = { version: 'v1', rows: 2, by: 'request' as const, at: at(6).toISOString() };
    const completions = await Promise.all([
      store.completeErasure('records', 'user', 'p_one', [done], at(7)),
      store.completeErasure('records', 'user', 'p_one', [{ ...done, version: 'v2' }], at(8)),
    ]);
    const stored = await store.getErasure('records', 'user', 'p_one');
    expect(stored?.status).toBe('completed');
    expect(stored?.deleted).toHaveLength(1); // appended once, by the winner
    for (const answer of completions) expect(answer).toEqual(stored);

    await store.noteErasureRows('records', 'user', 'p_one', { ...done, version: 'v3', by: 'build' });
    await store.markRebuilt('records', 'user', 'p_one', 'v3', at(9).toISOString());
    await store.markRebuilt('records', 'user', 'p_one', 'v4', at(10).toISOString()); // the first one stays
    expect(await store.getErasure('records', 'user', 'p_one')).toMatchObject({
      deleted: [stored!.deleted[0], expect.objectContaining({ version: 'v3', by: 'build' })],
      rebuiltIn: { version: 'v3', at: at(9).toISOString() },
    });
    expect(await store.listErasures('records')).toHaveLength(1);
    expect(await store.getErasure('records', 'item', 'p_one')).toBeUndefined(); // kinds are apart
  });
});

describe('tombstones', () => {
  it('concurrent additions all land, and an entry keeps its first time', async () => {
    const subjects = Array.from({ length: 20 }, (_, k) => `p_${k}`);
    await Promise.all(subjects.map((subject) => store.addTombstone('stones', 'user', subject, at(1).toISOString())));
    await store.addTombstone('stones', 'item', 'a/b #c', at(2).toISOString());
    await store.addTombstone('stones', 'user', 'p_0', at(30).toISOString());
    const tombstones = await store.getTombstones('stones');
    expect([...tombstones.users.keys()].sort()).toEqual([...subjects].sort());
    expect(tombstones.users.get('p_0')).toBe(at(1).toISOString());
    expect([...tombstones.items]).toEqual([['a/b #c', at(2).toISOString()]]);
    expect((await store.getTombstones('no-such-dataset')).users.size).toBe(0);
  });

  it('prune removes exactly the entries older than the mark, in chunks', async () => {
    for (let k = 0; k < 120; k++) await store.addTombstone('pruned', 'user', `p_old${k}`, at(1).toISOString());
    await store.addTombstone('pruned', 'item', 'old-item', at(2).toISOString());
    await store.addTombstone('pruned', 'user', 'p_new', at(20).toISOString());
    expect(await store.pruneTombstones('pruned', at(10).toISOString())).toEqual({ pruned: 121 });
    const left = await store.getTombstones('pruned');
    expect([...left.users.keys()]).toEqual(['p_new']);
    expect(left.items.size).toBe(0);
    expect(await store.pruneTombstones('pruned', at(10).toISOString())).toEqual({ pruned: 0 });
  });

  it('are cached for manifestCacheMs, and a process sees its own additions at once', async () => {
    const cached = new DynamoModelStore(doc, TABLE, { retry: fastRetry, manifestCacheMs: 60_000 });
    const other = new DynamoModelStore(doc, TABLE, { retry: fastRetry });
    expect((await cached.getTombstones('cached')).users.size).toBe(0);
    await other.addTombstone('cached', 'user', 'p_elsewhere', at(1).toISOString());
    expect((await cached.getTombstones('cached')).users.has('p_elsewhere')).toBe(false); // still the cached read
    await cached.addTombstone('cached', 'user', 'p_here', at(2).toISOString());
    expect((await cached.getTombstones('cached')).users.has('p_here')).toBe(true);
    const short = new DynamoModelStore(doc, TABLE, { retry: fastRetry, manifestCacheMs: 50 });
    await short.getTombstones('cached');
    await other.addTombstone('cached', 'user', 'p_later', at(3).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await short.getTombstones('cached')).users.has('p_later')).toBe(true);
  });

  it('past one 400 KB item an addition is a TombstonesFullError, not a lost entry', async () => {
    // Large entries, so the bound is reached in a few writes (ids of the API are at most 256 bytes: ~1,500 items).
    const id = (k: number) => `${String(k).padStart(6, '0')}-${'x'.repeat(30_000)}`;
    let added = 0;
    let failure: unknown;
    for (let k = 0; k < 40 && failure === undefined; k++) {
      try {
        await store.addTombstone('full', 'item', id(k), at(1).toISOString());
        added++;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(TombstonesFullError);
    expect(added).toBeGreaterThan(10);
    expect((await store.getTombstones('full')).items.size).toBe(added); // every answered addition is there
  });
});

describe('erased rows', () => {
  it('deletes a user’s h and u rows and an item’s i and c rows of one version, counting only rows there', async () => {
    const writer = store.createVersionWriter('rows', 'v1');
    await writer.putUserHistory('ana', [{ item: 'x', value: 1 }]);
    await writer.putUserNeighbours('ana', [{ id: 'bo', similarity: 0.5, support: 1 }]);
    await writer.putUserHistory('bo', [{ item: 'x', value: 1 }]);
    await writer.putItemNeighbours('x', [{ id: 'y', similarity: 0.5, support: 1 }]);
    await writer.putCatalogueEntry({ item: 'x', title: 'X' });
    await writer.flush();
    expect(await store.deleteEntityRows('rows', 'v1', 'user', 'ana')).toBe(2);
    expect(await store.deleteEntityRows('rows', 'v1', 'user', 'ana')).toBe(0);
    expect(await store.deleteEntityRows('rows', 'v1', 'user', 'bo')).toBe(1); // no neighbour row
    expect(await store.deleteEntityRows('rows', 'v1', 'item', 'x')).toBe(2);
    expect(await store.getUserRows('rows', 'v1', 'ana')).toEqual({});
    expect((await store.getCatalogueEntries('rows', 'v1', ['x'])).size).toBe(0);
    // The registry row the writer made carries the version's mark once the build writes it.
    await store.recordErasuresThrough('rows', 'v1', at(5).toISOString());
    expect(await store.storedVersions('rows')).toEqual([{ version: 'v1', erasuresThrough: at(5).toISOString() }]);
  });

  it('the prune mark is the oldest of the stored versions, and none while one has no mark', () => {
    expect(
      oldestMark([
        { version: 'a', erasuresThrough: 'b' },
        { version: 'c', erasuresThrough: 'a' },
      ]),
    ).toBe('a');
    expect(oldestMark([{ version: 'a', erasuresThrough: 'b' }, { version: 'c' }])).toBeUndefined();
  });
});
