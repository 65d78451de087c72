// DynamoModelStore on dynalite: what its rows look like (manifests of older builds, key isolation, the 400 KB item limit).
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { manifestKey } from '../../functions/adapters/dynamo/keys.js';
import { doc, TABLE, store, createStoreTable, info } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

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
