/**
 * One S3 upload -> one model version, with a job record kept current throughout.
 *
 * Safety properties (each has a test):
 * - Idempotent: the job id is derived from (bucket, key, eTag, versionId, sequencer), and the job record is
 *   claimed with a conditional write, so a duplicate delivery builds nothing.
 * - Leased (./job-lease.ts): the claim holds the job for a lease the build renews while it runs; a retry that
 *   meets an expired lease (a build killed, timed out or out of memory) takes the job over, deletes the dead
 *   attempt's rows first, then builds; a build that lost its job stops and removes its own rows. Jobs of the
 *   dataset whose builds died are settled by the next build (failed, reason 'interrupted').
 * - Exact: the upload is read as the object version the event named (./read-upload.ts); a newer upload of the
 *   same key supersedes this job, which builds nothing.
 * - Atomic: rows are written under a new version; the manifest flips in one conditional write after a flush.
 * - Ordered: the manifest only moves to a later upload (`sourceOrder`); an older one is marked superseded.
 * - Fault-tolerant: any failure leaves the previous version serving; the half-written version is deleted.
 *   User mistakes (bad file, bad config) fail the job with a clear message and are not retried; infrastructure
 *   failures are re-thrown so Lambda retries the event (a failed job may be claimed again). A retry of an
 *   attempt that failed after its version went live only completes the job record; clean-up of retired
 *   versions is best effort, so it never fails a build that is already serving.
 * - Never silent: an upload key that cannot be a dataset file is logged, counted and reported (./ignored-uploads.ts).
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import {
  JobLeaseLostError,
  type JobError,
  type JobRecord,
  type JobStore,
  type ModelPublisher,
  type ModelSource,
  type VersionInfo,
  type VersionWriter,
} from '../adapters/store-contract.js';
import { decodeS3EventKey } from '../adapters/s3-event-keys.js';
import { readTextObject, writeJsonObject } from '../adapters/s3-objects.js';
import { DataQualityError, type IngestLimits } from '../engine/ingest/index.js';
import { buildModel, parseModelConfig, similarityOptionsOf, type ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import type { AppLogger, AppMetrics } from '../observability.js';
import { reportIgnoredUpload } from './ignored-uploads.js';
import { capCounters, describeError, saveFailureReport, summarise } from './build-report.js';
import { claimBuildJob, DEFAULT_LEASE, JobLease, settleAbandonedJobs, type LeaseSettings } from './job-lease.js';
import { publishModel } from './publish-model.js';
import { catalogueReportFor, publishCatalogue, readCatalogue, summariseCatalogue } from './catalogue.js';
import { openUpload, UploadSupersededError } from './read-upload.js';
import { configKey, reportKey } from '../adapters/bucket-layout.js';
import { parseUploadKey } from './upload-key.js';

export interface BuildDeps {
  s3: S3Client;
  store: ModelPublisher & JobStore;
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
}

export type BuildOutcome =
  | { status: 'ignored'; key: string; reason: string; reportKey?: string }
  | { status: 'duplicate'; dataset: string; jobId: string }
  /** The attempt lost its job to another (a retry took over its expired lease); it stopped and removed its rows. */
  | { status: 'taken-over'; dataset: string; jobId: string; version: string }
  | {
      status: 'succeeded' | 'superseded' | 'failed';
      dataset: string;
      jobId: string;
      version: string;
      error?: JobError;
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
  if (target.kind !== 'ratings') {
    const reason = target.kind === 'config' ? 'configuration file (applies to the next upload)' : target.reason;
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
  return buildClaimedJob({
    record,
    deps,
    now,
    dataset,
    bucket,
    key,
    jobId,
    source,
    started,
    version: versionIdOf(started, jobId),
    previous: claim.previous,
    job,
  });
}

/** One claimed attempt at building an upload. */
interface Attempt {
  record: S3EventRecord;
  deps: BuildDeps;
  now: () => Date;
  dataset: string;
  bucket: string;
  key: string;
  jobId: string;
  source: ModelSource;
  started: Date;
  version: string;
  /** The job record this claim replaced: a failed or interrupted attempt of the same upload. */
  previous?: JobRecord;
  job: JobLease;
}

async function buildClaimedJob(attempt: Attempt): Promise<BuildOutcome> {
  const { record, deps, now, dataset, bucket, key, jobId, source, started, version, job } = attempt;
  const log = { dataset, jobId, version, key, attempt: job.holder.attempt };
  let config: ModelConfig | undefined;
  let writer: VersionWriter | undefined;
  let activated = false;
  try {
    // A retry of an attempt that failed after activating its version (e.g. the final job write): that version
    // is serving, so only the job record is left to finish. Rebuilding would be superseded by it.
    const manifestBefore = await deps.store.getManifest(dataset);
    const earlier = manifestBefore?.versions.find((v) => v.jobId === jobId);
    if (earlier) {
      await job.finish({ status: 'succeeded', version: earlier.version, reportKey: earlier.reportKey });
      deps.logger.info('retried build was already activated', { ...log, version: earlier.version });
      return { status: 'succeeded', dataset, jobId, version: earlier.version };
    }
    // Taking over from an attempt that died (or failed) part-way: its rows go before any of ours are written.
    const deadVersion = attempt.previous?.version;
    if (deadVersion && deadVersion !== version) {
      const { rowsDeleted } = await deps.store.deleteVersion(dataset, deadVersion);
      if (attempt.previous?.status === 'running' || rowsDeleted > 0)
        deps.logger.warn('took over the job of a build that stopped', { ...log, deadVersion, rowsDeleted });
    }
    await settleAbandonedJobs(deps.store, dataset, deps.logger, now, { except: jobId }).catch((error: unknown) =>
      deps.logger.warn('could not look for abandoned build jobs', { ...log, error: String(error) }),
    );

    config = await loadConfig(deps.s3, bucket, dataset);
    const catalogue = await readCatalogue(deps.s3, bucket, dataset, config, deps.limits);
    job.report('download', 0, record.s3.object.size ?? 0);
    const object = await openUpload(deps.s3, record, key);
    const built = await buildModel(object.body, {
      config,
      // The whole key, so that a problem in the file is reported where the uploader put it.
      fileName: key,
      threads: deps.threads,
      totalBytes: object.size,
      deploymentLimits: deps.limits,
      onProgress: (phase, done, total) => job.report(phase, done, total),
    });
    job.assertHeld();
    const { model, report, timings } = built;
    const catalogueReport = catalogue && catalogueReportFor(catalogue, model.matrix.items);

    const reportObjectKey = reportKey(dataset, version);
    await writeJsonObject(deps.s3, bucket, reportObjectKey, {
      dataset,
      version,
      jobId,
      source: { bucket, key },
      config,
      timings,
      report,
      ...(catalogueReport && { catalogue: catalogueReport }),
    });

    const writeStart = performance.now();
    writer = deps.store.createVersionWriter(dataset, version);
    const rows = await publishModel(model, writer, {
      models: config.models,
      onProgress: (done, total) => {
        job.assertHeld(); // a build that lost its job stops writing rows
        job.report('write', done, total);
      },
    });
    if (catalogue) await publishCatalogue(catalogue, writer);
    const flushed = await writer.flush();
    timings.write = Math.round(performance.now() - writeStart) / 1000;

    const info: VersionInfo = {
      version,
      createdAt: started.toISOString(),
      jobId,
      source,
      reportKey: reportObjectKey,
      stats: {
        users: model.matrix.users.size,
        items: model.matrix.items.size,
        ratings: report.ratings,
        itemRows: rows.itemRows,
        userRows: rows.userRows,
      },
      options: {
        similarity: similarityOptionsOf(config),
        models: config.models,
        versionsKept: config.versionsKept,
      },
      ...(catalogue && { catalogue: catalogue.source }),
    };
    // Renewed right before activating: no take-over (which needs an expired lease) can be deleting these rows.
    await job.confirm();
    const activation = await deps.store.activateVersion(dataset, info, config.versionsKept);
    activated = activation === 'activated';
    if (activation === 'superseded') {
      await deps.store.deleteVersion(dataset, version);
      await job.finish({
        status: 'superseded',
        message: 'A model from a later upload of this dataset was already active; this version was not activated.',
        timings,
        report: summarise(report),
        reportKey: reportObjectKey,
      });
      deps.logger.warn('upload superseded by a newer model; not activated', log);
      return { status: 'superseded', dataset, jobId, version };
    }
    // Housekeeping: the new version serves already, so a failed prune must not fail (and retry) the build;
    // the next build's prune finds the rows through their registry entries. The version this build retired is
    // spared until the next build (even with versionsKept 1): a request that read the old manifest a moment ago
    // may still be reading its rows.
    const retired = manifestBefore?.activeVersion;
    const pruned = await deps.store
      .pruneVersions(dataset, retired ? [version, retired] : [version])
      .catch((error: unknown) => {
        deps.logger.warn('could not delete the rows of retired versions', { ...log, error: String(error) });
        return { rowsDeleted: 0 };
      });
    timings.total = Math.round(now().getTime() - started.getTime()) / 1000;
    await job.finish({
      status: 'succeeded',
      timings,
      reportKey: reportObjectKey,
      report: {
        ...summarise(report),
        rowsWritten: flushed.rowsWritten,
        ...capCounters(flushed),
        oldRowsDeleted: pruned.rowsDeleted,
        ...(catalogueReport && { catalogue: summariseCatalogue(catalogueReport) }),
      },
    });
    deps.logger.info('model version activated', { ...log, timings, ratings: report.ratings });
    return { status: 'succeeded', dataset, jobId, version };
  } catch (error) {
    await job.stop();
    if (writer && !activated) {
      // Writes still in flight would land after the deletion and outlive it, unreachable: let them settle first.
      await writer.flush().catch(() => undefined);
      await deps.store.deleteVersion(dataset, version).catch((cleanup: unknown) => {
        // Rows of a never-activated version are harmless (nothing points to them); the next prune or TTL removes them.
        deps.logger.warn('could not delete the failed version rows', { ...log, cleanup: String(cleanup) });
      });
    }
    if (error instanceof UploadSupersededError) {
      // Nothing was written yet: the read comes before the first row.
      await job.finish({ status: 'superseded', message: error.message });
      deps.logger.warn('upload superseded before it was read; nothing built', { ...log, reason: error.message });
      return { status: 'superseded', dataset, jobId, version };
    }
    if (error instanceof JobLeaseLostError) {
      // Another attempt holds the job now (or a sweep settled it): its record is not ours to write.
      deps.logger.warn('build stopped: its job was taken over', { ...log, error: error.message, activated });
      return { status: 'taken-over', dataset, jobId, version };
    }
    const jobError = describeError(error);
    deps.logger.error('build failed', {
      ...log,
      error: jobError,
      ...(error instanceof UserInputError ? {} : { stack: (error as Error)?.stack }),
    });
    // Above the rejection threshold the parse's data-quality report is what the uploader needs: S3 and the job get it.
    const quality = error instanceof DataQualityError ? error.report : undefined;
    const failedReport =
      error instanceof UserInputError
        ? await saveFailureReport(deps, {
            bucket,
            dataset,
            version,
            jobId,
            key,
            config,
            error: jobError,
            report: quality,
          })
        : undefined;
    const failure = { status: 'failed' as const, error: jobError, reportKey: failedReport };
    await job.finish(quality ? { ...failure, report: summarise(quality) } : failure).catch((finishError: unknown) => {
      if (!(finishError instanceof JobLeaseLostError)) throw finishError;
      deps.logger.warn('job taken over before its failure was recorded', { ...log, error: finishError.message });
    });
    if (!(error instanceof UserInputError)) throw error;
    return { status: 'failed', dataset, jobId, version, error: jobError };
  }
}

async function loadConfig(s3: S3Client, bucket: string, dataset: string): Promise<ModelConfig> {
  const key = configKey(dataset);
  const text = await readTextObject(s3, bucket, key);
  if (text === undefined) return parseModelConfig({});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(
      `${key} is not valid JSON: ${(error as Error).message}`,
      key,
      'Upload a JSON object such as {"measure":"cosine","k":50}.',
    );
  }
  return parseModelConfig(json, key);
}
