/** What a build records about its outcome: the job's error and report summary, and the failure report in S3. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { JobError } from '../adapters/store-contract.js';
import { reportKey } from '../adapters/bucket-layout.js';
import { writeJsonObject } from '../adapters/s3-objects.js';
import { PRIVACY_REPORT, type LogReport, type QualityReport, type SourceReport } from '../engine/ingest/index.js';
import type { ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import type { AppLogger } from '../observability.js';

export function describeError(error: unknown): JobError {
  if (error instanceof UserInputError)
    return { message: error.message, where: error.where, hint: error.hint, reason: 'user-input' };
  // Infrastructure errors: name and message only; the stack goes to the log.
  const e = error as { name?: string; message?: string };
  return {
    message: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`,
    hint: 'The build will be retried automatically; check the function logs if it keeps failing.',
    reason: 'infrastructure',
  };
}

/** For a user mistake the report is all the uploader gets: write it to S3 next to successful builds' reports. */
export async function saveFailureReport(
  deps: { s3: S3Client; logger: AppLogger },
  failed: {
    bucket: string;
    dataset: string;
    version: string;
    jobId: string;
    key: string;
    config?: ModelConfig;
    error: JobError;
    /** The parse's data-quality report, when the data itself failed the build (rejection threshold). */
    report?: LogReport;
  },
): Promise<string | undefined> {
  const { bucket, dataset, version, jobId, key, config, error, report } = failed;
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
      // A pseudonymised dataset's parse withheld input text from the error and the report: say so.
      ...(config?.pseudonymizeUsers ? { privacy: PRIVACY_REPORT } : {}),
      ...(report ? { report } : {}),
    });
    return objectKey;
  } catch (cause) {
    deps.logger.warn('could not write the failure report', { dataset, jobId, cause: String(cause) });
    return undefined;
  }
}

/** Source files listed in a job's report (the job record is one DynamoDB item); the S3 report lists every one. */
export const MAX_FILES_IN_JOB_REPORT = 100;

/**
 * The part of the data-quality report kept in the job record (the full one is in S3), with what the console charts:
 * the rating histogram, event types, the popularity curve, user activity and each source file's counts. None of it
 * names a user.
 */
export function summarise(
  report: (QualityReport | LogReport) & { sources?: readonly SourceReport[] },
): Record<string, unknown> {
  // A failed parse has only the log's part of the report (no matrix counts).
  const matrix: Partial<QualityReport> = report;
  const sources = report.sources ?? [];
  return {
    format: report.format,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    rejected: Object.fromEntries(
      Object.entries(report.rejected).map(([reason, r]) => [reason, { count: r?.count, example: r?.example }]),
    ),
    duplicatesDropped: matrix.duplicatesDropped,
    ...(report.erased ? { erased: report.erased } : {}),
    ratings: matrix.ratings,
    users: matrix.users,
    items: matrix.items,
    density: matrix.density,
    ...(matrix.ratingHistogram ? { ratingHistogram: matrix.ratingHistogram } : {}),
    ...(report.eventTypes ? { eventTypes: report.eventTypes } : {}),
    ...(matrix.popularityCurve ? { popularityCurve: matrix.popularityCurve } : {}),
    ...(matrix.userActivity ? { userActivity: matrix.userActivity } : {}),
    ...(report.sources
      ? {
          files: sources
            .slice(0, MAX_FILES_IN_JOB_REPORT)
            .map(({ file, rowsRead, accepted, rejected }) => ({ file, rowsRead, accepted, rejected })),
          ...(sources.length > MAX_FILES_IN_JOB_REPORT
            ? { filesOmitted: sources.length - MAX_FILES_IN_JOB_REPORT }
            : {}),
        }
      : {}),
    warnings: report.warnings,
  };
}

/** The writer's counters of capped or trimmed rows (everything in its flush result but rowsWritten). */
export function capCounters(flushed: object): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(flushed))
    if (typeof value === 'number' && name !== 'rowsWritten') counters[name] = value;
  return counters;
}
