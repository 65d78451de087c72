/**
 * On start, the local stack finds the uploads whose builds its in-memory event queue lost when the last run ended
 * (killed, crashed, or stopped with events queued or waiting to retry), and builds them.
 *
 * Safety properties (test/local/upload-recovery.test.ts, test/cli/kill-recovery.test.ts):
 * - Nothing left running: no build can be running before the stack has started, so every job still 'running' or
 *   'queued' is settled at once, lease or not: failed (reason 'interrupted') with its rows deleted, or succeeded if
 *   its version had gone live (model-build/job-lease.ts, settleAbandonedJobs); each dataset's build lease is freed.
 * - No lost upload: every object under uploads/<dataset>/ that no finished job built (same key and ETag; a failure
 *   of the file itself counts as finished, an interrupted or infrastructure failure does not) is delivered again,
 *   oldest first, so the usual ordering makes the newest upload win.
 * - The same job, not a new one: an upload whose job was interrupted is delivered with the event its job recorded
 *   (bucket, key, ETag, version id, sequencer, event time), so that job is claimed again as its next attempt; an
 *   upload with no job at all gets an event dated by the object's LastModified.
 *
 * Why a scan and not a journal of events: the bucket and the job records already say which uploads were built, so
 * a scan needs no new state, also covers the moment between an object being stored and its event being queued,
 * and cannot drift from what is stored. Its cost, one listing of uploads/ and the job records of each dataset,
 * is paid once per start.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { UPLOADS_PREFIX } from '../adapters/bucket-layout.js';
import { decodeS3EventKey } from '../adapters/s3-event-keys.js';
import type { DatasetBuildStore, JobRecord, JobStore, ModelPublisher } from '../adapters/store-contract.js';
import { settleAbandonedJobs } from '../model-build/job-lease.js';
import { jobIdOf, sourceOrderOf } from '../model-build/run-build.js';
import { parseUploadKey } from '../model-build/upload-key.js';
import type { AppLogger } from '../observability.js';
import { s3EventRecord } from './s3-event-bridge.js';

export interface RecoveryDeps {
  s3: S3Client;
  store: JobStore & ModelPublisher & DatasetBuildStore;
  bucket: string;
  region: string;
  /** Where the recovered events go (the bridge's queue). */
  deliver: (record: S3EventRecord) => void;
  log: (line: string) => void;
  now?: () => Date;
}

interface StoredUpload {
  key: string;
  eTag: string;
  size: number;
  lastModified: Date;
}

export async function recoverUnbuiltUploads(
  deps: RecoveryDeps,
): Promise<{ settled: JobRecord[]; redelivered: string[] }> {
  const now = deps.now ?? (() => new Date());
  const logger = lineLogger(deps.log);
  const byDataset = new Map<string, StoredUpload[]>();
  for (const upload of await listUploads(deps.s3, deps.bucket)) {
    const target = parseUploadKey(upload.key);
    if (target.kind !== 'ratings' && target.kind !== 'catalogue') continue;
    byDataset.set(target.dataset, [...(byDataset.get(target.dataset) ?? []), upload]);
  }

  const settled: JobRecord[] = [];
  const records: S3EventRecord[] = [];
  for (const [dataset, uploads] of byDataset) {
    settled.push(...(await settleAbandonedJobs(deps.store, dataset, logger, now, { includeLive: true })));
    // No build runs before the stack has started: a build lease left by the last run is free (its queued jobs stay).
    await deps.store.clearDatasetBuild(dataset);
    const jobs = await deps.store.listJobs(dataset, 100_000);
    const manifest = await deps.store.getManifest(dataset);
    for (const upload of uploads) {
      const ofUpload = jobs.filter((job) => job.source.key === upload.key && bare(job.source.eTag) === upload.eTag);
      const built =
        ofUpload.some(finished) ||
        manifest?.versions.some((v) => v.source.key === upload.key && bare(v.source.eTag) === upload.eTag);
      if (!built) records.push(recordFor(upload, ofUpload, deps));
    }
  }
  // Oldest first, as S3 would have delivered them: the newest upload of a dataset then wins.
  records.sort((a, b) => compare(sourceOrderOf(a), sourceOrderOf(b)));
  for (const record of records) deps.deliver(record);
  const redelivered = records.map((record) => decodeS3EventKey(record.s3.object.key));
  if (settled.length > 0)
    deps.log(`recovery: ${settled.length} build job(s) left running by the last run were settled (interrupted)`);
  if (redelivered.length > 0)
    deps.log(
      `recovery: building ${redelivered.length} upload(s) the last run did not build: ${redelivered.join(', ')}`,
    );
  return { settled, redelivered };
}

/** A job that built its upload, or found it could not: it needs no new build. */
function finished(job: JobRecord): boolean {
  if (job.status === 'succeeded' || job.status === 'superseded') return true;
  return job.status === 'failed' && job.error?.reason !== 'interrupted' && job.error?.reason !== 'infrastructure';
}

/** The event the upload's latest job was built from (so that job is retried), else one dated by the object. */
function recordFor(upload: StoredUpload, jobs: JobRecord[], deps: RecoveryDeps): S3EventRecord {
  const latest = jobs.sort((a, b) => compare(b.startedAt, a.startedAt))[0];
  if (latest?.source.sequencer !== undefined) {
    const { source } = latest;
    const record = s3EventRecord({
      bucket: source.bucket,
      key: source.key,
      eTag: source.eTag ?? '',
      versionId: source.versionId,
      size: upload.size,
      sequencer: source.sequencer!,
      eventTime: source.sourceOrder.split('#')[0],
      region: deps.region,
    });
    if (jobIdOf(record) === latest.jobId) return record;
  }
  return s3EventRecord({
    bucket: deps.bucket,
    key: upload.key,
    eTag: upload.eTag,
    size: upload.size,
    // As the bridge makes them (microseconds, fixed-width hex), from the object's time: the same on every start.
    sequencer: (BigInt(upload.lastModified.getTime()) * 1000n).toString(16).toUpperCase().padStart(18, '0'),
    eventTime: upload.lastModified.toISOString(),
    region: deps.region,
  });
}

async function listUploads(s3: S3Client, bucket: string): Promise<StoredUpload[]> {
  const uploads: StoredUpload[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: UPLOADS_PREFIX, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      uploads.push({
        key: object.Key,
        eTag: bare(object.ETag),
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return uploads;
}

function bare(eTag: string | undefined): string {
  return (eTag ?? '').replace(/^"|"$/g, '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The settling's log lines, through the stack's line log. */
function lineLogger(log: (line: string) => void): AppLogger {
  const line =
    (level: string) =>
    (message: string, ...extra: unknown[]) =>
      log(`recovery ${level}: ${message}${extra.length ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}`);
  return { debug: () => {}, info: line('info'), warn: line('warn'), error: line('error') };
}
