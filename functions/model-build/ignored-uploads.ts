/**
 * An object created under uploads/ whose key cannot be a dataset file builds nothing, and says so where its
 * uploader will look. Safety properties (tested in test/pipeline/ignored-uploads.test.ts):
 * - Never silent: a WARN log line names the key, the reason and the fix; the `IgnoredUploads` metric counts it.
 * - Findable in the bucket: a user mistake (file directly under uploads/, empty or over-long dataset name) gets a
 *   report at reports/ignored-uploads/<key>.json. Folder markers hold no data and get no report.
 * - Harmless: the report is best effort (a failed write is logged, never retried), and no job is recorded, since
 *   jobs live under a dataset and these keys name none.
 */
import type { S3EventRecord } from 'aws-lambda';
import { ignoredUploadReportKey } from '../adapters/bucket-layout.js';
import { writeJsonObject } from '../adapters/s3-objects.js';
import type { BuildDeps } from './run-build.js';
import type { UploadKey } from './upload-key.js';

type Ignored = Extract<UploadKey, { kind: 'ignored' }>;

/** Logs, counts and (for user mistakes) reports an upload whose key cannot be a dataset file. */
export async function reportIgnoredUpload(
  record: S3EventRecord,
  key: string,
  ignored: Ignored,
  deps: Pick<BuildDeps, 's3' | 'logger' | 'metrics'>,
): Promise<string | undefined> {
  const bucket = record.s3.bucket.name;
  // The unit by name: importing observability's values here would create the shared logger at import time.
  deps.metrics?.addMetric('IgnoredUploads', 'Count', 1);
  let reportKey: string | undefined;
  if (ignored.cause === 'not-a-dataset-file') {
    const candidate = ignoredUploadReportKey(key);
    try {
      await writeJsonObject(deps.s3, bucket, candidate, {
        status: 'ignored',
        bucket,
        key,
        eTag: record.s3.object.eTag,
        size: record.s3.object.size,
        eventTime: record.eventTime,
        reason: ignored.reason,
        fix: ignored.fix,
      });
      reportKey = candidate;
    } catch (error) {
      deps.logger.warn('could not write the report on an ignored upload', { key, error: String(error) });
    }
  }
  deps.logger.warn('upload ignored: its key cannot be a dataset file', {
    bucket,
    key,
    reason: ignored.reason,
    fix: ignored.fix,
    ...(reportKey ? { reportKey } : {}),
  });
  return reportKey;
}
