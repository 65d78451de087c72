// DynamoModelStore against the real dynalite server from the global setup (it enforces DynamoDB's validation,
// conditional writes and the 400 KB item limit).
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { manifestKey } from '../../functions/adapters/dynamo/keys.js';
import { TTL_ATTRIBUTE, ensureTable } from '../../functions/adapters/dynamo/table.js';
import {
  ConflictError,
  NotFoundError,
  type JobRecord,
  type VersionInfo,
} from '../../functions/adapters/store-contract.js';
import type { Neighbour } from '../../functions/engine/types.js';

const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const doc = createDocumentClient(raw);
const TABLE = `dynamo-store-${process.pid}-${Date.now()}`;
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
const store = new DynamoModelStore(doc, TABLE, { retry: fastRetry, consistentReads: true });

beforeAll(async () => {
  await ensureTable(raw, TABLE);
  await ensureTable(raw, TABLE); // idempotent
});

function info(version: string, sourceOrder: string): VersionInfo {
  return {
    version,
    createdAt: '2024-01-01T00:00:00.000Z',
    jobId: `job-${version}`,
    source: { bucket: 'b', key: 'uploads/x/ratings.csv', sourceOrder },
    stats: { users: 2, items: 3, ratings: 4, itemRows: 3, userRows: 2 },
    options: {
      similarity: { measure: 'cosine', k: 50, shrinkage: 0, minSupport: 1, implicit: false },
      models: ['item', 'user'],
      versionsKept: 3,
    },
  };
}

const ITEMS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'];

/** Every row of a version names the version, so a reader can tell which version each row came from. */
function neighboursFor(version: string, item: string): Neighbour[] {
  return [
    { id: `${version}:${item}:a`, similarity: 0.9, support: 3 },
    { id: `${version}:${item}:b`, similarity: 0.4, support: 1 },
  ];
}

async function writeVersion(dataset: string, version: string, items = ITEMS): Promise<number> {
  const writer = store.createVersionWriter(dataset, version);
  for (const item of items) await writer.putItemNeighbours(item, neighboursFor(version, item));
  await writer.putUserHistory('u1', [{ item: items[0], value: 5 }]);
  return (await writer.flush()).rowsWritten;
}

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

describe('manifests stored before model kinds were named', () => {
  /** A version as builds stored it when the config said mode item | user | both: two flags, no `models`. */
  function legacyVersion(version: string, sourceOrder: string, itemBased: boolean, userBased: boolean) {
    const { options, ...rest } = info(version, sourceOrder);
    const { models: _models, ...otherOptions } = options;
    return { ...rest, options: { ...otherOptions, itemBased, userBased } };
  }

  it('reads itemBased / userBased as models, and writes the manifest back in the current shape', async () => {
    const dataset = 'legacy';
    // mode both, item and user, newest first, exactly as the old builds wrote the manifest item.
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...manifestKey(dataset),
          dataset,
          activeVersion: 'v3',
          versions: [
            legacyVersion('v3', '2024-01-03#1', true, true),
            legacyVersion('v2', '2024-01-02#1', true, false),
            legacyVersion('v1', '2024-01-01#1', false, true),
          ],
          latestSourceOrder: '2024-01-03#1',
          revision: 3,
          updatedAt: '2024-01-03T00:00:00.000Z',
        },
      }),
    );
    const expectedModels = [['item', 'user'], ['item'], ['user']];
    const cached = new DynamoModelStore(doc, TABLE, { manifestCacheMs: 60_000 });
    for (const reader of [store, cached]) {
      const manifest = await reader.getManifest(dataset);
      expect(manifest?.versions.map((v) => v.options.models)).toEqual(expectedModels);
      for (const version of manifest!.versions) {
        expect(version.options).not.toHaveProperty('itemBased');
        expect(version.options).not.toHaveProperty('userBased');
        expect(version.options.similarity.measure).toBe('cosine');
        expect(version.options.versionsKept).toBe(3);
      }
    }
    expect((await store.rollback(dataset, 'v2')).versions[1].options.models).toEqual(['item']);

    expect(await store.activateVersion(dataset, info('v4', '2024-01-04#1'), 3)).toBe('activated');
    const { Item } = await doc.send(
      new GetCommand({ TableName: TABLE, Key: manifestKey(dataset), ConsistentRead: true }),
    );
    const stored = Item?.versions as { version: string; options: Record<string, unknown> }[];
    expect(stored.map((v) => [v.version, v.options.models])).toEqual([
      ['v4', ['item', 'user']],
      ['v3', ['item', 'user']],
      ['v2', ['item']],
    ]);
    expect(stored.some((v) => 'itemBased' in v.options || 'userBased' in v.options)).toBe(false);
  });
});

describe('key isolation', () => {
  const ATTACK_IDS = [
    '#',
    '%23',
    '%',
    'ds#other',
    'm#a#v#i#0',
    'r#x',
    '/',
    '../..',
    'é',
    'e\u0301',
    '日本語',
    '😀',
    '\u0000',
    ' ',
    'x'.repeat(256),
    '€'.repeat(85),
  ];
  const DATASETS = ['a', 'a#v', 'a%23v', 'b'];
  // Unescaped, ('a', 'v#v') and ('a#v', 'v') would both be partition m#a#v#v#…: escaping keeps them apart.
  const VERSIONS = ['v', 'v#v'];

  it('never reads another dataset’s, version’s or entity kind’s rows, whatever the ids', async () => {
    for (const dataset of DATASETS) {
      for (const version of VERSIONS) {
        const writer = store.createVersionWriter(dataset, version);
        for (const id of ATTACK_IDS) {
          await writer.putItemNeighbours(id, [{ id: `${dataset}|${version}|item|${id}`, similarity: 1, support: 1 }]);
          await writer.putUserNeighbours(id, [{ id: `${dataset}|${version}|user|${id}`, similarity: 1, support: 1 }]);
        }
        await writer.flush();
      }
    }
    for (const dataset of DATASETS) {
      for (const version of VERSIONS) {
        const items = await store.getItemNeighbours(dataset, version, ATTACK_IDS);
        const users = await store.getUserNeighbourRows(dataset, version, ATTACK_IDS);
        expect(items.size).toBe(ATTACK_IDS.length);
        for (const id of ATTACK_IDS) {
          expect(items.get(id)).toEqual([{ id: `${dataset}|${version}|item|${id}`, similarity: 1, support: 1 }]);
          expect(users.get(id)).toEqual([{ id: `${dataset}|${version}|user|${id}`, similarity: 1, support: 1 }]);
        }
        expect(await store.getUserRows(dataset, version, '#')).toEqual({ neighbours: users.get('#') });
      }
    }
    // Ids that were never written, though they resemble escaped or joined forms of written ones.
    const lookalikes = ['%2523', '%25', 'ds%23other', 'a#b', '', '\ud800', 'x'.repeat(255), '#'.repeat(400)];
    expect((await store.getItemNeighbours('a', 'v', lookalikes)).size).toBe(0);
    expect((await store.getItemNeighbours('c', 'v', ATTACK_IDS)).size).toBe(0);
  });

  it('stores empty and lone-surrogate ids and reports over-long ids as user input errors', async () => {
    const writer = store.createVersionWriter('odd', 'v');
    await writer.putItemNeighbours('', [{ id: '\ud800', similarity: 0.5, support: 1 }]);
    await writer.putItemNeighbours('\ud800', [{ id: '', similarity: 0.5, support: 1 }]);
    await expect(writer.putItemNeighbours('#'.repeat(400), [])).rejects.toThrow(/too long.*256 UTF-8 bytes/s);
    await writer.flush();
    const rows = await store.getItemNeighbours('odd', 'v', ['', '\ud800', '\ufffd']);
    expect(rows.get('')).toEqual([{ id: '\ud800', similarity: 0.5, support: 1 }]);
    expect(rows.get('\ud800')).toEqual([{ id: '', similarity: 0.5, support: 1 }]);
    expect(rows.has('\ufffd')).toBe(false);
  });
});

describe('the 400 KB item limit', () => {
  it('writes k = 500 neighbours with 256-byte ids and a 50,000-entry history, reporting the cap', async () => {
    const idOf = (prefix: string, i: number) => `${prefix}${i}`.padEnd(256, '~');
    const neighbours = Array.from({ length: 500 }, (_, i) => ({
      id: idOf('n', i),
      similarity: 1 / (i + 3),
      support: 1_000_000 + i,
    }));
    const history = Array.from({ length: 50_000 }, (_, i) => ({ item: `item-${i}`, value: (i % 10) / 2 }));
    const writer = store.createVersionWriter('big', 'v');
    const bigUser = idOf('u', 0);
    await writer.putItemNeighbours(idOf('i', 0), neighbours);
    await writer.putUserNeighbours(bigUser, neighbours);
    await writer.putUserHistory(bigUser, history);
    await writer.putUserHistory(
      'long-ids',
      Array.from({ length: 1000 }, (_, i) => ({ item: idOf('h', i), value: 4.5 })),
    );
    // Ids JSON must escape (control characters: 6 bytes each) are the only way past 400 KB: trimmed and counted.
    await writer.putItemNeighbours(
      'escaped',
      neighbours.map((n, i) => ({ ...n, id: '\u0001'.repeat(250) + i })),
    );
    const result = await writer.flush();
    expect(result).toEqual({
      rowsWritten: 5,
      historiesCapped: 1,
      historyEntriesDropped: 49_000,
      neighbourRowsTrimmed: 1,
    });

    expect((await store.getItemNeighbours('big', 'v', [idOf('i', 0)])).get(idOf('i', 0))).toEqual(neighbours);
    const rows = await store.getUserRows('big', 'v', bigUser);
    expect(rows.neighbours).toEqual(neighbours);
    expect(rows.history).toEqual(history.slice(0, 1000));
    expect((await store.getUserHistories('big', 'v', ['long-ids'])).get('long-ids')).toHaveLength(1000);
    const escaped = (await store.getItemNeighbours('big', 'v', ['escaped'])).get('escaped')!;
    expect(escaped.length).toBeGreaterThan(200);
    expect(escaped.length).toBeLessThan(500);
    expect(escaped).toEqual(
      neighbours.map((n, i) => ({ ...n, id: '\u0001'.repeat(250) + i })).slice(0, escaped.length),
    );
  });
});

describe('jobs', () => {
  function job(jobId: string, startedAt: string, status: JobRecord['status'] = 'running'): JobRecord {
    return {
      dataset: 'jobs',
      jobId,
      status,
      source: { bucket: 'b', key: `uploads/jobs/${jobId}.csv`, sourceOrder: startedAt },
      startedAt,
      updatedAt: startedAt,
    };
  }

  // The clock of these tests: minutes after the jobs started, so 'running' jobs are fresh, not stale.
  const jobStore = new DynamoModelStore(doc, TABLE, {
    retry: fastRetry,
    consistentReads: true,
    now: () => new Date('2024-01-01T00:05:00Z'),
  });

  it('claims a job once, lets a failed one be claimed again, and refuses duplicates', async () => {
    const store = jobStore;
    expect(await store.claimJob(job('j1', '2024-01-01T00:00:00Z'))).toBe('claimed');
    expect(await store.claimJob(job('j1', '2024-01-01T00:00:00Z'))).toBe('duplicate');
    await store.updateJob('jobs', 'j1', {
      status: 'failed',
      error: { message: 'bad file', where: 'line 3', hint: undefined },
    });
    const failed = await store.getJob('jobs', 'j1');
    expect(failed).toMatchObject({ status: 'failed', error: { message: 'bad file', where: 'line 3' } });
    expect(failed).not.toHaveProperty('pk');
    expect(failed).not.toHaveProperty(TTL_ATTRIBUTE);
    expect(await store.claimJob(job('j1', '2024-01-02T00:00:00Z'))).toBe('claimed');
    expect(await store.getJob('jobs', 'j1')).toEqual(job('j1', '2024-01-02T00:00:00Z'));
    await store.updateJob('jobs', 'j1', {
      status: 'succeeded',
      version: 'v1',
      timings: { read: 1.5 },
      finishedAt: '2024-01-02T00:01:00Z',
    });
    expect(await store.claimJob(job('j1', '2024-01-03T00:00:00Z'))).toBe('duplicate');
    expect(await store.getJob('jobs', 'j1')).toMatchObject({
      status: 'succeeded',
      version: 'v1',
      timings: { read: 1.5 },
      startedAt: '2024-01-02T00:00:00Z',
    });
    await expect(store.updateJob('jobs', 'nope', { status: 'failed' })).rejects.toThrow(NotFoundError);
    expect(await store.getJob('jobs', 'nope')).toBeUndefined();

    // The record expires (TTL) 90 days after it started.
    const rawItem = await raw.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'ds#jobs' }, sk: { S: 'job#j1' } } }),
    );
    expect(Number(rawItem.Item?.[TTL_ATTRIBUTE]?.N)).toBe(Date.parse('2024-01-02T00:00:00Z') / 1000 + 90 * 86_400);
  });

  it('lets a running job that stopped updating (a killed build) be claimed again, but not a live one', async () => {
    const at = (minutes: number) => new Date(Date.parse('2024-05-01T00:00:00Z') + minutes * 60_000);
    const storeAt = (minutes: number) =>
      new DynamoModelStore(doc, TABLE, { retry: fastRetry, consistentReads: true, now: () => at(minutes) });
    const killed = { ...job('killed', at(0).toISOString()), dataset: 'stale-jobs' };
    expect(await storeAt(0).claimJob(killed)).toBe('claimed');
    await storeAt(5).updateJob('stale-jobs', 'killed', {
      progress: { phase: 'items', done: 1, total: 2 },
      updatedAt: at(5).toISOString(),
    });
    // 15 minutes after its last update it could still be a slow but live build: a redelivery is a duplicate.
    expect(
      await storeAt(20).claimJob({ ...killed, startedAt: at(20).toISOString(), updatedAt: at(20).toISOString() }),
    ).toBe('duplicate');
    // 16+ minutes without an update is longer than a Lambda can run: the build is dead, a retry may take over.
    expect(
      await storeAt(22).claimJob({ ...killed, startedAt: at(22).toISOString(), updatedAt: at(22).toISOString() }),
    ).toBe('claimed');
    // A succeeded job is never re-claimed, however old.
    await storeAt(23).updateJob('stale-jobs', 'killed', { status: 'succeeded', updatedAt: at(23).toISOString() });
    expect(await storeAt(600).claimJob({ ...killed, updatedAt: at(600).toISOString() })).toBe('duplicate');
  });

  it('lists jobs newest first by start time, whatever their ids', async () => {
    // Ids sort in the opposite order of their start times.
    const starts = {
      zz: '2024-02-01T00:00:00Z',
      yy: '2024-02-03T00:00:00Z',
      aa: '2024-02-04T00:00:00Z',
      mm: '2024-02-02T00:00:00Z',
    };
    for (const [jobId, startedAt] of Object.entries(starts)) {
      expect(await store.claimJob({ ...job(jobId, startedAt), dataset: 'list' })).toBe('claimed');
    }
    expect((await store.listJobs('list')).map((j) => j.jobId)).toEqual(['aa', 'yy', 'mm', 'zz']);
    expect((await store.listJobs('list', 2)).map((j) => j.jobId)).toEqual(['aa', 'yy']);
    expect(await store.listJobs('empty')).toEqual([]);
    // Jobs and manifests of other datasets stay out.
    expect((await store.listJobs('jobs')).map((j) => j.jobId)).toEqual(['j1']);
  });
});
