// DynamoModelStore against the real dynalite server from the global setup (it enforces DynamoDB's validation,
// conditional writes and the 400 KB item limit): the table, versions and activation.
import { beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { TTL_ATTRIBUTE } from '../../functions/adapters/dynamo/table.js';
import { ConflictError, NotFoundError } from '../../functions/adapters/store-contract.js';
import {
  raw,
  doc,
  TABLE,
  fastRetry,
  store,
  createStoreTable,
  info,
  ITEMS,
  neighboursFor,
  writeVersion,
} from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

describe('ensureTable', () => {
  it('creates a pk/sk string table billed on demand, and tolerates being called again', async () => {
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });
});

describe('versions and activation', () => {
  it('writes a version, activates it and reads every kind of row back', async () => {
    const writer = store.createVersionWriter('books', 'v1');
    await writer.putItemNeighbours('i1', [
      { id: 'i2', similarity: 0.75, support: 4 },
      { id: 'i3', similarity: 0.5, support: 2 },
    ]);
    await writer.putItemNeighbours('i2', [{ id: 'i1', similarity: 0.75, support: 4 }]);
    await writer.putItemNeighbours('lonely', []);
    await writer.putUserNeighbours('u1', [{ id: 'u2', similarity: 0.25, support: 1 }]);
    await writer.putUserHistory('u1', [
      { item: 'i2', value: 4 },
      { item: 'i1', value: 3.5 },
    ]);
    await writer.putUserHistory('u2', [{ item: 'i3', value: 1 }]);
    await writer.putPopularity([
      { item: 'i1', count: 2, meanValue: 3.75 },
      { item: 'i2', count: 1, meanValue: 4 },
    ]);
    const flushed = await writer.flush();
    expect(flushed).toEqual({ rowsWritten: 7, historiesCapped: 0, historyEntriesDropped: 0, neighbourRowsTrimmed: 0 });

    expect(await store.getManifest('books')).toBeUndefined();
    expect(await store.activateVersion('books', info('v1', '2024-01-01#1'), 3)).toBe('activated');
    const manifest = await store.getManifest('books');
    expect(manifest).toMatchObject({
      dataset: 'books',
      activeVersion: 'v1',
      revision: 1,
      versions: [info('v1', '2024-01-01#1')],
    });

    const items = await store.getItemNeighbours('books', 'v1', ['i1', 'i2', 'lonely', 'unknown', 'i1']);
    expect([...items.keys()].sort()).toEqual(['i1', 'i2', 'lonely']);
    expect(items.get('i1')).toEqual([
      { id: 'i2', similarity: 0.75, support: 4 },
      { id: 'i3', similarity: 0.5, support: 2 },
    ]);
    expect(items.get('lonely')).toEqual([]);
    expect(await store.getUserRows('books', 'v1', 'u1')).toEqual({
      history: [
        { item: 'i2', value: 4 },
        { item: 'i1', value: 3.5 },
      ],
      neighbours: [{ id: 'u2', similarity: 0.25, support: 1 }],
    });
    expect(await store.getUserRows('books', 'v1', 'u2')).toEqual({ history: [{ item: 'i3', value: 1 }] });
    expect(await store.getUserRows('books', 'v1', 'nobody')).toEqual({});
    expect((await store.getUserHistories('books', 'v1', ['u1', 'u2'])).get('u2')).toEqual([{ item: 'i3', value: 1 }]);
    expect((await store.getUserNeighbourRows('books', 'v1', ['u1', 'u2'])).size).toBe(1);
    expect(await store.getPopularity('books', 'v1')).toEqual([
      { item: 'i1', count: 2, meanValue: 3.75 },
      { item: 'i2', count: 1, meanValue: 4 },
    ]);
    expect(await store.getPopularity('books', 'v2')).toEqual([]);
  });

  it('swaps versions atomically: a concurrent reader only ever sees complete rows of the active version', async () => {
    await writeVersion('swap', 'v1');
    await store.activateVersion('swap', info('v1', '2024-01-01#1'), 3);
    const seen = new Set<string>();
    let stop = false;
    let v2Reads = 0;
    const reader = (async () => {
      while (!stop || v2Reads < 3) {
        const manifest = (await store.getManifest('swap'))!;
        const rows = await store.getItemNeighbours('swap', manifest.activeVersion, ITEMS);
        // Complete and unmixed: every item present, each row exactly the active version's row.
        expect([...rows.keys()].sort()).toEqual(ITEMS);
        for (const item of ITEMS) expect(rows.get(item)).toEqual(neighboursFor(manifest.activeVersion, item));
        seen.add(manifest.activeVersion);
        if (manifest.activeVersion === 'v2') v2Reads++;
      }
    })();
    await writeVersion('swap', 'v2');
    expect(await store.activateVersion('swap', info('v2', '2024-01-02#1'), 3)).toBe('activated');
    stop = true;
    await reader;
    expect([...seen].sort()).toEqual(['v1', 'v2']);
  });

  it('leaves the previous version serving when a build fails mid-way, and cleans the failed rows up', async () => {
    await writeVersion('fail', 'v1');
    await store.activateVersion('fail', info('v1', '2024-01-01#1'), 3);
    const before = await store.getManifest('fail');

    const writer = store.createVersionWriter('fail', 'v2');
    const build = async () => {
      for (const item of ITEMS.slice(0, 3)) await writer.putItemNeighbours(item, neighboursFor('v2', item));
      await writer.flush();
      throw new Error('similarity worker crashed');
    };
    await expect(build()).rejects.toThrow('crashed');

    expect(await store.getManifest('fail')).toEqual(before);
    const served = await store.getItemNeighbours('fail', before!.activeVersion, ITEMS);
    for (const item of ITEMS) expect(served.get(item)).toEqual(neighboursFor('v1', item));

    // A fresh 'building' version is not pruned (it could be a concurrent build) ...
    expect(await store.pruneVersions('fail')).toEqual({ rowsDeleted: 0 });
    expect((await store.getItemNeighbours('fail', 'v2', ITEMS)).size).toBe(3);
    // ... the build's handler deletes its own rows ...
    expect(await store.deleteVersion('fail', 'v2')).toEqual({ rowsDeleted: 3 });
    expect((await store.getItemNeighbours('fail', 'v2', ITEMS)).size).toBe(0);
    // ... and a build that crashed without cleaning up is pruned once it is stale.
    const crashed = store.createVersionWriter('fail', 'v3');
    await crashed.putItemNeighbours('i1', neighboursFor('v3', 'i1'));
    await crashed.flush();
    const later = new DynamoModelStore(doc, TABLE, {
      now: () => new Date(Date.now() + 3 * 3_600_000),
      consistentReads: true,
    });
    expect(await later.pruneVersions('fail')).toEqual({ rowsDeleted: 1 });
    expect((await store.getItemNeighbours('fail', 'v3', ['i1'])).size).toBe(0);
    expect((await store.getItemNeighbours('fail', 'v1', ITEMS)).size).toBe(ITEMS.length);
  });

  it('never lets an older upload replace a newer model', async () => {
    await writeVersion('order', 'new');
    await store.activateVersion('order', info('new', '2024-05-01T00:00:00Z#0002'), 3);
    const before = await store.getManifest('order');
    await writeVersion('order', 'old');
    expect(await store.activateVersion('order', info('old', '2024-05-01T00:00:00Z#0001'), 3)).toBe('superseded');
    expect(await store.activateVersion('order', info('same', '2024-05-01T00:00:00Z#0002'), 3)).toBe('superseded');
    expect(await store.getManifest('order')).toEqual(before);
    // Retrying the activation of the active version is harmless.
    expect(await store.activateVersion('order', info('new', '2024-05-01T00:00:00Z#0002'), 3)).toBe('activated');
    expect((await store.getManifest('order'))!.revision).toBe(before!.revision);
    // The superseded build's rows can be deleted; a kept version's cannot.
    expect((await store.deleteVersion('order', 'old')).rowsDeleted).toBe(ITEMS.length + 1);
    await expect(store.deleteVersion('order', 'new')).rejects.toThrow(ConflictError);
  });

  it('activates the newest of concurrent activations whatever the interleaving', async () => {
    const orders = ['2024-06-01#3', '2024-06-01#1', '2024-06-01#4', '2024-06-01#2'];
    for (const [i] of orders.entries()) await writeVersion('race', `r${i}`, ['i1']);
    const results = await Promise.all(
      orders.map((order, i) => store.activateVersion('race', info(`r${i}`, order), 10)),
    );
    const manifest = (await store.getManifest('race'))!;
    expect(manifest.activeVersion).toBe('r2'); // sourceOrder '#4'
    expect(results[2]).toBe('activated');
    // Every activation that won bumped the revision once.
    expect(manifest.revision).toBe(results.filter((r) => r === 'activated').length);
  });

  it('keeps versionsKept versions and prunes the rows of the others', async () => {
    const rowsPerVersion = await writeVersion('kept', 'v1');
    expect(rowsPerVersion).toBe(ITEMS.length + 1);
    await store.activateVersion('kept', info('v1', '1'), 2);
    for (const [i, version] of ['v2', 'v3', 'v4'].entries()) {
      await writeVersion('kept', version);
      await store.activateVersion('kept', info(version, String(i + 2)), 2);
    }
    const manifest = (await store.getManifest('kept'))!;
    expect(manifest.activeVersion).toBe('v4');
    expect(manifest.versions.map((v) => v.version)).toEqual(['v4', 'v3']);
    expect(manifest.revision).toBe(4);

    // Retired versions keep their rows for a grace period (test/adapters/retired-versions.test.ts); without one,
    // the prune deletes them at once.
    const noGrace = new DynamoModelStore(doc, TABLE, { retry: fastRetry, retiredVersionGraceMs: 0 });
    expect(await store.pruneVersions('kept')).toEqual({ rowsDeleted: 0 });
    expect(await noGrace.pruneVersions('kept')).toEqual({ rowsDeleted: 2 * rowsPerVersion });
    for (const version of ['v1', 'v2']) {
      expect((await store.getItemNeighbours('kept', version, ITEMS)).size).toBe(0);
      expect(await store.getUserRows('kept', version, 'u1')).toEqual({});
    }
    for (const version of ['v3', 'v4'])
      expect((await store.getItemNeighbours('kept', version, ITEMS)).size).toBe(ITEMS.length);
    expect(await noGrace.pruneVersions('kept')).toEqual({ rowsDeleted: 0 });
  });

  it('rolls back to the previous or a named kept version, and refuses unknown ones', async () => {
    for (const [i, version] of ['v1', 'v2', 'v3'].entries()) {
      await writeVersion('roll', version, ['i1']);
      await store.activateVersion('roll', info(version, String(i + 1)), 3);
    }
    const toPrevious = await store.rollback('roll');
    expect(toPrevious.activeVersion).toBe('v2');
    expect(await store.getManifest('roll')).toEqual(toPrevious);
    expect((await store.rollback('roll')).activeVersion).toBe('v1');
    await expect(store.rollback('roll')).rejects.toThrow(NotFoundError); // nothing older than v1
    expect((await store.rollback('roll', 'v3')).activeVersion).toBe('v3');
    await expect(store.rollback('roll', 'v9')).rejects.toThrow(/"v9".*not kept \(kept: v3, v2, v1\)/);
    await expect(store.rollback('no-such-dataset')).rejects.toThrow(NotFoundError);
    const manifest = (await store.getManifest('roll'))!;
    expect(manifest.versions.map((v) => v.version)).toEqual(['v3', 'v2', 'v1']);
    expect(manifest.revision).toBe(6);

    // After rolling back, a late event for an upload older than one already served is still superseded.
    await store.rollback('roll', 'v1');
    await writeVersion('roll', 'late', ['i1']);
    expect(await store.activateVersion('roll', info('late', '2.5'), 3)).toBe('superseded');
    expect((await store.getManifest('roll'))!.activeVersion).toBe('v1');
  });

  it('reports a rollback that lost a race as a conflict', async () => {
    for (const [i, version] of ['v1', 'v2', 'v3'].entries()) {
      await writeVersion('conflict', version, ['i1']);
      await store.activateVersion('conflict', info(version, String(i + 1)), 3);
    }
    // Another operator's rollback lands between our read of the manifest and our conditional write.
    const interfering = new Proxy(doc, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          if (command instanceof UpdateCommand) await store.rollback('conflict', 'v1');
          return target.send(command as UpdateCommand);
        };
      },
    }) as DynamoDBDocumentClient;
    const racing = new DynamoModelStore(interfering, TABLE);
    await expect(racing.rollback('conflict', 'v2')).rejects.toThrow(ConflictError);
    expect((await store.getManifest('conflict'))!.activeVersion).toBe('v1');
  });
});
