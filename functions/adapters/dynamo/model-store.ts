/**
 * `ModelStore` on one DynamoDB table (layout in ./keys.ts).
 *
 * Versions and the atomic swap: a build writes every row of its version under partitions that carry the version
 * in their key, then `activateVersion` flips the manifest in ONE conditional PutItem. Readers read the manifest,
 * then rows of its `activeVersion` only, so they never see a half-written or mixed model.
 *
 * Out-of-order uploads: the manifest keeps `latestSourceOrder`, the largest sourceOrder ever activated; an
 * upload that is not later than it is 'superseded' (even after a rollback: a late event for an upload older
 * than one already served never takes over).
 *
 * Clean-up: model rows carry no TTL. Marking a retired version's rows with `expiresAt` would cost one write
 * per row, the same as deleting them, so `pruneVersions` / `deleteVersion` delete them directly (Query per
 * partition + BatchWriteItem). A registry row per version (`ver#<version>`, state building | activated) lets
 * `pruneVersions` also find rows of builds that crashed before deleting their own rows: a version still
 * 'building' is left alone until it is older than `staleBuildMs`, so a concurrent build is never deleted.
 * Job records carry `expiresAt` (TTL, `jobRetentionDays`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UserInputError, type HistoryEntry, type Neighbour, type PopularItem } from '../../engine/types.js';
import {
  ConflictError,
  NotFoundError,
  type JobRecord,
  type Manifest,
  type ModelStore,
  type UserRows,
  type VersionInfo,
  type VersionWriter,
} from '../model-store.js';
import { BatchWriter, batchGet, resolveRetry, type RetryPolicy, type WriteRequest } from './batch.js';
import {
  JOB_SK_PREFIX,
  POPULARITY_SK_PREFIX,
  VERSION_SK_PREFIX,
  datasetPk,
  entityRowKey,
  entityRowKeyForWrite,
  jobKey,
  manifestKey,
  popularityPageKey,
  popularityPartition,
  versionPartitions,
  versionRegistryKey,
  type TableKey,
} from './keys.js';
import { RowCache } from './row-cache.js';
import {
  HISTORY_CAP,
  decodeHistory,
  decodeNeighbours,
  decodePopularity,
  encodeHistory,
  encodeNeighbours,
  encodePopularityPages,
} from './rows.js';
import { TTL_ATTRIBUTE } from './table.js';

export interface DynamoModelStoreOptions {
  /** BatchWriteItem chunks in flight per writer / deletion. Default 4. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Strongly consistent reads of model rows (twice the read cost). Default false; the manifest is always read consistently. */
  consistentReads?: boolean;
  /** User history entries kept per user. Default {@link HISTORY_CAP}. */
  historyCap?: number;
  /** Job records expire (TTL) this long after they start. Default 90. */
  jobRetentionDays?: number;
  /** A version registered as 'building' this long ago and not in the manifest is a crashed build. Default 2 hours. */
  staleBuildMs?: number;
  /** Lost optimistic-locking races tolerated by one activation. Default 10. */
  maxActivationAttempts?: number;
  /**
   * A 'running' job not updated for this long is taken as dead and may be claimed again by a retried event.
   * Default 16 minutes: longer than Lambda's 15-minute maximum, and builds update their job every second or so.
   */
  staleJobMs?: number;
  /** How long readers may reuse a manifest read (ms); 0 (default) reads it on every call. See getManifest. */
  manifestCacheMs?: number;
  /**
   * Memory budget (bytes) for caching model rows read by this store; 0 (default) disables it. Safe because a
   * version's rows never change while any manifest names it (see RowCache). The API function turns it on.
   */
  rowCacheBytes?: number;
  now?: () => Date;
}

export interface FlushResult {
  rowsWritten: number;
  /** Users whose history was cut to the cap (count or bytes); their oldest entries were not stored. */
  historiesCapped: number;
  /** History entries not stored because of the cap. */
  historyEntriesDropped: number;
  /** Neighbour rows cut to fit 400 KB (only ids that JSON must escape heavily can cause it). */
  neighbourRowsTrimmed: number;
}

export interface DynamoVersionWriter extends VersionWriter {
  flush(): Promise<FlushResult>;
}

/** A document client that drops undefined attributes (the store also sanitises what it writes). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

type Item = Record<string, unknown>;
type RegistryState = 'building' | 'activated';

interface StoredManifest {
  manifest: Manifest;
  latestSourceOrder: string;
}

const DAY_SECONDS = 86_400;

function cacheKey(key: TableKey): string {
  return `${key.pk}\n${key.sk}`;
}

export class DynamoModelStore implements ModelStore {
  private readonly retry: RetryPolicy;
  private readonly options: Required<Omit<DynamoModelStoreOptions, 'retry'>>;
  /** Exposed for metrics and tests (hits/misses). */
  readonly rowCache: RowCache;
  private readonly manifestCache = new Map<string, { manifest: Manifest | undefined; until: number }>();
  private readonly manifestReads = new Map<string, Promise<Manifest | undefined>>();
  private manifestGeneration = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    options: DynamoModelStoreOptions = {},
  ) {
    this.retry = resolveRetry(options.retry);
    this.options = {
      concurrency: options.concurrency ?? 4,
      consistentReads: options.consistentReads ?? false,
      historyCap: options.historyCap ?? HISTORY_CAP,
      jobRetentionDays: options.jobRetentionDays ?? 90,
      staleBuildMs: options.staleBuildMs ?? 2 * 3_600_000,
      maxActivationAttempts: options.maxActivationAttempts ?? 10,
      staleJobMs: options.staleJobMs ?? 16 * 60_000,
      rowCacheBytes: options.rowCacheBytes ?? 0,
      manifestCacheMs: options.manifestCacheMs ?? 0,
      now: options.now ?? (() => new Date()),
    };
    this.rowCache = new RowCache(this.options.rowCacheBytes);
  }

  // ---- manifest and versions ----

  /**
   * The manifest as readers see it. With `manifestCacheMs` set (the API function), it is re-read at most that
   * often per process: a new or rolled-back version reaches readers within that time, and every version a cached
   * manifest names stays readable meanwhile (builds spare the version they retire until the next build).
   * Writers (activation, prune, rollback) always read it fresh.
   */
  async getManifest(dataset: string): Promise<Manifest | undefined> {
    if (this.options.manifestCacheMs <= 0) return (await this.readManifest(dataset))?.manifest;
    const cached = this.manifestCache.get(dataset);
    if (cached && cached.until > Date.now()) return cached.manifest;
    // One read per dataset at a time: when the cached manifest expires under load, every request waiting for it
    // shares the same read instead of sending one each.
    const inFlight = this.manifestReads.get(dataset);
    if (inFlight) return inFlight;
    const generation = this.manifestGeneration;
    const read = this.readManifest(dataset)
      .then((stored) => {
        // A rollback by this process while the read was under way knows better than the read.
        if (generation !== this.manifestGeneration)
          return this.manifestCache.get(dataset)?.manifest ?? stored?.manifest;
        if (this.manifestCache.size >= 10_000) this.manifestCache.clear(); // bounded: datasets are few, ids may be junk
        this.manifestCache.set(dataset, {
          manifest: stored?.manifest,
          until: Date.now() + this.options.manifestCacheMs,
        });
        return stored?.manifest;
      })
      .finally(() => this.manifestReads.delete(dataset));
    this.manifestReads.set(dataset, read);
    return read;
  }

  createVersionWriter(dataset: string, version: string): DynamoVersionWriter {
    return new VersionRowWriter(dataset, version, {
      batch: new BatchWriter(this.doc, this.tableName, { concurrency: this.options.concurrency, retry: this.retry }),
      historyCap: this.options.historyCap,
      register: () => this.register(dataset, version),
    });
  }

  async activateVersion(dataset: string, info: VersionInfo, versionsKept: number): Promise<'activated' | 'superseded'> {
    if (!Number.isInteger(versionsKept) || versionsKept < 1) {
      throw new UserInputError(
        `versionsKept must be a whole number of at least 1, got ${versionsKept}`,
        'versionsKept',
        'Set versionsKept to 1 or more in config.json.',
      );
    }
    for (let attempt = 1; attempt <= this.options.maxActivationAttempts; attempt++) {
      const current = await this.readManifest(dataset);
      if (current?.manifest.activeVersion === info.version) return 'activated'; // a retried activation
      if (current && current.latestSourceOrder >= info.source.sourceOrder) return 'superseded';
      const versions = [info, ...(current?.manifest.versions ?? []).filter((v) => v.version !== info.version)].slice(
        0,
        versionsKept,
      );
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...manifestKey(dataset),
              dataset,
              activeVersion: info.version,
              versions: storable(versions),
              latestSourceOrder: info.source.sourceOrder,
              revision: (current?.manifest.revision ?? 0) + 1,
              updatedAt: this.options.now().toISOString(),
            },
            ...(current
              ? {
                  ConditionExpression: '#revision = :seen AND #latest < :new',
                  ExpressionAttributeNames: { '#revision': 'revision', '#latest': 'latestSourceOrder' },
                  ExpressionAttributeValues: { ':seen': current.manifest.revision, ':new': info.source.sourceOrder },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await this.retry.sleep(this.retry.random() * this.retry.baseDelayMs * attempt); // lost a race: re-read
        continue;
      }
      await this.markActivated(dataset, info.version);
      return 'activated';
    }
    throw new ConflictError(
      `Could not activate version ${info.version} of dataset ${dataset}: the manifest kept changing (${this.options.maxActivationAttempts} attempts)`,
    );
  }

  async rollback(dataset: string, version?: string): Promise<Manifest> {
    const current = await this.readManifest(dataset);
    if (!current) throw new NotFoundError(`Dataset "${dataset}" has no model to roll back`);
    const { manifest } = current;
    const kept = manifest.versions.map((v) => v.version);
    let target: string;
    if (version === undefined) {
      const older = manifest.versions[kept.indexOf(manifest.activeVersion) + 1];
      if (!older)
        throw new NotFoundError(
          `Dataset "${dataset}" keeps no version older than the active ${manifest.activeVersion} (kept: ${kept.join(', ')})`,
        );
      target = older.version;
    } else {
      if (!kept.includes(version))
        throw new NotFoundError(`Version "${version}" of dataset "${dataset}" is not kept (kept: ${kept.join(', ')})`);
      target = version;
    }
    if (target === manifest.activeVersion) return manifest;
    const updatedAt = this.options.now().toISOString();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: manifestKey(dataset),
          UpdateExpression: 'SET activeVersion = :target, #revision = :next, updatedAt = :now',
          ConditionExpression: '#revision = :seen',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: {
            ':target': target,
            ':next': manifest.revision + 1,
            ':now': updatedAt,
            ':seen': manifest.revision,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(
          `The manifest of dataset "${dataset}" changed during the rollback; read it again and retry`,
        );
      }
      throw error;
    }
    const next = { ...manifest, activeVersion: target, revision: manifest.revision + 1, updatedAt };
    // This process sees its own rollback at once; other API instances within manifestCacheMs.
    if (this.options.manifestCacheMs > 0) {
      this.manifestGeneration++;
      this.manifestCache.set(dataset, { manifest: next, until: Date.now() + this.options.manifestCacheMs });
    }
    return next;
  }

  async pruneVersions(dataset: string, protect: readonly string[] = []): Promise<{ rowsDeleted: number }> {
    // Registry first, manifest second: a version marked 'activated' is then already in the manifest we read.
    const registered = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': VERSION_SK_PREFIX },
      ConsistentRead: true,
    });
    const manifest = (await this.readManifest(dataset))?.manifest;
    const kept = new Set([...(manifest?.versions.map((v) => v.version) ?? []), ...protect]);
    const staleBefore = this.options.now().getTime() - this.options.staleBuildMs;
    let rowsDeleted = 0;
    for (const row of registered) {
      const version = row.version as string;
      const building = (row.state as RegistryState) === 'building' && Date.parse(row.startedAt as string) > staleBefore;
      if (kept.has(version) || building) continue;
      rowsDeleted += await this.deleteRows(dataset, version);
    }
    return { rowsDeleted };
  }

  async deleteVersion(dataset: string, version: string): Promise<{ rowsDeleted: number }> {
    const manifest = (await this.readManifest(dataset))?.manifest;
    if (manifest?.versions.some((v) => v.version === version)) {
      throw new ConflictError(
        `Version "${version}" of dataset "${dataset}" is kept by the manifest; it is deleted when pruned out of the kept versions`,
      );
    }
    return { rowsDeleted: await this.deleteRows(dataset, version) };
  }

  // ---- model rows ----

  getItemNeighbours(dataset: string, version: string, itemIds: readonly string[]): Promise<Map<string, Neighbour[]>> {
    return this.getRows(dataset, version, 'i', itemIds, decodeNeighbours);
  }

  getUserNeighbourRows(
    dataset: string,
    version: string,
    userIds: readonly string[],
  ): Promise<Map<string, Neighbour[]>> {
    return this.getRows(dataset, version, 'u', userIds, decodeNeighbours);
  }

  getUserHistories(dataset: string, version: string, userIds: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
    return this.getRows(dataset, version, 'h', userIds, decodeHistory);
  }

  async getUserRows(dataset: string, version: string, userId: string): Promise<UserRows> {
    const historyKey = entityRowKey(dataset, version, 'h', userId);
    const neighboursKey = entityRowKey(dataset, version, 'u', userId);
    if (!historyKey || !neighboursKey) return {};
    const rows = await this.readRows([historyKey, neighboursKey]);
    const result: UserRows = {};
    const history = rows.get(cacheKey(historyKey));
    const neighbours = rows.get(cacheKey(neighboursKey));
    if (history !== undefined) result.history = this.decoded(historyKey, history, decodeHistory);
    if (neighbours !== undefined) result.neighbours = this.decoded(neighboursKey, neighbours, decodeNeighbours);
    return result;
  }

  async getPopularity(dataset: string, version: string): Promise<PopularItem[]> {
    const partition = popularityPartition(dataset, version);
    const cached = this.rowCache.enabled ? this.rowCache.get<PopularItem[]>(`popularity\n${partition}`) : undefined;
    if (cached) return cached;
    const pages = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': POPULARITY_SK_PREFIX },
      ConsistentRead: this.options.consistentReads,
    });
    const popularity = pages.flatMap((page) => decodePopularity(page.d as string));
    // Only a non-empty list is cached: an empty one may be a version whose rows were pruned under a stale reader.
    if (popularity.length > 0)
      this.rowCache.set(
        `popularity\n${partition}`,
        popularity,
        pages.reduce((n, page) => n + (page.d as string).length, 0),
      );
    return popularity;
  }

  // ---- jobs ----

  async claimJob(job: JobRecord): Promise<'claimed' | 'duplicate'> {
    const startedSeconds = Math.floor((Date.parse(job.startedAt) || this.options.now().getTime()) / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...(storable(job) as Item),
            ...jobKey(job.dataset, job.jobId),
            [TTL_ATTRIBUTE]: startedSeconds + this.options.jobRetentionDays * DAY_SECONDS,
          },
          // A job may be claimed again when it failed, or when it says 'running' but has not been updated for
          // longer than any build can run (a build killed by a timeout or out of memory never records failure).
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :running AND #updatedAt < :staleBefore)',
          ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':running': 'running',
            ':staleBefore': new Date(this.options.now().getTime() - this.options.staleJobMs).toISOString(),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  async updateJob(dataset: string, jobId: string, patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>): Promise<void> {
    const fields: Item = {
      ...(storable(patch) as Item),
      updatedAt: patch.updatedAt ?? this.options.now().toISOString(),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(fields).map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(dataset, jobId),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new NotFoundError(`Job "${jobId}" of dataset "${dataset}" does not exist`);
      throw error;
    }
  }

  async getJob(dataset: string, jobId: string): Promise<JobRecord | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: jobKey(dataset, jobId), ConsistentRead: true }),
    );
    return output.Item ? toJobRecord(output.Item) : undefined;
  }

  async listJobs(dataset: string, limit = 50): Promise<JobRecord[]> {
    // Job ids are not time-ordered: find the newest by startedAt from a narrow projection, then read those jobs.
    const summaries = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': JOB_SK_PREFIX },
      ProjectionExpression: 'pk, sk, startedAt',
    });
    summaries.sort(
      (a, b) =>
        compareStrings(b.startedAt as string, a.startedAt as string) || compareStrings(b.sk as string, a.sk as string),
    );
    const newest = summaries.slice(0, Math.max(0, limit));
    const rows = await batchGet(
      this.doc,
      this.tableName,
      newest.map((s) => ({ pk: s.pk, sk: s.sk })),
      { retry: this.retry, consistentRead: true },
    );
    const bySk = new Map(rows.map((row) => [row.sk as string, row]));
    return newest.flatMap((s) => {
      const row = bySk.get(s.sk as string);
      return row ? [toJobRecord(row)] : [];
    });
  }

  // ---- internals ----

  private async readManifest(dataset: string): Promise<StoredManifest | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: manifestKey(dataset), ConsistentRead: true }),
    );
    const item = output.Item;
    if (!item) return undefined;
    return {
      manifest: {
        dataset: item.dataset as string,
        activeVersion: item.activeVersion as string,
        versions: item.versions as VersionInfo[],
        revision: item.revision as number,
        updatedAt: item.updatedAt as string,
      },
      latestSourceOrder: item.latestSourceOrder as string,
    };
  }

  private async register(dataset: string, version: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...versionRegistryKey(dataset, version),
          version,
          state: 'building' satisfies RegistryState,
          startedAt: this.options.now().toISOString(),
        },
      }),
    );
  }

  /** Best effort: the manifest already lists the version, and a stale 'building' entry is pruned all the same. */
  private async markActivated(dataset: string, version: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: versionRegistryKey(dataset, version),
          UpdateExpression: 'SET #state = :activated',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':activated': 'activated' satisfies RegistryState },
        }),
      );
    } catch {
      // Deliberately ignored: failing the build here would make its handler delete an active version.
    }
  }

  /** Deletes every row of a version (all its partitions) and then its registry entry. */
  private async deleteRows(dataset: string, version: string): Promise<number> {
    const writer = new BatchWriter(this.doc, this.tableName, {
      concurrency: this.options.concurrency,
      retry: this.retry,
    });
    const partitions = versionPartitions(dataset, version);
    // A few partitions are queried at once; the writer bounds the deletes in flight.
    const queryPartitions = async () => {
      for (let partition = partitions.pop(); partition !== undefined; partition = partitions.pop()) {
        let startKey: Item | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': partition },
              ProjectionExpression: 'pk, sk',
              ExclusiveStartKey: startKey,
            }),
          );
          for (const key of page.Items ?? []) await writer.add({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } });
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, queryPartitions));
    const deleted = await writer.flush();
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: versionRegistryKey(dataset, version) }));
    return deleted;
  }

  private async getRows<T>(
    dataset: string,
    version: string,
    kind: 'i' | 'u' | 'h',
    ids: readonly string[],
    decode: (data: string) => T,
  ): Promise<Map<string, T>> {
    const keyById = new Map<string, TableKey>();
    for (const id of new Set(ids)) {
      const key = entityRowKey(dataset, version, kind, id);
      if (key) keyById.set(id, key); // a key too long to exist names no row
    }
    const rows = await this.readRows([...keyById.values()]);
    const result = new Map<string, T>();
    for (const [id, key] of keyById) {
      const data = rows.get(cacheKey(key));
      if (data !== undefined) result.set(id, this.decoded(key, data, decode));
    }
    return result;
  }

  /**
   * Row data by cache key for the given keys: from the row cache where possible, the rest in one BatchGetItem
   * round. Absent rows are left out (and remembered as absent).
   */
  private async readRows(keys: readonly TableKey[]): Promise<Map<string, string | { decoded: unknown }>> {
    const found = new Map<string, string | { decoded: unknown }>();
    const missing: TableKey[] = [];
    for (const key of keys) {
      const cached = this.rowCache.enabled ? this.rowCache.get<unknown>(cacheKey(key)) : undefined;
      if (cached === undefined) missing.push(key);
      else if (cached !== null) found.set(cacheKey(key), { decoded: cached });
    }
    if (missing.length === 0) return found;
    const rows = await batchGet(this.doc, this.tableName, missing, {
      retry: this.retry,
      consistentRead: this.options.consistentReads,
    });
    for (const row of rows) found.set(cacheKey({ pk: row.pk as string, sk: row.sk as string }), row.d as string);
    if (this.rowCache.enabled) {
      for (const key of missing) if (!found.has(cacheKey(key))) this.rowCache.set(cacheKey(key), null, 0);
    }
    return found;
  }

  /** Decodes freshly read row data (and caches the result), or returns the cached decoded value. */
  private decoded<T>(key: TableKey, data: string | { decoded: unknown }, decode: (data: string) => T): T {
    if (typeof data !== 'string') return data.decoded as T;
    const value = decode(data);
    this.rowCache.set(cacheKey(key), value, data.length);
    return value;
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

class VersionRowWriter implements DynamoVersionWriter {
  private registered: Promise<void> | undefined;
  private popularityPages = 0;
  private historiesCapped = 0;
  private historyEntriesDropped = 0;
  private neighbourRowsTrimmed = 0;

  constructor(
    readonly dataset: string,
    readonly version: string,
    private readonly deps: { batch: BatchWriter; historyCap: number; register: () => Promise<void> },
  ) {}

  async putItemNeighbours(itemId: string, neighbours: readonly Neighbour[]): Promise<void> {
    await this.putNeighbours('i', itemId, neighbours);
  }

  async putUserNeighbours(userId: string, neighbours: readonly Neighbour[]): Promise<void> {
    await this.putNeighbours('u', userId, neighbours);
  }

  async putUserHistory(userId: string, history: readonly HistoryEntry[]): Promise<void> {
    const key = entityRowKeyForWrite(this.dataset, this.version, 'h', userId);
    const { data, kept } = encodeHistory(history, this.deps.historyCap);
    if (kept < history.length) {
      this.historiesCapped++;
      this.historyEntriesDropped += history.length - kept;
    }
    await this.put({ ...key, d: data, n: history.length });
  }

  /** May be called more than once: pages are appended in call order. */
  async putPopularity(items: readonly PopularItem[]): Promise<void> {
    for (const data of encodePopularityPages(items)) {
      await this.put({ ...popularityPageKey(this.dataset, this.version, this.popularityPages++), d: data });
    }
  }

  async flush(): Promise<FlushResult> {
    await this.ensureRegistered();
    const rowsWritten = await this.deps.batch.flush();
    return {
      rowsWritten,
      historiesCapped: this.historiesCapped,
      historyEntriesDropped: this.historyEntriesDropped,
      neighbourRowsTrimmed: this.neighbourRowsTrimmed,
    };
  }

  private async putNeighbours(kind: 'i' | 'u', id: string, neighbours: readonly Neighbour[]): Promise<void> {
    const key = entityRowKeyForWrite(this.dataset, this.version, kind, id);
    const { data, kept } = encodeNeighbours(neighbours);
    if (kept < neighbours.length) this.neighbourRowsTrimmed++;
    await this.put({ ...key, d: data });
  }

  private async put(item: Item): Promise<void> {
    await this.ensureRegistered();
    await this.deps.batch.add({ PutRequest: { Item: item } } satisfies WriteRequest);
  }

  /** The registry row goes first, so a crashed build's rows can always be found and pruned. */
  private ensureRegistered(): Promise<void> {
    this.registered ??= this.deps.register();
    return this.registered;
  }
}

function toJobRecord(item: Item): JobRecord {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _expiresAt, ...record } = item;
  return record as unknown as JobRecord;
}

/** Plain JSON data: drops undefined (DynamoDB rejects it) and turns NaN/Infinity into null. */
function storable<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
