/**
 * The manifest of each dataset (which version is active, which are kept) and the versions' life cycle:
 * registration, activation, rollback and clean-up. Layout in ./keys.ts.
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
 *
 * Stored manifests are read through `readManifest` only, which also brings versions stored in an older shape
 * up to date (see normaliseStoredVersion); a manifest written back is therefore always in the current shape.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UserInputError, type ModelKind } from '../../engine/types.js';
import { ConflictError, NotFoundError, type Manifest, type ModelOptions, type VersionInfo } from '../store-contract.js';
import { BatchWriter } from './batch.js';
import { queryAll, storable, type Item, type StoreTable } from './documents.js';
import { VERSION_SK_PREFIX, datasetPk, manifestKey, versionPartitions, versionRegistryKey } from './keys.js';

export interface ManifestSettings {
  /** BatchWriteItem chunks in flight per deletion. */
  concurrency: number;
  /** A version registered as 'building' this long ago and not in the manifest is a crashed build. */
  staleBuildMs: number;
  /** Lost optimistic-locking races tolerated by one activation. */
  maxActivationAttempts: number;
  /** How long readers may reuse a manifest read (ms); 0 reads it on every call. */
  manifestCacheMs: number;
  now: () => Date;
}

type RegistryState = 'building' | 'activated';

interface StoredManifest {
  manifest: Manifest;
  latestSourceOrder: string;
}

/** Version options as stored before model kinds were named (`mode` item | user | both was kept as two flags). */
interface LegacyModelOptions extends Omit<ModelOptions, 'models'> {
  itemBased?: boolean;
  userBased?: boolean;
}

/** A version as stored: in the current shape, or in the one before model kinds were named. */
type StoredVersionInfo = Omit<VersionInfo, 'options'> & { options: ModelOptions | LegacyModelOptions };

/** Which legacy flag stood for which model kind (frozen: new kinds only ever appear in `models`). */
const LEGACY_KIND_FLAGS: ReadonlyArray<readonly ['itemBased' | 'userBased', ModelKind]> = [
  ['itemBased', 'item'],
  ['userBased', 'user'],
];

/** Brings a stored version to the current shape: legacy `itemBased` / `userBased` flags become `models`. */
function normaliseStoredVersion(stored: StoredVersionInfo): VersionInfo {
  const { options } = stored;
  if ('models' in options) return { ...stored, options };
  const { itemBased: _itemBased, userBased: _userBased, ...rest } = options;
  const models = LEGACY_KIND_FLAGS.filter(([flag]) => options[flag] === true).map(([, kind]) => kind);
  return { ...stored, options: { ...rest, models } };
}

export class Manifests {
  private readonly manifestCache = new Map<string, { manifest: Manifest | undefined; until: number }>();
  private readonly manifestReads = new Map<string, Promise<Manifest | undefined>>();
  private manifestGeneration = 0;

  constructor(
    private readonly table: StoreTable,
    private readonly settings: ManifestSettings,
  ) {}

  /**
   * The manifest as readers see it. With `manifestCacheMs` set (the API function), it is re-read at most that
   * often per process: a new or rolled-back version reaches readers within that time, and every version a cached
   * manifest names stays readable meanwhile (builds spare the version they retire until the next build).
   * Writers (activation, prune, rollback) always read it fresh.
   */
  async getManifest(dataset: string): Promise<Manifest | undefined> {
    if (this.settings.manifestCacheMs <= 0) return (await this.readManifest(dataset))?.manifest;
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
          until: Date.now() + this.settings.manifestCacheMs,
        });
        return stored?.manifest;
      })
      .finally(() => this.manifestReads.delete(dataset));
    this.manifestReads.set(dataset, read);
    return read;
  }

  async activateVersion(dataset: string, info: VersionInfo, versionsKept: number): Promise<'activated' | 'superseded'> {
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
      if (current && current.latestSourceOrder >= info.source.sourceOrder) return 'superseded';
      const versions = [info, ...(current?.manifest.versions ?? []).filter((v) => v.version !== info.version)].slice(
        0,
        versionsKept,
      );
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...manifestKey(dataset),
              dataset,
              activeVersion: info.version,
              versions: storable(versions),
              latestSourceOrder: info.source.sourceOrder,
              revision: (current?.manifest.revision ?? 0) + 1,
              updatedAt: this.settings.now().toISOString(),
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
      return 'activated';
    }
    throw new ConflictError(
      `Could not activate version ${info.version} of dataset ${dataset}: the manifest kept changing (${this.settings.maxActivationAttempts} attempts)`,
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
    const manifest = (await this.readManifest(dataset))?.manifest;
    const kept = new Set([...(manifest?.versions.map((v) => v.version) ?? []), ...protect]);
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
    const manifest = (await this.readManifest(dataset))?.manifest;
    if (manifest?.versions.some((v) => v.version === version)) {
      throw new ConflictError(
        `Version "${version}" of dataset "${dataset}" is kept by the manifest; it is deleted when pruned out of the kept versions`,
      );
    }
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

  private async readManifest(dataset: string): Promise<StoredManifest | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: manifestKey(dataset), ConsistentRead: true }),
    );
    const item = output.Item;
    if (!item) return undefined;
    return {
      manifest: {
        dataset: item.dataset as string,
        activeVersion: item.activeVersion as string,
        versions: (item.versions as StoredVersionInfo[]).map(normaliseStoredVersion),
        revision: item.revision as number,
        updatedAt: item.updatedAt as string,
      },
      latestSourceOrder: item.latestSourceOrder as string,
    };
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
