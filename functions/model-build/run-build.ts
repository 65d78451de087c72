/**
 * One S3 upload -> one model version, with a job record kept current throughout.
 *
 * Safety properties (each has a test):
 * - Idempotent: the job id is derived from (bucket, key, eTag, versionId, sequencer), and the job record is
 *   claimed with a conditional write, so a duplicate delivery builds nothing.
 * - Atomic: rows are written under a new version; the manifest flips in one conditional write after a flush.
 * - Ordered: the manifest only moves to a later upload (`sourceOrder`); an older one is marked superseded.
 * - Fault-tolerant: any failure leaves the previous version serving; the half-written version is deleted.
 *   User mistakes (bad file, bad config) fail the job with a clear message and are not retried; infrastructure
 *   failures are re-thrown so Lambda retries the event (a failed job may be claimed again). A retry of an
 *   attempt that failed after its version went live only completes the job record; clean-up of retired
 *   versions is best effort, so it never fails a build that is already serving.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import type {
  JobError,
  JobRecord,
  JobStore,
  ModelPublisher,
  ModelSource,
  VersionInfo,
  VersionWriter,
} from '../adapters/store-contract.js';
import { decodeS3EventKey } from '../adapters/s3-event-keys.js';
import { openObject, readTextObject, writeJsonObject } from '../adapters/s3-objects.js';
import { DataQualityError, type IngestLimits, type LogReport, type QualityReport } from '../engine/ingest/index.js';
import { buildModel, parseModelConfig, similarityOptionsOf, type ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import type { AppLogger } from '../observability.js';
import { publishModel } from './publish-model.js';
import { configKey, reportKey } from '../adapters/bucket-layout.js';
import { parseUploadKey } from './upload-key.js';

export interface BuildDeps {
  s3: S3Client;
  store: ModelPublisher & JobStore;
  logger: AppLogger;
  now?: () => Date;
  /** Worker threads for the similarity kernel (default: the engine's choice). */
  threads?: number;
  /** Minimum milliseconds between progress writes to the job record. */
  progressIntervalMs?: number;
  /** The deployment's ingest limits (the build function's environment); a dataset's config.json may only lower them. */
  limits?: IngestLimits;
}

export type BuildOutcome =
  | { status: 'ignored'; key: string; reason: string }
  | { status: 'duplicate'; dataset: string; jobId: string }
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
  if (target.kind === 'ignored') return { status: 'ignored', key, reason: target.reason };
  if (target.kind === 'config')
    return { status: 'ignored', key, reason: 'configuration file (applies to the next upload)' };

  const { dataset } = target;
  const bucket = record.s3.bucket.name;
  const jobId = jobIdOf(record);
  const started = now();
  const version = versionIdOf(started, jobId);
  const source: ModelSource = {
    bucket,
    key,
    eTag: record.s3.object.eTag,
    versionId: record.s3.object.versionId,
    sequencer: record.s3.object.sequencer,
    sourceOrder: sourceOrderOf(record),
  };
  const claim = await deps.store.claimJob({
    dataset,
    jobId,
    status: 'running',
    source,
    version,
    progress: { phase: 'queued', done: 0, total: 0 },
    startedAt: started.toISOString(),
    updatedAt: started.toISOString(),
  });
  if (claim === 'duplicate') {
    deps.logger.info('duplicate delivery ignored', { dataset, jobId, key });
    return { status: 'duplicate', dataset, jobId };
  }

  const progress = new ProgressReporter(deps.store, dataset, jobId, now, deps.progressIntervalMs ?? 1000);
  const log = { dataset, jobId, version, key };
  let config: ModelConfig | undefined;
  let writer: VersionWriter | undefined;
  let activated = false;
  try {
    // A retry of an attempt that failed after activating its version (e.g. the final job write): that version
    // is serving, so only the job record is left to finish. Rebuilding would be superseded by it.
    const manifestBefore = await deps.store.getManifest(dataset);
    const earlier = manifestBefore?.versions.find((v) => v.jobId === jobId);
    if (earlier) {
      await finishJob(deps, dataset, jobId, now, {
        status: 'succeeded',
        version: earlier.version,
        reportKey: earlier.reportKey,
      });
      deps.logger.info('retried build was already activated', { ...log, version: earlier.version });
      return { status: 'succeeded', dataset, jobId, version: earlier.version };
    }
    config = await loadConfig(deps.s3, bucket, dataset);
    progress.report('download', 0, record.s3.object.size ?? 0);
    const object = await openObject(deps.s3, bucket, key, record.s3.object.versionId);
    const built = await buildModel(object.body, {
      config,
      // The whole key, so that a problem in the file is reported where the uploader put it.
      fileName: key,
      threads: deps.threads,
      totalBytes: object.size,
      deploymentLimits: deps.limits,
      onProgress: (phase, done, total) => progress.report(phase, done, total),
    });
    const { model, report, timings } = built;

    const reportObjectKey = reportKey(dataset, version);
    await writeJsonObject(deps.s3, bucket, reportObjectKey, {
      dataset,
      version,
      jobId,
      source: { bucket, key },
      config,
      timings,
      report,
    });

    const writeStart = performance.now();
    writer = deps.store.createVersionWriter(dataset, version);
    const rows = await publishModel(model, writer, {
      models: config.models,
      onProgress: (done, total) => progress.report('write', done, total),
    });
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
    };
    const activation = await deps.store.activateVersion(dataset, info, config.versionsKept);
    activated = activation === 'activated';
    await progress.settle();
    if (activation === 'superseded') {
      await deps.store.deleteVersion(dataset, version);
      await finishJob(deps, dataset, jobId, now, {
        status: 'superseded',
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
    await finishJob(deps, dataset, jobId, now, {
      status: 'succeeded',
      timings,
      reportKey: reportObjectKey,
      report: {
        ...summarise(report),
        rowsWritten: flushed.rowsWritten,
        ...capCounters(flushed),
        oldRowsDeleted: pruned.rowsDeleted,
      },
    });
    deps.logger.info('model version activated', { ...log, timings, ratings: report.ratings });
    return { status: 'succeeded', dataset, jobId, version };
  } catch (error) {
    await progress.settle();
    const jobError = describeError(error);
    deps.logger.error('build failed', {
      ...log,
      error: jobError,
      ...(error instanceof UserInputError ? {} : { stack: (error as Error)?.stack }),
    });
    if (writer && !activated) {
      // Writes still in flight would land after the deletion and outlive it, unreachable: let them settle first.
      await writer.flush().catch(() => undefined);
      await deps.store.deleteVersion(dataset, version).catch((cleanup: unknown) => {
        // Rows of a never-activated version are harmless (nothing points to them); the next prune or TTL removes them.
        deps.logger.warn('could not delete the failed version rows', { ...log, cleanup: String(cleanup) });
      });
    }
    // Above the rejection threshold the parse's data-quality report is what the uploader needs: S3 and the job get it.
    const quality = error instanceof DataQualityError ? error.report : undefined;
    const failedReport =
      error instanceof UserInputError
        ? await saveFailureReport(deps, bucket, dataset, version, jobId, key, config, jobError, quality)
        : undefined;
    await finishJob(deps, dataset, jobId, now, {
      status: 'failed',
      error: jobError,
      reportKey: failedReport,
      ...(quality ? { report: summarise(quality) } : {}),
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

async function finishJob(
  deps: BuildDeps,
  dataset: string,
  jobId: string,
  now: () => Date,
  patch: Partial<JobRecord>,
): Promise<void> {
  const at = now().toISOString();
  await deps.store.updateJob(dataset, jobId, {
    ...patch,
    progress: { phase: 'done', done: 1, total: 1 },
    updatedAt: at,
    finishedAt: at,
  });
}

/** For a user mistake the report is all the uploader gets: write it to S3 next to successful builds' reports. */
async function saveFailureReport(
  deps: BuildDeps,
  bucket: string,
  dataset: string,
  version: string,
  jobId: string,
  key: string,
  config: ModelConfig | undefined,
  error: JobError,
  report?: LogReport,
): Promise<string | undefined> {
  const objectKey = reportKey(dataset, version);
  try {
    await writeJsonObject(deps.s3, bucket, objectKey, {
      dataset,
      version,
      jobId,
      source: { bucket, key },
      config,
      status: 'failed',
      error,
      ...(report ? { report } : {}),
    });
    return objectKey;
  } catch (cause) {
    deps.logger.warn('could not write the failure report', { dataset, jobId, cause: String(cause) });
    return undefined;
  }
}

function describeError(error: unknown): JobError {
  if (error instanceof UserInputError) return { message: error.message, where: error.where, hint: error.hint };
  // Infrastructure errors: name and message only; the stack goes to the log.
  const e = error as { name?: string; message?: string };
  return {
    message: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`,
    hint: 'The build will be retried automatically; check the function logs if it keeps failing.',
  };
}

/** The part of the data-quality report kept in the job record (the full one is in S3); a failed parse has only its part. */
function summarise(report: QualityReport | LogReport): Record<string, unknown> {
  const matrix: Partial<QualityReport> = report;
  return {
    format: report.format,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    rejected: Object.fromEntries(
      Object.entries(report.rejected).map(([reason, r]) => [reason, { count: r?.count, example: r?.example }]),
    ),
    duplicatesDropped: matrix.duplicatesDropped,
    ratings: matrix.ratings,
    users: matrix.users,
    items: matrix.items,
    density: matrix.density,
    warnings: report.warnings,
  };
}

function capCounters(flushed: object): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(flushed))
    if (typeof value === 'number' && name !== 'rowsWritten') counters[name] = value;
  return counters;
}

/** Writes progress to the job record at most once per interval, one write in flight, latest value wins. */
class ProgressReporter {
  private last = 0;
  private pending: { phase: string; done: number; total: number } | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly dataset: string,
    private readonly jobId: string,
    private readonly now: () => Date,
    private readonly intervalMs: number,
  ) {}

  report(phase: string, done: number, total: number): void {
    this.pending = { phase, done, total };
    const t = Date.now();
    if (this.inFlight || t - this.last < this.intervalMs) return;
    this.last = t;
    this.inFlight = this.write().finally(() => (this.inFlight = undefined));
  }

  /** Waits for the write in flight (progress is best effort: a failed progress write never fails the build). */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  private async write(): Promise<void> {
    const progress = this.pending;
    if (!progress) return;
    try {
      await this.store.updateJob(this.dataset, this.jobId, { progress, updatedAt: this.now().toISOString() });
    } catch {
      // Best effort: the final status write reports the outcome.
    }
  }
}
