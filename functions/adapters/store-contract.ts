/**
 * What the functions need from model storage, split by role so that the compiler enforces what the IAM grants in
 * infra/ allow: the API function depends on `ModelReader` + `JobReader` only (reads, plus the one conditional
 * UpdateItem of rollback); the build function on `ModelPublisher` + `JobStore` (the writes). `DynamoModelStore`
 * (./dynamo/dynamo-model-store.ts) implements every role on one DynamoDB table; the contract is written here so
 * that the build pipeline, the API and the storage can evolve apart.
 */
import type { HistoryEntry, ModelKind, Neighbour, PopularItem, SimilarityOptions } from '../engine/types.js';

/** Build options for one dataset (from uploads/<dataset>/config.json, validated with zod). */
export interface ModelOptions {
  similarity: SimilarityOptions;
  /**
   * The model kinds this version has rows for. Versions stored before kinds were named carry `itemBased` /
   * `userBased` flags instead; the manifest reader (dynamo/manifests.ts) turns those into this list.
   */
  models: ModelKind[];
  /** Model versions kept for rollback (the active one included). */
  versionsKept: number;
}

export interface ModelStats {
  users: number;
  items: number;
  ratings: number;
  itemRows: number;
  userRows: number;
}

/** Where a model came from; `sourceOrder` orders uploads of one dataset (later upload = larger string). */
export interface ModelSource {
  bucket: string;
  key: string;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  /** `<eventTime ISO>#<sequencer padded>`: compared as strings; an older upload never replaces a newer model. */
  sourceOrder: string;
}

export interface VersionInfo {
  version: string;
  createdAt: string;
  jobId: string;
  source: ModelSource;
  stats: ModelStats;
  options: ModelOptions;
  /** S3 key of the full data-quality report. */
  reportKey?: string;
}

export interface Manifest {
  dataset: string;
  activeVersion: string;
  /** Kept versions, newest first; the active one is among them. */
  versions: VersionInfo[];
  /** Increases with every change: optimistic locking for rollback and activation. */
  revision: number;
  updatedAt: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'duplicate';

export interface JobError {
  message: string;
  where?: string;
  hint?: string;
}

export interface JobRecord {
  dataset: string;
  jobId: string;
  status: JobStatus;
  source: ModelSource;
  version?: string;
  progress?: { phase: string; done: number; total: number };
  /** Seconds per phase. */
  timings?: Record<string, number>;
  /** Summary of the data-quality report (the full report is in S3 at reportKey). */
  report?: Record<string, unknown>;
  reportKey?: string;
  error?: JobError;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface VersionWriter {
  readonly dataset: string;
  readonly version: string;
  putItemNeighbours(itemId: string, neighbours: readonly Neighbour[]): Promise<void>;
  putUserNeighbours(userId: string, neighbours: readonly Neighbour[]): Promise<void>;
  /** Most recent first; the store may cap it (documented limit) to respect the 400 KB item size. */
  putUserHistory(userId: string, history: readonly HistoryEntry[]): Promise<void>;
  putPopularity(items: readonly PopularItem[]): Promise<void>;
  /** Waits for every buffered write; throws (never drops a row) when retries are exhausted. */
  flush(): Promise<{ rowsWritten: number }>;
}

export interface UserRows {
  history?: HistoryEntry[];
  neighbours?: Neighbour[];
}

/** The manifest of a dataset: which version is active and which are kept. Read by both functions. */
export interface ManifestReader {
  getManifest(dataset: string): Promise<Manifest | undefined>;
}

/** What the API reads to serve a request, plus rollback: the API function's one write. */
export interface ModelReader extends ManifestReader {
  getItemNeighbours(dataset: string, version: string, itemIds: readonly string[]): Promise<Map<string, Neighbour[]>>;
  getUserNeighbourRows(dataset: string, version: string, userIds: readonly string[]): Promise<Map<string, Neighbour[]>>;
  getUserHistories(dataset: string, version: string, userIds: readonly string[]): Promise<Map<string, HistoryEntry[]>>;
  /** History and neighbour rows of one user in one BatchGetItem round. */
  getUserRows(dataset: string, version: string, userId: string): Promise<UserRows>;
  getPopularity(dataset: string, version: string): Promise<PopularItem[]>;
  /**
   * For a reader that found rows of `seen.activeVersion` missing: the manifest as it is now, or `seen` itself when
   * it is recent enough that its versions' rows are sure to exist (then the rows are truly absent). A reader
   * retries once on a different active version before concluding that a user or item is unknown.
   */
  refreshManifest(dataset: string, seen: Manifest): Promise<Manifest | undefined>;
  /** Re-activates a kept version (default: the one before the active one) in one conditional write. */
  rollback(dataset: string, version?: string): Promise<Manifest>;
}

/** What a build needs to publish a model version and clean up after itself. */
export interface ModelPublisher extends ManifestReader {
  createVersionWriter(dataset: string, version: string): VersionWriter;
  /**
   * Makes `info.version` active in one conditional write, after all its rows are written. Returns 'superseded'
   * (and changes nothing) when the active model came from a later upload.
   */
  activateVersion(dataset: string, info: VersionInfo, versionsKept: number): Promise<'activated' | 'superseded'>;
  /**
   * Deletes rows of versions of `dataset` that the manifest no longer lists (excluding `protect`), once they were
   * retired longer ago than the store's grace (readers may still be on a version retired more recently).
   */
  pruneVersions(dataset: string, protect?: readonly string[]): Promise<{ rowsDeleted: number }>;
  /** Deletes all rows of one version (a failed or superseded build); one retired within the grace is left to the prune. */
  deleteVersion(dataset: string, version: string): Promise<{ rowsDeleted: number }>;
}

/** Build job records as the API shows them. */
export interface JobReader {
  getJob(dataset: string, jobId: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  listJobs(dataset: string, limit?: number): Promise<JobRecord[]>;
}

/** Build job records as a build keeps them: claimed once per upload, then updated until it finishes. */
export interface JobStore extends JobReader {
  /** Creates the job record unless one with this id exists and is not failed: 'claimed' or 'duplicate'. */
  claimJob(job: JobRecord): Promise<'claimed' | 'duplicate'>;
  updateJob(dataset: string, jobId: string, patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>): Promise<void>;
}

/** Thrown by the store when a dataset/version/job does not exist or a rollback target is not kept. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Thrown when a conditional write lost a race (e.g. two rollbacks at once). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}
