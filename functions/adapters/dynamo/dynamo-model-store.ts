/**
 * Every storage role of ../store-contract.ts on one DynamoDB table (layout in ./keys.ts), composed of parts that
 * each keep their own safety properties (see their headers):
 * - ./manifests.ts      versions and the atomic swap (one conditional PutItem), out-of-order uploads
 *                       (`latestSourceOrder`), rollback, and clean-up of retired (after a grace) or crashed
 *                       versions (registry rows)
 * - ./version-writer.ts a version's rows, registry row first, nothing dropped silently
 * - ./model-rows.ts     row reads of one named version, with the row cache
 * - ./jobs.ts           job records: one leased claim per upload at a time, fenced updates, TTL `expiresAt`
 * - ./dataset-builds.ts the dataset build lease: one build per dataset at a time, bursts coalesced (pending jobs)
 * - ./erasures.ts       erasure records, the serving tombstones (cached as the manifest), erased rows' deletion
 * - ./live-events.ts    live events: idempotent conditional puts, one user's events, ranges for the build's fold
 * - ./dataset-directory.ts  one row per dataset (recorded on a first job's claim and on every activation), listed
 * Model rows carry no TTL: they are deleted when their version is pruned.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogueEntry } from '../../engine/catalogue/index.js';
import type { TrendingItem } from '../../engine/filters/index.js';
import type { HistoryEntry, Neighbour, PopularItem } from '../../engine/types.js';
import type {
  ActivationOptions,
  ActivationOutcome,
  DatasetBuildEntry,
  DatasetBuildExit,
  DatasetBuildStore,
  DatasetLister,
  DatasetPage,
  DatasetPageRequest,
  JobClaim,
  JobHolder,
  JobRecord,
  JobStore,
  LiveEvent,
  LiveEventFolder,
  LiveEventWrite,
  LiveEventWriter,
  Manifest,
  ModelPublisher,
  ModelReader,
  UserRows,
  VersionInfo,
} from '../store-contract.js';
import type {
  ErasureDeletion,
  ErasureKind,
  ErasureLedger,
  ErasureRecord,
  ErasureRequests,
  StoredVersion,
  Tombstones,
} from '../erasure-contract.js';
import { Erasures } from './erasures.js';
import { BatchWriter, resolveRetry, type RetryPolicy } from './batch.js';
import type { StoreTable } from './documents.js';
import { DatasetBuilds } from './dataset-builds.js';
import { DatasetDirectory } from './dataset-directory.js';
import { JobRecords } from './jobs.js';
import { DEFAULT_LIVE_EVENT_CONCURRENCY, LiveEvents } from './live-events.js';
import { Manifests } from './manifests.js';
import { ModelRows } from './model-rows.js';
import type { RowCache } from './row-cache.js';
import { HISTORY_CAP } from './rows.js';
import { VersionRowWriter, type DynamoVersionWriter } from './version-writer.js';

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
  /** Live-event writes (and deletes) in flight per call. Default {@link DEFAULT_LIVE_EVENT_CONCURRENCY}. */
  liveEventConcurrency?: number;
  /** Lost optimistic-locking races tolerated by one activation. Default 10. */
  maxActivationAttempts?: number;
  /**
   * A 'running' job stored without a lease (written before builds renewed one) is taken as dead after this long
   * without an update. Default 16 minutes: longer than Lambda's 15-minute maximum. Leased jobs expire by `leaseUntil`.
   */
  staleJobMs?: number;
  /** How long readers may reuse a manifest read (ms); 0 (default) reads it on every call. See Manifests.getManifest. */
  manifestCacheMs?: number;
  /**
   * How long the rows of a version dropped from the kept list outlive its retirement (ms), so that readers still
   * on it finish: longer than any reader's manifest cache plus its longest request. Default
   * {@link DEFAULT_RETIRED_VERSION_GRACE_MS}. See ./manifests.ts.
   */
  retiredVersionGraceMs?: number;
  /**
   * Memory budget (bytes) for caching model rows read by this store; 0 (default) disables it. Safe because a
   * version's rows never change while any manifest names it (see RowCache). The API function turns it on.
   */
  rowCacheBytes?: number;
  now?: () => Date;
}

/**
 * Two minutes: more than the API's longest manifest cache (MANIFEST_CACHE_MS, at most 60 s) plus its longest
 * request (API Gateway gives up after 30 s).
 */
export const DEFAULT_RETIRED_VERSION_GRACE_MS = 120_000;

export class DynamoModelStore
  implements
    ModelReader,
    ModelPublisher,
    JobStore,
    DatasetBuildStore,
    LiveEventWriter,
    LiveEventFolder,
    ErasureRequests,
    ErasureLedger,
    DatasetLister
{
  /** Exposed for metrics and tests (hits/misses). */
  readonly rowCache: RowCache;
  private readonly table: StoreTable;
  private readonly manifests: Manifests;
  private readonly rows: ModelRows;
  private readonly jobs: JobRecords;
  private readonly datasetBuilds: DatasetBuilds;
  private readonly erasures: Erasures;
  private readonly liveEvents: LiveEvents;
  private readonly directory: DatasetDirectory;
  private readonly now: () => Date;
  private readonly writerSettings: { concurrency: number; historyCap: number };

  constructor(
    doc: DynamoDBDocumentClient,
    readonly tableName: string,
    options: DynamoModelStoreOptions = {},
  ) {
    this.table = { doc, tableName, retry: resolveRetry(options.retry) };
    const concurrency = options.concurrency ?? 4;
    const now = options.now ?? (() => new Date());
    this.manifests = new Manifests(this.table, {
      concurrency,
      staleBuildMs: options.staleBuildMs ?? 2 * 3_600_000,
      maxActivationAttempts: options.maxActivationAttempts ?? 10,
      manifestCacheMs: options.manifestCacheMs ?? 0,
      retiredVersionGraceMs: options.retiredVersionGraceMs ?? DEFAULT_RETIRED_VERSION_GRACE_MS,
      now,
    });
    this.rows = new ModelRows(this.table, {
      consistentReads: options.consistentReads ?? false,
      rowCacheBytes: options.rowCacheBytes ?? 0,
    });
    this.rowCache = this.rows.rowCache;
    this.jobs = new JobRecords(this.table, {
      jobRetentionDays: options.jobRetentionDays ?? 90,
      staleJobMs: options.staleJobMs ?? 16 * 60_000,
      now,
    });
    this.datasetBuilds = new DatasetBuilds(this.table, now);
    this.erasures = new Erasures(this.table, { manifestCacheMs: options.manifestCacheMs ?? 0 });
    this.liveEvents = new LiveEvents(this.table, options.liveEventConcurrency ?? DEFAULT_LIVE_EVENT_CONCURRENCY);
    this.directory = new DatasetDirectory(this.table);
    this.now = now;
    this.writerSettings = { concurrency, historyCap: options.historyCap ?? HISTORY_CAP };
  }

  // ---- manifest and versions (ModelReader, ModelPublisher) ----

  getManifest(dataset: string): Promise<Manifest | undefined> {
    return this.manifests.getManifest(dataset);
  }

  refreshManifest(dataset: string, seen: Manifest): Promise<Manifest | undefined> {
    return this.manifests.refreshManifest(dataset, seen);
  }

  createVersionWriter(dataset: string, version: string): DynamoVersionWriter {
    const { doc, tableName, retry } = this.table;
    return new VersionRowWriter(dataset, version, {
      batch: new BatchWriter(doc, tableName, { concurrency: this.writerSettings.concurrency, retry }),
      historyCap: this.writerSettings.historyCap,
      register: () => this.manifests.register(dataset, version),
    });
  }

  async activateVersion(
    dataset: string,
    info: VersionInfo,
    versionsKept: number,
    options?: ActivationOptions,
  ): Promise<ActivationOutcome> {
    const outcome = await this.manifests.activateVersion(dataset, info, versionsKept, options);
    // Every activation records the dataset again: datasets built before the directory existed join it here.
    if (outcome !== 'superseded') await this.directory.recordDataset(dataset, this.now());
    return outcome;
  }

  pruneVersions(dataset: string, protect?: readonly string[]): Promise<{ rowsDeleted: number }> {
    return this.manifests.pruneVersions(dataset, protect);
  }

  deleteVersion(dataset: string, version: string): Promise<{ rowsDeleted: number }> {
    return this.manifests.deleteVersion(dataset, version);
  }

  rollback(dataset: string, version?: string): Promise<Manifest> {
    return this.manifests.rollback(dataset, version);
  }

  // ---- model rows (ModelReader) ----

  getItemNeighbours(dataset: string, version: string, itemIds: readonly string[]): Promise<Map<string, Neighbour[]>> {
    return this.rows.getItemNeighbours(dataset, version, itemIds);
  }

  getUserNeighbourRows(
    dataset: string,
    version: string,
    userIds: readonly string[],
  ): Promise<Map<string, Neighbour[]>> {
    return this.rows.getUserNeighbourRows(dataset, version, userIds);
  }

  getUserHistories(dataset: string, version: string, userIds: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
    return this.rows.getUserHistories(dataset, version, userIds);
  }

  getUserRows(dataset: string, version: string, userId: string): Promise<UserRows> {
    return this.rows.getUserRows(dataset, version, userId);
  }

  getPopularity(dataset: string, version: string): Promise<PopularItem[]> {
    return this.rows.getPopularity(dataset, version);
  }

  getTrending(dataset: string, version: string): Promise<TrendingItem[]> {
    return this.rows.getTrending(dataset, version);
  }

  getCatalogueEntries(
    dataset: string,
    version: string,
    itemIds: readonly string[],
  ): Promise<Map<string, CatalogueEntry>> {
    return this.rows.getCatalogueEntries(dataset, version, itemIds);
  }

  // ---- jobs (JobReader, JobStore) ----

  async claimJob(job: JobRecord): Promise<JobClaim> {
    const claim = await this.jobs.claimJob(job);
    // Recorded on every claim (idempotent): a dataset is listed from its first job on, even one that fails.
    if (claim.status === 'claimed') await this.directory.recordDataset(job.dataset, this.now());
    return claim;
  }

  updateJob(
    dataset: string,
    jobId: string,
    patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>,
    holder?: JobHolder,
  ): Promise<void> {
    return this.jobs.updateJob(dataset, jobId, patch, holder);
  }

  findAbandonedJobs(dataset: string, options?: { includeLive?: boolean }): Promise<JobRecord[]> {
    return this.jobs.findAbandonedJobs(dataset, options);
  }

  getJob(dataset: string, jobId: string): Promise<JobRecord | undefined> {
    return this.jobs.getJob(dataset, jobId);
  }

  listJobs(dataset: string, limit?: number): Promise<JobRecord[]> {
    return this.jobs.listJobs(dataset, limit);
  }

  // ---- the dataset directory (DatasetLister) ----

  listDatasets(request?: DatasetPageRequest): Promise<DatasetPage> {
    return this.directory.listDatasets(request);
  }

  // ---- the dataset build lease (DatasetBuildStore) ----

  enterDatasetBuild(dataset: string, jobId: string, token: string, leaseUntil: string): Promise<DatasetBuildEntry> {
    return this.datasetBuilds.enterDatasetBuild(dataset, jobId, token, leaseUntil);
  }

  renewDatasetBuild(dataset: string, token: string, leaseUntil: string): Promise<void> {
    return this.datasetBuilds.renewDatasetBuild(dataset, token, leaseUntil);
  }

  exitDatasetBuild(dataset: string, token: string): Promise<DatasetBuildExit> {
    return this.datasetBuilds.exitDatasetBuild(dataset, token);
  }

  clearDatasetBuild(dataset: string): Promise<void> {
    return this.datasetBuilds.clearDatasetBuild(dataset);
  }

  // ---- erasures and tombstones (ErasureRequests, ErasureLedger) ----

  getTombstones(dataset: string): Promise<Tombstones> {
    return this.erasures.getTombstones(dataset);
  }

  getErasure(dataset: string, kind: ErasureKind, subject: string): Promise<ErasureRecord | undefined> {
    return this.erasures.getErasure(dataset, kind, subject);
  }

  beginErasure(dataset: string, kind: ErasureKind, subject: string, now: Date): Promise<ErasureRecord> {
    return this.erasures.beginErasure(dataset, kind, subject, now);
  }

  addTombstone(dataset: string, kind: ErasureKind, subject: string, at: string): Promise<void> {
    return this.erasures.addTombstone(dataset, kind, subject, at);
  }

  storedVersions(dataset: string): Promise<StoredVersion[]> {
    return this.erasures.storedVersions(dataset);
  }

  deleteEntityRows(dataset: string, version: string, kind: ErasureKind, id: string): Promise<number> {
    return this.erasures.deleteEntityRows(dataset, version, kind, id);
  }

  completeErasure(
    dataset: string,
    kind: ErasureKind,
    subject: string,
    deleted: readonly ErasureDeletion[],
    now: Date,
  ): Promise<ErasureRecord> {
    return this.erasures.completeErasure(dataset, kind, subject, deleted, now);
  }

  listErasures(dataset: string): Promise<ErasureRecord[]> {
    return this.erasures.listErasures(dataset);
  }

  noteErasureRows(dataset: string, kind: ErasureKind, subject: string, deletion: ErasureDeletion): Promise<void> {
    return this.erasures.noteErasureRows(dataset, kind, subject, deletion);
  }

  markRebuilt(dataset: string, kind: ErasureKind, subject: string, version: string, at: string): Promise<void> {
    return this.erasures.markRebuilt(dataset, kind, subject, version, at);
  }

  recordErasuresThrough(dataset: string, version: string, through: string): Promise<void> {
    return this.erasures.recordErasuresThrough(dataset, version, through);
  }

  pruneTombstones(dataset: string, before: string): Promise<{ pruned: number }> {
    return this.erasures.pruneTombstones(dataset, before);
  }

  // ---- live events (LiveEventWriter, LiveEventFolder) ----

  putLiveEvents(dataset: string, events: readonly LiveEvent[]): Promise<LiveEventWrite> {
    return this.liveEvents.putLiveEvents(dataset, events);
  }

  getUserLiveEvents(dataset: string, userId: string, since?: string): Promise<LiveEvent[]> {
    return this.liveEvents.getUserLiveEvents(dataset, userId, since);
  }

  deleteUserLiveEvents(dataset: string, userId: string): Promise<{ deleted: number }> {
    return this.liveEvents.deleteUserLiveEvents(dataset, userId);
  }

  scanLiveEvents(dataset: string, range: { from?: string; to: string }): AsyncIterable<LiveEvent[]> {
    return this.liveEvents.scanLiveEvents(dataset, range);
  }

  deleteFoldedLiveEvents(dataset: string, before: string): Promise<{ deleted: number }> {
    return this.liveEvents.deleteFoldedLiveEvents(dataset, before);
  }
}
