/**
 * The manifest of each dataset (which version is active, which are kept) and the versions' life cycle:
 * registration, activation, rollback and clean-up. Layout in ./keys.ts.
 *
 * Versions and the atomic swap: a build writes every row of its version under partitions that carry the version
 * in their key, then `activateVersion` flips the manifest in ONE conditional PutItem. Readers read the manifest,
 * then rows of its `activeVersion` only, so they never see a half-written or mixed model.
 *
 * Kept, not active (the promotion gate): `activateVersion(…, { activate: false })` adds the version to the kept
 * list (first) in the same conditional PutItem, leaves `activeVersion` as it is, never drops the active version
 * for `versionsKept`, and advances `latestSourceOrder`, so older uploads stay superseded; a rollback to it
 * activates it (tests: test/adapters/kept-versions.test.ts).
 *
 * Out-of-order uploads: the manifest keeps `latestSourceOrder`, the largest sourceOrder ever published; an
 * upload that is not later than it is 'superseded' (even after a rollback: a late event for an upload older
 * than one already served never takes over).
 *
 * Clean-up: model rows carry no TTL. Marking a retired version's rows with `expiresAt` would cost one write
 * per row, the same as deleting them, so `pruneVersions` / `deleteVersion` delete them directly (Query per
 * partition + BatchWriteItem). A registry row per version (`ver#<version>`, state building | activated) lets
 * `pruneVersions` also find rows of builds that crashed before deleting their own rows: a version still
 * 'building' is left alone until it is older than `staleBuildMs`, so a concurrent build is never deleted.
 *
 * Retired versions outlive their readers: the activation that drops a version from the kept list records when
 * (`retired`: version + retiredAt, in the same conditional PutItem, so no crash can lose it), and neither
 * `pruneVersions` nor `deleteVersion` deletes its rows until `retiredVersionGraceMs` later: longer than any
 * reader's manifest cache plus its longest request, so a reader holding any manifest that named the version as
 * active finishes on rows that exist. The manifest also records the grace it promises; a reader that finds rows
 * missing under a manifest read longer ago than that grace re-reads the manifest (`refreshManifest`) instead of
 * concluding the rows do not exist (tests: test/adapters/retired-versions.test.ts, and the burst of builds under
 * cached readers in test/pipeline/concurrent-reader.test.ts).
 *
 * Stored manifests are read through `readManifest` only, which also brings versions stored in an older shape
 * up to date (./stored-manifest.ts); a manifest written back is therefore always in the current shape.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UserInputError } from '../../engine/types.js';
import {
  ConflictError,
  NotFoundError,
  type ActivationOptions,
  type ActivationOutcome,
  type Manifest,
  type VersionInfo,
} from '../store-contract.js';
import { BatchWriter } from './batch.js';
import { queryAll, storable, type Item, type StoreTable } from './documents.js';
import { VERSION_SK_PREFIX, datasetPk, manifestKey, versionPartitions, versionRegistryKey } from './keys.js';
import { decodeStoredManifest, retiredAfter, sparedVersions, type StoredManifest } from './stored-manifest.js';

/**
 * The kept list after publishing `info`: it first, then the others newest first, `versionsKept` in all; the active
 * version is never dropped (a version kept inactive beside it may make the list one longer than versionsKept).
 */
export function keptVersions(
  info: VersionInfo,
  previous: readonly VersionInfo[],
  activeVersion: string,
  versionsKept: number,
): VersionInfo[] {
  const versions = [info, ...previous.filter((v) => v.version !== info.version)];
  const kept = versions.slice(0, versionsKept);
  const active = versions.find((v) => v.version === activeVersion);
  if (active && !kept.includes(active)) kept.push(active);
  return kept;
}

export interface ManifestSettings {
  /** BatchWriteItem chunks in flight per deletion. */
  concurrency: number;
  /** A version registered as 'building' this long ago and not in the manifest is a crashed build. */
  staleBuildMs: number;
  /** Lost optimistic-locking races tolerated by one activation. */
  maxActivationAttempts: number;
  /** How long readers may reuse a manifest read (ms); 0 reads it on every call. */
  manifestCacheMs: number;
  /** How long a retired version's rows outlive its retirement (ms): longer than any manifest cache + request. */
  retiredVersionGraceMs: number;
  now: () => Date;
}

type RegistryState = 'building' | 'activated';

/** When a manifest object handed to readers was read, and the grace it promised: see `refreshManifest`. */
interface ManifestRead {
  startedAt: number;
  graceMs: number;
}

export class Manifests {
  private readonly manifestCache = new Map<string, { manifest: Manifest | undefined; until: number }>();
  private readonly manifestReads = new Map<string, Promise<Manifest | undefined>>();
  /** Per manifest object given to readers (cached objects are shared): when its read started. */
  private readonly readsOf = new WeakMap<Manifest, ManifestRead>();
  private manifestGeneration = 0;

  constructor(
    private readonly table: StoreTable,
    private readonly settings: ManifestSettings,
  ) {}

  /**
   * The manifest as readers see it. With `manifestCacheMs` set (the API function), it is re-read at most that
   * often per process: a new or rolled-back version reaches readers within that time, and every version a cached
   * manifest names stays readable meanwhile (retired versions' rows outlive the retirement by the grace).
   * Writers (activation, prune, rollback) always read it fresh.
   */
  async getManifest(dataset: string): Promise<Manifest | undefined> {
    if (this.settings.manifestCacheMs <= 0) return this.readForReaders(dataset);
    const cached = this.manifestCache.get(dataset);
    if (cached && cached.until > Date.now()) return cached.manifest;
    // One read per dataset at a time: when the cached manifest expires under load, every request waiting for it
    // shares the same read instead of sending one each.
    const inFlight = this.manifestReads.get(dataset);
    if (inFlight) return inFlight;
    const read = this.readIntoCache(dataset).finally(() => this.manifestReads.delete(dataset));
    this.manifestReads.set(dataset, read);
    return read;
  }

  /**
   * For a reader that found rows of `seen.activeVersion` missing: the manifest as it is now, or `seen` itself when
   * it was read less than its promised grace ago (its versions' rows still exist then, so the rows are truly
   * absent and no read is spent). A manifest older than that (a long cache, or one written before the grace was
   * recorded) is read again, fresh, and the cache updated.
   */
  async refreshManifest(dataset: string, seen: Manifest): Promise<Manifest | undefined> {
    const read = this.readsOf.get(seen);
    if (read && Date.now() - read.startedAt < read.graceMs) return seen;
    if (this.settings.manifestCacheMs <= 0) return this.readForReaders(dataset);
    return this.readIntoCache(dataset);
  }

  async activateVersion(
    dataset: string,
    info: VersionInfo,
    versionsKept: number,
    options: ActivationOptions = {},
  ): Promise<ActivationOutcome> {
    const activate = options.activate ?? true;
    if (!Number.isInteger(versionsKept) || versionsKept < 1) {
      throw new UserInputError(
        `versionsKept must be a whole number of at least 1, got ${versionsKept}`,
        'versionsKept',
        'Set versionsKept to 1 or more in config.json.',
      );
    }
    const { doc, tableName, retry } = this.table;
    for (let attempt = 1; attempt <= this.settings.maxActivationAttempts; attempt++) {
      const current = await this.readManifest(dataset);
      if (current?.manifest.activeVersion === info.version) return 'activated'; // a retried activation
      if (!activate && current?.manifest.versions.some((v) => v.version === info.version)) return 'kept'; // retried
      if (current && current.latestSourceOrder >= info.source.sourceOrder) return 'superseded';
      // Kept, not activated, needs a version to stay active: there is nothing to hold a first version back for.
      if (!activate && !current?.manifest.activeVersion)
        throw new ConflictError(`Dataset ${dataset} has no active version: version ${info.version} must be activated`);
      const activeVersion = activate ? info.version : current!.manifest.activeVersion;
      const versions = keptVersions(info, current?.manifest.versions ?? [], activeVersion, versionsKept);
      const now = this.settings.now();
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...manifestKey(dataset),
              dataset,
              activeVersion,
              versions: storable(versions),
              latestSourceOrder: info.source.sourceOrder,
              retired: retiredAfter(current, versions, now, this.settings.retiredVersionGraceMs),
              retiredVersionGraceMs: this.settings.retiredVersionGraceMs,
              revision: (current?.manifest.revision ?? 0) + 1,
              updatedAt: now.toISOString(),
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
        await retry.sleep(retry.random() * retry.baseDelayMs * attempt); // lost a race: re-read
        continue;
      }
      await this.markActivated(dataset, info.version);
      return activate ? 'activated' : 'kept';
    }
    throw new ConflictError(
      `Could not activate version ${info.version} of dataset ${dataset}: the manifest kept changing (${this.settings.maxActivationAttempts} attempts)`,
    );
  }

  async rollback(dataset: string, version?: string): Promise<Manifest> {
    const readStartedAt = Date.now();
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
    const updatedAt = this.settings.now().toISOString();
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
    if (this.settings.manifestCacheMs > 0) {
      this.manifestGeneration++;
      this.readsOf.set(next, { startedAt: readStartedAt, graceMs: current.retiredVersionGraceMs });
      this.manifestCache.set(dataset, { manifest: next, until: Date.now() + this.settings.manifestCacheMs });
    }
    return next;
  }

  async pruneVersions(dataset: string, protect: readonly string[] = []): Promise<{ rowsDeleted: number }> {
    // Registry first, manifest second: a version marked 'activated' is then already in the manifest we read.
    const registered = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': VERSION_SK_PREFIX },
      ConsistentRead: true,
    });
    const stored = await this.readManifest(dataset);
    const kept = new Set([
      ...sparedVersions(stored, this.settings.now(), this.settings.retiredVersionGraceMs),
      ...protect,
    ]);
    const staleBefore = this.settings.now().getTime() - this.settings.staleBuildMs;
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
    const stored = await this.readManifest(dataset);
    if (stored?.manifest.versions.some((v) => v.version === version)) {
      throw new ConflictError(
        `Version "${version}" of dataset "${dataset}" is kept by the manifest; it is deleted when pruned out of the kept versions`,
      );
    }
    // Retired within the grace (a retried build of a version that was active): readers may still be on it, so
    // its rows are left to the first prune after the grace, which finds them through the registry.
    if (sparedVersions(stored, this.settings.now(), this.settings.retiredVersionGraceMs).has(version))
      return { rowsDeleted: 0 };
    return { rowsDeleted: await this.deleteRows(dataset, version) };
  }

  /** Registers a version as 'building'; its writer calls this before its first row (see version-writer.ts). */
  async register(dataset: string, version: string): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...versionRegistryKey(dataset, version),
          version,
          state: 'building' satisfies RegistryState,
          startedAt: this.settings.now().toISOString(),
        },
      }),
    );
  }

  /** A fresh read for readers, remembered with its start time (see refreshManifest). */
  private async readForReaders(dataset: string): Promise<Manifest | undefined> {
    const startedAt = Date.now();
    const stored = await this.readManifest(dataset);
    if (stored) this.readsOf.set(stored.manifest, { startedAt, graceMs: stored.retiredVersionGraceMs });
    return stored?.manifest;
  }

  /** A fresh read for readers that also replaces the cached manifest, unless this process rolled back meanwhile. */
  private async readIntoCache(dataset: string): Promise<Manifest | undefined> {
    const generation = this.manifestGeneration;
    const manifest = await this.readForReaders(dataset);
    // A rollback by this process while the read was under way knows better than the read.
    if (generation !== this.manifestGeneration) return this.manifestCache.get(dataset)?.manifest ?? manifest;
    if (this.manifestCache.size >= 10_000) this.manifestCache.clear(); // bounded: datasets are few, ids may be junk
    this.manifestCache.set(dataset, { manifest, until: Date.now() + this.settings.manifestCacheMs });
    return manifest;
  }

  private async readManifest(dataset: string): Promise<StoredManifest | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: manifestKey(dataset), ConsistentRead: true }),
    );
    return output.Item ? decodeStoredManifest(output.Item) : undefined;
  }

  /** Best effort: the manifest already lists the version, and a stale 'building' entry is pruned all the same. */
  private async markActivated(dataset: string, version: string): Promise<void> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
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
    const { doc, tableName, retry } = this.table;
    const { concurrency } = this.settings;
    const writer = new BatchWriter(doc, tableName, { concurrency, retry });
    const partitions = versionPartitions(dataset, version);
    // A few partitions are queried at once; the writer bounds the deletes in flight.
    const queryPartitions = async () => {
      for (let partition = partitions.pop(); partition !== undefined; partition = partitions.pop()) {
        let startKey: Item | undefined;
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName: tableName,
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
    await Promise.all(Array.from({ length: concurrency }, queryPartitions));
    const deleted = await writer.flush();
    await doc.send(new DeleteCommand({ TableName: tableName, Key: versionRegistryKey(dataset, version) }));
    return deleted;
  }
}
