/**
 * One S3 event (an interaction file or the catalogue created or removed) -> a build of the dataset's current state,
 * with a job record per event kept current throughout. What one build does is in ./build-state.ts.
 *
 * Safety properties (each has a test):
 * - Idempotent: the job id is derived from (bucket, key, eTag, versionId, sequencer), and the job record is
 *   claimed with a conditional write, so a duplicate delivery builds nothing.
 * - Leased (./job-lease.ts): the claim holds the job for a lease the build renews while it runs; a retry that
 *   meets an expired lease (a build killed, timed out or out of memory) takes the job over, deletes the dead
 *   attempt's rows first, then builds; a build that lost its job stops and removes its own rows. Jobs of the
 *   dataset whose builds died are settled by the next build (failed, reason 'interrupted').
 * - One build per dataset, bursts coalesced (./dataset-lease.ts, ../adapters/dynamo/dataset-builds.ts): an event
 *   that finds a live build of its dataset queues its job and returns; the running build, when done, builds once
 *   more for everything queued meanwhile (as the newest queued job), and finishes the queued jobs with that
 *   build's version. A build whose listing equals the active version's files and config builds nothing. So a
 *   burst of files gives at most two builds, and the last lists every file.
 * - Exact, atomic, ordered, fault-tolerant: see ./build-state.ts.
 * - Never silent: an upload key that cannot be a dataset file is logged, counted and reported (./ignored-uploads.ts).
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import {
  JobLeaseLostError,
  type DatasetBuildEntry,
  type DatasetBuildStore,
  type JobError,
  type JobRecord,
  type JobStore,
  type LiveEventFolder,
  type ModelPublisher,
  type ModelSource,
} from '../adapters/store-contract.js';
import { decodeS3EventKey } from '../adapters/s3-event-keys.js';
import type { ErasureLedger } from '../adapters/erasure-contract.js';
import type { IngestLimits } from '../engine/ingest/index.js';
import type { AppLogger, AppMetrics } from '../observability.js';
import { describeError } from './build-report.js';
import { buildDatasetState } from './build-state.js';
import { DatasetLease, finishIncluded, queueJob, type IncludedOutcome } from './dataset-lease.js';
import { reportIgnoredUpload } from './ignored-uploads.js';
import { claimBuildJob, DEFAULT_LEASE, JobLease, settleAbandonedJobs, type LeaseSettings } from './job-lease.js';
import { parseUploadKey } from './upload-key.js';
import type { LiveFoldSettings } from './live-fold.js';

export interface BuildDeps {
  s3: S3Client;
  store: ModelPublisher & JobStore & DatasetBuildStore & LiveEventFolder & ErasureLedger;
  logger: AppLogger;
  /** Build metrics (e.g. IgnoredUploads); the handler passes the shared Powertools instance. */
  metrics?: AppMetrics;
  now?: () => Date;
  /** Worker threads for the similarity kernel (default: the engine's choice). */
  threads?: number;
  /** Job lease timing (defaults in ./job-lease.ts: a 60 s lease renewed every 15 s, progress every second). */
  lease?: Partial<LeaseSettings>;
  /** Waiting while another attempt holds the job (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** The deployment's ingest limits (the build function's environment); a dataset's config.json may only lower them. */
  limits?: IngestLimits;
  /** Live-event fold timing (defaults in ./live-fold.ts: LIVE_EVENT_SETTLE_MS, LIVE_EVENT_DEDUPE_WINDOW_MS). */
  live?: Partial<LiveFoldSettings>;
  /**
   * The deployment's id hashing key, loaded once per cold start; asked for only by pseudonymised datasets and by
   * datasets with erased users (matched by keyed hash).
   */
  idHashKey?: () => Promise<Uint8Array>;
  /** How far before its start a build's input counts as excluding erasures (default: ./build-erasures.ts). */
  erasureMarginMs?: number;
}

export type BuildOutcome =
  | { status: 'ignored'; key: string; reason: string; reportKey?: string }
  | { status: 'duplicate'; dataset: string; jobId: string }
  /** A build of the dataset was running: the job waits for the build that follows it. */
  | { status: 'queued'; dataset: string; jobId: string; holderJobId: string }
  /** The attempt lost its job to another (a retry took over its expired lease); it stopped and removed its rows. */
  | { status: 'taken-over'; dataset: string; jobId: string; version: string }
  | {
      status: 'succeeded' | 'superseded' | 'failed';
      dataset: string;
      jobId: string;
      version: string;
      error?: JobError;
      /** Succeeded without building: the dataset's files were those of the active version. */
      unchanged?: boolean;
    };

/** Stable id of one upload event: the same object version delivered twice gives the same job. */
export function jobIdOf(record: S3EventRecord): string {
  const { bucket, object } = record.s3;
  const identity = [bucket.name, object.key, object.eTag ?? '', object.versionId ?? '', object.sequencer ?? ''].join(
    '\n',
  );
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}

/** Orders uploads of one dataset: event time first, then S3's per-key sequencer (hex, compared padded). */
export function sourceOrderOf(record: S3EventRecord): string {
  return `${record.eventTime}#${(record.s3.object.sequencer ?? '').padStart(32, '0')}`;
}

/** Version ids sort by creation time and stay unique per job. */
export function versionIdOf(now: Date, jobId: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${jobId.slice(0, 8)}`;
}

export async function runBuild(record: S3EventRecord, deps: BuildDeps): Promise<BuildOutcome> {
  const now = deps.now ?? (() => new Date());
  const key = decodeS3EventKey(record.s3.object.key);
  const target = parseUploadKey(key);
  if (target.kind === 'ignored' && target.cause !== 'outside-uploads') {
    const reportKey = await reportIgnoredUpload(record, key, target, deps);
    return { status: 'ignored', key, reason: target.reason, ...(reportKey ? { reportKey } : {}) };
  }
  if (target.kind !== 'ratings' && target.kind !== 'catalogue') {
    const reason = target.kind === 'config' ? 'configuration file (applies to the next build)' : target.reason;
    deps.logger.info('object ignored', { key, reason });
    return { status: 'ignored', key, reason };
  }

  const { dataset } = target;
  const bucket = record.s3.bucket.name;
  const jobId = jobIdOf(record);
  const source: ModelSource = {
    bucket,
    key,
    eTag: record.s3.object.eTag,
    versionId: record.s3.object.versionId,
    sequencer: record.s3.object.sequencer,
    sourceOrder: sourceOrderOf(record),
  };
  const lease: LeaseSettings = { ...DEFAULT_LEASE, ...deps.lease };
  // The attempt's start (and so its version) is when its claim is made; a claim that waited made a later one.
  let started = now();
  const claim = await claimBuildJob(
    deps.store,
    (at) => {
      started = at;
      return {
        dataset,
        jobId,
        status: 'running',
        source,
        version: versionIdOf(at, jobId),
        progress: { phase: 'queued', done: 0, total: 0 },
        startedAt: at.toISOString(),
        updatedAt: at.toISOString(),
        leaseUntil: new Date(at.getTime() + lease.leaseMs).toISOString(),
      };
    },
    lease,
    now,
    deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  );
  if (claim.status === 'duplicate') {
    deps.logger.info('duplicate delivery ignored', { dataset, jobId, key, jobStatus: claim.current.status });
    return { status: 'duplicate', dataset, jobId };
  }
  const job = new JobLease(deps.store, dataset, jobId, claim.attempt, now, lease);
  const token = `${jobId}#${claim.attempt}`;
  let entry: DatasetBuildEntry;
  try {
    entry = await deps.store.enterDatasetBuild(dataset, jobId, token, job.leaseFromNow());
  } catch (error) {
    await job.stop();
    throw error; // the job stays running: a retry takes it over once its lease has passed
  }
  if (entry.status === 'queued') {
    await queueJob(job, deps.store, dataset, jobId, entry.holderJobId);
    deps.logger.info('a build of the dataset is running: upload queued for the next build', { dataset, jobId, key });
    return { status: 'queued', dataset, jobId, holderJobId: entry.holderJobId };
  }

  const datasetLease = new DatasetLease(deps.store, dataset, token, now, lease, deps.logger);
  const fence = () => datasetLease.confirm();
  try {
    await settleAbandonedJobs(deps.store, dataset, deps.logger, now, { except: jobId }).catch((error: unknown) =>
      deps.logger.warn('could not look for abandoned build jobs', { dataset, jobId, error: String(error) }),
    );
    const outcome = await buildDatasetState({
      deps,
      now,
      dataset,
      bucket,
      key,
      jobId,
      source,
      event: record,
      started,
      version: versionIdOf(started, jobId),
      previous: claim.previous,
      job,
      fence,
    });
    // Jobs queued behind a holder that died: included if this build read the state, else built next.
    let queued = entry.adopted;
    if (queued.length > 0 && (outcome.status === 'succeeded' || outcome.status === 'failed')) {
      await finishIncluded(deps.store, dataset, queued, included(outcome, jobId), deps.logger);
      queued = [];
    }
    for (;;) {
      if (queued.length > 0) await rebuildFor(queued, { deps, now, dataset, bucket, lease, fence });
      const exit = await deps.store.exitDatasetBuild(dataset, token);
      if (exit.status === 'released') break;
      queued = exit.pending;
    }
    return outcome;
  } catch (error) {
    if (!(error instanceof JobLeaseLostError)) throw error;
    deps.logger.warn('the dataset build lease was taken over; not building again', { dataset, jobId });
    return { status: 'taken-over', dataset, jobId, version: versionIdOf(started, jobId) };
  } finally {
    await datasetLease.stop();
  }
}

function included(outcome: BuildOutcome, runnerJobId: string): IncludedOutcome {
  const built = outcome as Extract<BuildOutcome, { status: 'succeeded' | 'superseded' | 'failed' }>;
  return { status: built.status, version: built.version, error: built.error, runnerJobId };
}

/**
 * The build once more, for the jobs queued while the last one ran: as the newest of them (its job record shows
 * the build), the others finished with its outcome. A failure is recorded on every one of them and not re-thrown:
 * the holder's own event has been built, so a retry of it would not build theirs; the next upload does.
 */
async function rebuildFor(
  queued: readonly string[],
  context: {
    deps: BuildDeps;
    now: () => Date;
    dataset: string;
    bucket: string;
    lease: LeaseSettings;
    fence: () => Promise<void>;
  },
): Promise<void> {
  const { deps, now, dataset, bucket, lease, fence } = context;
  const jobs = (await Promise.all(queued.map((id) => deps.store.getJob(dataset, id)))).filter(
    (job): job is JobRecord => job !== undefined,
  );
  const runner = jobs.sort((a, b) => compare(b.startedAt, a.startedAt) || compare(b.jobId, a.jobId))[0];
  if (!runner) return;
  const at = now();
  const version = versionIdOf(at, runner.jobId);
  const attempt = runner.attempt ?? 1;
  await deps.store.updateJob(dataset, runner.jobId, {
    status: 'running',
    version,
    attempt,
    message: `Building the dataset's current files for ${jobs.length} upload(s) queued during the previous build.`,
    progress: { phase: 'queued', done: 0, total: 0 },
    leaseUntil: new Date(at.getTime() + lease.leaseMs).toISOString(),
    updatedAt: at.toISOString(),
  });
  const job = new JobLease(deps.store, dataset, runner.jobId, attempt, now, lease);
  let outcome: BuildOutcome;
  try {
    outcome = await buildDatasetState({
      deps,
      now,
      dataset,
      bucket,
      key: runner.source.key,
      jobId: runner.jobId,
      source: runner.source,
      started: at,
      version,
      job,
      fence,
    });
  } catch (error) {
    deps.logger.error('the build for queued uploads failed', { dataset, jobId: runner.jobId, error: String(error) });
    outcome = { status: 'failed', dataset, jobId: runner.jobId, version, error: describeError(error) };
  }
  await finishIncluded(deps.store, dataset, queued, included(outcome, runner.jobId), deps.logger);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
