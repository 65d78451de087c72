/**
 * What the functions need from model storage, split by role so that the compiler enforces what the IAM grants in
 * infra/ allow: the API function depends on `ModelReader` + `JobReader` (reads, plus the one conditional
 * UpdateItem of rollback) + `LiveEventWriter` (live events, on `lv#` partitions only); the build function on
 * `ModelPublisher` + `JobStore` + `DatasetBuildStore` + `LiveEventFolder` (the writes). `DynamoModelStore`
 * (./dynamo/dynamo-model-store.ts) implements every role on one DynamoDB table; the contract is written here so
 * that the build pipeline, the API and the storage can evolve apart.
 */
import type { CatalogueEntry } from '../engine/catalogue/index.js';
import type { GateDecision, ValidationReport } from '../engine/evaluate/index.js';
import type { ModelName, ModelSpec } from '../engine/models/index.js';
import type { TrendingItem } from '../engine/filters/index.js';
import type { HistoryEntry, ModelKind, Neighbour, PopularItem, SimilarityOptions } from '../engine/types.js';
import type { VersionWeighting } from './live-event-contract.js';

// Live events: their data types and the roles LiveEventWriter (API) and LiveEventFolder (build).
export * from './live-event-contract.js';

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
  /** The model served (absent on versions stored before models were named: item-knn, or user-knn without item rows). */
  model?: ModelSpec;
  /**
   * How the build turned a user's events on an item into one value, so that the API gives live events the values
   * the build would (./dynamo/live-events.ts, functions/api/live-history.ts). Absent on versions built before live
   * events: plain ratings, the latest wins.
   */
  weighting?: VersionWeighting;
  /** The version's user ids are keyed pseudonyms (config pseudonymizeUsers): the API hashes request ids to match. */
  pseudonymizeUsers?: true;
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

/** The catalogue object a version carries (uploads/<dataset>/items.*): exactly which object, and what it gave. */
export interface CatalogueSource {
  key: string;
  eTag?: string;
  versionId?: string;
  size?: number;
  /** Rows read and distinct items stored (one catalogue row each). */
  rows: number;
  items: number;
  /**
   * The custom attributes the catalogue declares (config catalogue.attributes), which request-time filters may
   * name. Absent on versions built before filters: such a version's filters may name no attribute.
   */
  attributes?: string[];
}

/** One interaction file a version was built from, as it was read. */
export interface SourceRecord {
  key: string;
  /** Bare, as listed. */
  eTag: string;
  versionId?: string;
  size: number;
  /** Data rows read from it (accepted and rejected). */
  rows?: number;
}

/**
 * The interaction files of a version. The manifest is one DynamoDB item (400 KB for every kept version), so it
 * holds the first {@link MAX_SOURCES_IN_MANIFEST} files; `digest` (SHA-256 over every file's key and ETag, in
 * order) identifies the whole set, and the version's report in S3 lists every file.
 */
export interface VersionSources {
  files: number;
  rows: number;
  bytes: number;
  digest: string;
  listed: SourceRecord[];
  /** Interaction files left out (e.g. replaced by a snapshot). */
  excluded?: number;
}

export const MAX_SOURCES_IN_MANIFEST = 100;

/** One row of a version's validation table, compact (the job record and the version's S3 report have it whole). */
export interface CandidateSummary {
  /** `popularity`, or the candidate's label (describeSpec). */
  name: string;
  model: ModelName | 'popularity';
  ndcg: number;
  recall: number;
  hitRate: number;
  coverage: number;
}

/**
 * The build's validation as a version records it in the manifest: a few hundred bytes per candidate, so that
 * every kept version's fits in the manifest's one 400 KB item.
 */
export interface VersionValidation {
  /** The cut-off of the metrics (@10). */
  k: number;
  chosen: string;
  reason: string;
  split: { kind: string; share: number; users: number; heldOut: number };
  candidates: CandidateSummary[];
  gate?: GateDecision;
}

export interface VersionInfo {
  version: string;
  createdAt: string;
  jobId: string;
  /**
   * The event that started the build. For a build of the dataset's state (every current file), `sourceOrder` is
   * the state's place in the dataset's order (when its listing started), and `sources` lists the files.
   */
  source: ModelSource;
  sources?: VersionSources;
  stats: ModelStats;
  options: ModelOptions;
  /** S3 key of the full data-quality report. */
  reportKey?: string;
  /** Present when the version carries an item catalogue (its rows serve `fields=` and GET …/items/{itemId}). */
  catalogue?: CatalogueSource;
  /** The build's validation of its candidate models (absent with `evaluate: false`, and on older versions). */
  validation?: VersionValidation;
  /**
   * The erasures its input excluded: every one requested before `through`, `users` / `items` of them (absent on
   * versions built before erasure existed). See functions/model-build/build-erasures.ts.
   */
  erasures?: { through: string; users: number; items: number };
  /**
   * Live events received before this time (ISO) are in the version (folded into its event files); the API adds the
   * user's later ones to the stored history. Absent on versions built before live events: every live event is later.
   */
  liveCutoff?: string;
  /** The version's trending list (absent on versions built before trending: treated as none). */
  trending?: VersionTrending;
}

/**
 * How a version's trending list was ranked (functions/model-build/trending.ts): its window, half-life, `now` (ISO,
 * the newest timestamp in the data) and the items stored; or, for data without timestamps, that there is none.
 */
export type VersionTrending =
  | { windowDays: number; halfLifeDays: number; now: string; items: number }
  | { windowDays: number; halfLifeDays: number; none: 'no-timestamps' };

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

/**
 * Why a job failed: `user-input` (the file or config; not retried), `infrastructure` (retried by Lambda), or
 * `interrupted` (the build stopped without recording an outcome: killed, timed out, out of memory; its lease ran out).
 */
export type JobFailureReason = 'user-input' | 'infrastructure' | 'interrupted';

export interface JobError {
  message: string;
  where?: string;
  hint?: string;
  reason?: JobFailureReason;
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
  /** Why a job that did not fail ended as it did (e.g. superseded: a newer upload replaced the file). */
  message?: string;
  /** The build's validation: every candidate's scores, the choice and, with a promotion gate, its decision. */
  validation?: ValidationReport;
  /**
   * False when the build succeeded but its version was kept, not activated (the promotion gate held it back;
   * `message` says why). Absent otherwise.
   */
  activated?: false;
  /** Which claim of the job wrote it: 1 for the first build attempt, one more for each attempt that took it over. */
  attempt?: number;
  /**
   * While 'running', the build renews this (heartbeat); once it has passed, the build is taken for dead (killed,
   * timed out, out of memory): readers show the job as failed (`interrupted`), and a retry may take it over.
   */
  leaseUntil?: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/**
 * The claim a fenced job write is made under: it only lands while the job is 'running' with this `attempt` (0:
 * a record written before attempts were counted) and, when given, this exact `leaseUntil`.
 */
export interface JobHolder {
  attempt: number;
  leaseUntil?: string;
}

/**
 * What a claim found: `claimed` (this attempt holds the job; `previous` is the record it replaced, a failed or
 * interrupted attempt whose rows may need deleting), `held` (another attempt is running with a live lease), or
 * `duplicate` (the job has finished: succeeded or superseded).
 */
export type JobClaim =
  | { status: 'claimed'; attempt: number; previous?: JobRecord }
  | { status: 'held'; current: JobRecord }
  | { status: 'duplicate'; current: JobRecord };

/** The error a reader shows for a 'running' job whose lease has passed. */
export function interruptedJobError(job: Pick<JobRecord, 'updatedAt' | 'leaseUntil'>): JobError {
  return {
    reason: 'interrupted',
    message:
      `The build stopped without finishing: no heartbeat since ${job.updatedAt}` +
      `${job.leaseUntil ? ` (its lease ran out at ${job.leaseUntil})` : ''}; it was killed, timed out or ran out of memory.`,
    hint:
      'A retry of the upload event (Lambda retries twice; the local stack rebuilds on its next start) builds it again; ' +
      'if none comes, upload the file again. Raise buildMemoryMb or buildTimeoutMinutes if it keeps happening.',
  };
}

export interface VersionWriter {
  readonly dataset: string;
  readonly version: string;
  putItemNeighbours(itemId: string, neighbours: readonly Neighbour[]): Promise<void>;
  putUserNeighbours(userId: string, neighbours: readonly Neighbour[]): Promise<void>;
  /** Most recent first; the store may cap it (documented limit) to respect the 400 KB item size. */
  putUserHistory(userId: string, history: readonly HistoryEntry[]): Promise<void>;
  putPopularity(items: readonly PopularItem[]): Promise<void>;
  /** The trending list, best first (written once per version; pages appended in call order). */
  putTrending(items: readonly TrendingItem[]): Promise<void>;
  /** One item's catalogue entry (its own row, whether or not anyone interacted with the item). */
  putCatalogueEntry(entry: CatalogueEntry): Promise<void>;
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
  /** The version's trending list as stored (best first); empty when it has none. */
  getTrending(dataset: string, version: string): Promise<TrendingItem[]>;
  /** Catalogue entries of the given items in one BatchGetItem round; items without an entry are absent. */
  getCatalogueEntries(
    dataset: string,
    version: string,
    itemIds: readonly string[],
  ): Promise<Map<string, CatalogueEntry>>;
  /**
   * For a reader that found rows of `seen.activeVersion` missing: the manifest as it is now, or `seen` itself when
   * it is recent enough that its versions' rows are sure to exist (then the rows are truly absent). A reader
   * retries once on a different active version before concluding that a user or item is unknown.
   */
  refreshManifest(dataset: string, seen: Manifest): Promise<Manifest | undefined>;
  /** Re-activates a kept version (default: the one before the active one) in one conditional write. */
  rollback(dataset: string, version?: string): Promise<Manifest>;
}

export interface ActivationOptions {
  /** Default true. False: add the version to the kept list (first) and leave the active version serving. */
  activate?: boolean;
}

export type ActivationOutcome = 'activated' | 'kept' | 'superseded';

/** What a build needs to publish a model version and clean up after itself. */
export interface ModelPublisher extends ManifestReader {
  createVersionWriter(dataset: string, version: string): VersionWriter;
  /**
   * Makes `info.version` active in one conditional write, after all its rows are written. Returns 'superseded'
   * (and changes nothing) when the active model came from a later upload. With `activate: false` the version is
   * kept but not activated ('kept': the promotion gate held it back); a rollback to it activates it.
   */
  activateVersion(
    dataset: string,
    info: VersionInfo,
    versionsKept: number,
    options?: ActivationOptions,
  ): Promise<ActivationOutcome>;
  /**
   * Deletes rows of versions of `dataset` that the manifest no longer lists (excluding `protect`), once they were
   * retired longer ago than the store's grace (readers may still be on a version retired more recently).
   */
  pruneVersions(dataset: string, protect?: readonly string[]): Promise<{ rowsDeleted: number }>;
  /** Deletes all rows of one version (a failed or superseded build); one retired within the grace is left to the prune. */
  deleteVersion(dataset: string, version: string): Promise<{ rowsDeleted: number }>;
}

/**
 * Build job records as the API shows them. A 'running' job whose lease has passed is shown as 'failed' with
 * {@link interruptedJobError} (the stored record is left for a retry to take over or a sweep to settle).
 */
export interface JobReader {
  getJob(dataset: string, jobId: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  listJobs(dataset: string, limit?: number): Promise<JobRecord[]>;
}

/** Build job records as a build keeps them: claimed once per upload, then updated until it finishes. */
export interface JobStore extends JobReader {
  /**
   * Claims the job for one build attempt (`job.leaseUntil` is the lease it starts with; the store numbers the
   * attempt). A new job, a failed one, or a 'running' one whose lease has passed is claimed; see {@link JobClaim}.
   */
  claimJob(job: JobRecord): Promise<JobClaim>;
  /**
   * Updates the job; with `holder`, only while that claim still holds it (else {@link JobLeaseLostError}), so a
   * build that lost its lease to a retry can never overwrite the retry's record.
   */
  updateJob(
    dataset: string,
    jobId: string,
    patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>,
    holder?: JobHolder,
  ): Promise<void>;
  /** Stored 'running' jobs of the dataset whose lease has passed (`includeLive`: every 'running' job). */
  findAbandonedJobs(dataset: string, options?: { includeLive?: boolean }): Promise<JobRecord[]>;
}

/**
 * What an event found when it asked to build its dataset: `holding` (it runs the build; `adopted` are jobs that
 * were queued for a build that stopped, which its build now includes) or `queued` (a live build holds the dataset;
 * the event's job was added to the holder's pending set, and the holder builds again once it is done).
 */
export type DatasetBuildEntry = { status: 'holding'; adopted: string[] } | { status: 'queued'; holderJobId: string };

/** What a holder found when its build was done: nothing pending (released), or jobs to rebuild for. */
export type DatasetBuildExit = { status: 'released' } | { status: 'rebuild'; pending: string[] };

/**
 * One build per dataset at a time (the dataset's build lease), and bursts coalesced into at most one more build.
 * `token` identifies one holder (job and attempt); every write but the entry is fenced on it.
 */
export interface DatasetBuildStore {
  /** Takes the dataset's build lease when it is free, expired or already this job's; else queues `jobId`. */
  enterDatasetBuild(dataset: string, jobId: string, token: string, leaseUntil: string): Promise<DatasetBuildEntry>;
  /** Renews the lease; {@link JobLeaseLostError} when another holder has it. */
  renewDatasetBuild(dataset: string, token: string, leaseUntil: string): Promise<void>;
  /** Releases the lease when nothing is pending; else takes the pending jobs (the holder builds again). */
  exitDatasetBuild(dataset: string, token: string): Promise<DatasetBuildExit>;
  /** Clears the holder whatever its lease (the local stack on start: no build can be running), keeping pending jobs. */
  clearDatasetBuild(dataset: string): Promise<void>;
}

export const DATASET_PAGE_DEFAULT = 50;
export const DATASET_PAGE_MAX = 100;

/** One page of the dataset directory request: `limit` 1..100 (default 50); `nextToken` from the previous page. */
export interface DatasetPageRequest {
  limit?: number;
  nextToken?: string;
}

/** A page of the dataset directory, by dataset name; `nextToken` is present when more follow. */
export interface DatasetPage {
  datasets: { dataset: string; createdAt: string }[];
  nextToken?: string;
}

/**
 * Every dataset, without a Scan: the store records a dataset in its directory when its first job is claimed and on
 * every activation (a dataset from before the directory appears after its next build). Read by the API.
 */
export interface DatasetLister {
  /** A bad `limit` or a `nextToken` the store did not give out: a UserInputError naming it. */
  listDatasets(request?: DatasetPageRequest): Promise<DatasetPage>;
}

/** Thrown by the store when a dataset/version/job does not exist or a rollback target is not kept. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Thrown when a conditional write lost a race (e.g. two rollbacks at once). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** A fenced job write found the job no longer held by that claim (taken over by a retry, or settled by a sweep). */
export class JobLeaseLostError extends Error {
  override readonly name = 'JobLeaseLostError';
}
