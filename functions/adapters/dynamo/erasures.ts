/**
 * Erasure records, the serving tombstones and the row deletions of erasures, on the model table (layout in
 * ./keys.ts; the roles in ../erasure-contract.ts).
 *
 * Safety properties (tests: test/adapters/erasures.test.ts unless named):
 * - No raw user id is stored: a user's record and tombstone are keyed by the caller's pseudonym.
 * - One record per subject: `beginErasure` is one UpdateItem with `if_not_exists`, so concurrent or repeated
 *   DELETEs share the first request's record and time; the first completion wins (`completeErasure` is
 *   conditional on `pending`), and deletions are appended, never overwritten.
 * - Atomic tombstones: each entry is added with one UpdateItem (`if_not_exists`, never replacing an entry), and
 *   pruned with a REMOVE conditioned on the entry being the one read; the item holds two maps, so IAM can name
 *   every attribute the API writes.
 * - Cached as the manifest is: with `manifestCacheMs`, a process re-reads the tombstones at most that often (one
 *   read per dataset at a time), and sees its own additions at once (test/api/erasure-routes.test.ts).
 * - Full is loud: an addition that would take the item past DynamoDB's 400 KB is a TombstonesFullError, never a
 *   silently dropped entry.
 * - Deleting a row that does not exist costs one conditional DeleteItem and counts 0: counts are rows that were there.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ERASED_ROW_KINDS,
  TombstonesFullError,
  type ErasureDeletion,
  type ErasureKind,
  type ErasureRecord,
  type StoredVersion,
  type Tombstones,
} from '../erasure-contract.js';
import { queryAll, type Item, type StoreTable } from './documents.js';
import {
  ERASURE_SK_PREFIX,
  VERSION_SK_PREFIX,
  datasetPk,
  entityRowKey,
  erasureKey,
  tombstonesKey,
  versionRegistryKey,
} from './keys.js';

export interface ErasureSettings {
  /** How long readers may reuse a tombstone read (ms): the manifest's cache. 0 reads on every call. */
  manifestCacheMs: number;
}

const KIND_CODE = { user: 'u', item: 'i' } as const;
const MAP_OF = { user: 'users', item: 'items' } as const;
/** Entries removed per UpdateItem when pruning (expression size stays far below DynamoDB's 4 KB). */
const PRUNE_CHUNK = 50;

export class Erasures {
  private readonly cache = new Map<string, { tombstones: Tombstones; until: number }>();
  private readonly reads = new Map<string, Promise<Tombstones>>();

  constructor(
    private readonly table: StoreTable,
    private readonly settings: ErasureSettings,
  ) {}

  async getTombstones(dataset: string): Promise<Tombstones> {
    if (this.settings.manifestCacheMs <= 0) return this.readTombstones(dataset);
    const cached = this.cache.get(dataset);
    if (cached && cached.until > Date.now()) return cached.tombstones;
    const inFlight = this.reads.get(dataset);
    if (inFlight) return inFlight;
    const read = this.readTombstones(dataset)
      .then((tombstones) => {
        if (this.cache.size >= 10_000) this.cache.clear(); // bounded: datasets are few, names may be junk
        this.cache.set(dataset, { tombstones, until: Date.now() + this.settings.manifestCacheMs });
        return tombstones;
      })
      .finally(() => this.reads.delete(dataset));
    this.reads.set(dataset, read);
    return read;
  }

  async getErasure(dataset: string, kind: ErasureKind, subject: string): Promise<ErasureRecord | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: this.key(dataset, kind, subject), ConsistentRead: true }),
    );
    return output.Item ? decodeRecord(output.Item) : undefined;
  }

  async beginErasure(dataset: string, kind: ErasureKind, subject: string, now: Date): Promise<ErasureRecord> {
    const output = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: this.key(dataset, kind, subject),
        UpdateExpression:
          'SET #dataset = if_not_exists(#dataset, :dataset), #kind = if_not_exists(#kind, :kind), #subject = if_not_exists(#subject, :subject), ' +
          '#status = if_not_exists(#status, :pending), #requestedAt = if_not_exists(#requestedAt, :now), ' +
          '#deleted = if_not_exists(#deleted, :none)',
        ExpressionAttributeNames: {
          '#dataset': 'dataset',
          '#kind': 'kind',
          '#subject': 'subject',
          '#status': 'status',
          '#requestedAt': 'requestedAt',
          '#deleted': 'deleted',
        },
        ExpressionAttributeValues: {
          ':dataset': dataset,
          ':kind': kind,
          ':subject': subject,
          ':pending': 'pending',
          ':now': now.toISOString(),
          ':none': [],
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return decodeRecord(output.Attributes as Item);
  }

  async completeErasure(
    dataset: string,
    kind: ErasureKind,
    subject: string,
    deleted: readonly ErasureDeletion[],
    now: Date,
  ): Promise<ErasureRecord> {
    try {
      const output = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: this.key(dataset, kind, subject),
          UpdateExpression:
            'SET #status = :completed, #completedAt = :now, #deleted = list_append(if_not_exists(#deleted, :none), :deleted)',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#completedAt': 'completedAt', '#deleted': 'deleted' },
          ExpressionAttributeValues: {
            ':completed': 'completed',
            ':pending': 'pending',
            ':now': now.toISOString(),
            ':none': [],
            ':deleted': deleted,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return decodeRecord(output.Attributes as Item);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Another request completed it first: its record is the answer.
      const record = await this.getErasure(dataset, kind, subject);
      if (!record) throw error;
      return record;
    }
  }

  async addTombstone(dataset: string, kind: ErasureKind, subject: string, at: string): Promise<void> {
    const map = MAP_OF[kind];
    const set = () =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: tombstonesKey(dataset),
          UpdateExpression: 'SET #map.#entry = if_not_exists(#map.#entry, :at), #updatedAt = :now',
          ConditionExpression: 'attribute_exists(#map)',
          ExpressionAttributeNames: { '#map': map, '#entry': subject, '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':at': at, ':now': new Date().toISOString() },
        }),
      );
    try {
      try {
        await set();
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The first entry of its kind: create both maps (kept when another writer made them first), then set.
        await this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: tombstonesKey(dataset),
            UpdateExpression: 'SET #users = if_not_exists(#users, :empty), #items = if_not_exists(#items, :empty)',
            ExpressionAttributeNames: { '#users': 'users', '#items': 'items' },
            ExpressionAttributeValues: { ':empty': {} },
          }),
        );
        await set();
      }
    } catch (error) {
      if (isItemTooLarge(error))
        throw new TombstonesFullError(
          `The tombstones of dataset ${JSON.stringify(dataset)} are full (one DynamoDB item of 400 KB): too many ` +
            'erasures since the dataset was last built',
          { cause: error },
        );
      throw error;
    }
    // This process serves without the subject at once; others within their cache time.
    const cached = this.cache.get(dataset);
    if (cached) {
      const tombstones = { users: new Map(cached.tombstones.users), items: new Map(cached.tombstones.items) };
      if (!tombstones[map].has(subject)) tombstones[map].set(subject, at);
      this.cache.set(dataset, { ...cached, tombstones });
    }
  }

  async storedVersions(dataset: string): Promise<StoredVersion[]> {
    const rows = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': VERSION_SK_PREFIX },
      ConsistentRead: true,
    });
    return rows.map((row) => ({
      version: row.version as string,
      ...(typeof row.erasuresThrough === 'string' ? { erasuresThrough: row.erasuresThrough } : {}),
    }));
  }

  async deleteEntityRows(dataset: string, version: string, kind: ErasureKind, id: string): Promise<number> {
    let deleted = 0;
    await Promise.all(
      ERASED_ROW_KINDS[kind].map(async (rowKind) => {
        const key = entityRowKey(dataset, version, rowKind, id);
        if (!key) return; // an id too long to be a key has no row
        try {
          await this.table.doc.send(
            new DeleteCommand({
              TableName: this.table.tableName,
              Key: key,
              ConditionExpression: 'attribute_exists(pk)',
            }),
          );
          deleted++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
    return deleted;
  }

  async listErasures(dataset: string): Promise<ErasureRecord[]> {
    const rows = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': ERASURE_SK_PREFIX },
      ConsistentRead: true,
    });
    return rows.map(decodeRecord);
  }

  async noteErasureRows(dataset: string, kind: ErasureKind, subject: string, deletion: ErasureDeletion): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: this.key(dataset, kind, subject),
        UpdateExpression: 'SET #deleted = list_append(if_not_exists(#deleted, :none), :deletion)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#deleted': 'deleted' },
        ExpressionAttributeValues: { ':none': [], ':deletion': [deletion] },
      }),
    );
  }

  async markRebuilt(dataset: string, kind: ErasureKind, subject: string, version: string, at: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: this.key(dataset, kind, subject),
        UpdateExpression: 'SET #rebuiltIn = if_not_exists(#rebuiltIn, :rebuilt)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#rebuiltIn': 'rebuiltIn' },
        ExpressionAttributeValues: { ':rebuilt': { version, at } },
      }),
    );
  }

  async recordErasuresThrough(dataset: string, version: string, through: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: versionRegistryKey(dataset, version),
        UpdateExpression: 'SET #through = :through',
        // Only on the registry row the version's writer made: never a row for a version that has none.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#through': 'erasuresThrough' },
        ExpressionAttributeValues: { ':through': through },
      }),
    );
  }

  async pruneTombstones(dataset: string, before: string): Promise<{ pruned: number }> {
    const current = await this.readTombstones(dataset);
    const stale: { kind: ErasureKind; subject: string; at: string }[] = [];
    for (const kind of ['user', 'item'] as const) {
      for (const [subject, at] of current[MAP_OF[kind] as 'users' | 'items'])
        if (at < before) stale.push({ kind, subject, at });
    }
    let pruned = 0;
    for (let start = 0; start < stale.length; start += PRUNE_CHUNK) {
      const chunk = stale.slice(start, start + PRUNE_CHUNK);
      const names: Record<string, string> = {};
      const values: Record<string, string> = {};
      const paths = chunk.map(({ kind, subject, at }, k) => {
        names[`#${MAP_OF[kind]}`] = MAP_OF[kind]; // only the names used: DynamoDB refuses unused ones
        names[`#e${k}`] = subject;
        values[`:t${k}`] = at;
        return `#${MAP_OF[kind]}.#e${k}`;
      });
      try {
        await this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: tombstonesKey(dataset),
            UpdateExpression: `REMOVE ${paths.join(', ')}`,
            ConditionExpression: paths.map((path, k) => `${path} = :t${k}`).join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        pruned += chunk.length;
      } catch (error) {
        // An entry changed since the read (it cannot, entries are never replaced; but then keep them all).
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return { pruned };
  }

  private key(dataset: string, kind: ErasureKind, subject: string) {
    return erasureKey(dataset, KIND_CODE[kind], subject);
  }

  private async readTombstones(dataset: string): Promise<Tombstones> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: tombstonesKey(dataset), ConsistentRead: true }),
    );
    return decodeTombstones(output.Item);
  }
}

function decodeTombstones(item: Item | undefined): Tombstones {
  const entries = (value: unknown) =>
    new Map(Object.entries((value ?? {}) as Record<string, string>).filter(([, at]) => typeof at === 'string'));
  return { users: entries(item?.users), items: entries(item?.items) };
}

function decodeRecord(item: Item): ErasureRecord {
  return {
    dataset: item.dataset as string,
    kind: item.kind as ErasureKind,
    subject: item.subject as string,
    status: item.status as ErasureRecord['status'],
    requestedAt: item.requestedAt as string,
    ...(typeof item.completedAt === 'string' ? { completedAt: item.completedAt } : {}),
    deleted: (item.deleted as ErasureDeletion[] | undefined) ?? [],
    ...(item.rebuiltIn ? { rebuiltIn: item.rebuiltIn as ErasureRecord['rebuiltIn'] & object } : {}),
  };
}

/** DynamoDB's answer to a write past 400 KB (a ValidationException naming the item size). */
function isItemTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /item size|maximum allowed size/i.test(error.message)
  );
}
