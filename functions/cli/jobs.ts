/** Build jobs as the CLI sees them: waiting for the job of one upload, and printing a finished job. */
import type { JobRecord } from '../adapters/store-contract.js';
import { formatValidationTable } from '../engine/evaluate/index.js';
import { UserInputError } from '../engine/types.js';
import { ApiError, callApi } from './api-client.js';
import { isJobOfUpload } from './job-match.js';
import type { StackTarget } from './target.js';

const POLL_INTERVAL_MS = 300;

/** Polls the job list until the job of this object (matched by key and eTag) has finished. */
export async function waitForJob(
  target: StackTarget,
  dataset: string,
  key: string,
  eTag: string | undefined,
  timeoutMs: number,
): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  let lastPhase = '';
  while (Date.now() < deadline) {
    // Until the build has claimed its job the dataset may not exist yet (404); any other error is real.
    const { jobs } = await callApi<{ jobs: JobRecord[] }>(
      target,
      `/v1/datasets/${encodeURIComponent(dataset)}/jobs?limit=20`,
    ).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return { jobs: [] as JobRecord[] };
      throw error;
    });
    const job = jobs.find((j) => isJobOfUpload(j, key, eTag));
    if (job) {
      if (!['queued', 'running'].includes(job.status)) return job;
      const phase = job.progress
        ? `${job.progress.phase} ${job.progress.total ? `${Math.round((100 * job.progress.done) / job.progress.total)}%` : ''}`
        : job.status;
      if (phase !== lastPhase) process.stderr.write(`build: ${phase}\n`);
      lastPhase = phase;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new UserInputError(
    `the build of ${key} did not finish within ${timeoutMs / 1000} s`,
    key,
    'Check `affinity jobs --dataset ' + dataset + '`; large files take longer, raise --timeout.',
  );
}

/** One job, its error (what, where, fix), report summary, validation table and timings, for a terminal. */
export function printJob(job: JobRecord): void {
  const held = job.activated === false ? ', kept but NOT activated: the promotion gate held it back' : '';
  console.log(`Build ${job.jobId}: ${job.status}${job.version ? ` (version ${job.version}${held})` : ''}`);
  // Why a job that did not fail ended as it did (e.g. superseded by a newer upload of the same key).
  if (job.message) console.log(`  ${job.message}`);
  if (job.error)
    console.log(
      `  error: ${job.error.message}${job.error.where ? `\n  where: ${job.error.where}` : ''}${job.error.hint ? `\n  fix:   ${job.error.hint}` : ''}`,
    );
  const report = job.report as Record<string, unknown> | undefined;
  if (report) {
    console.log(
      `  ${report.ratings ?? '?'} ratings, ${report.users ?? '?'} users, ${report.items ?? '?'} items; rows read ${report.rowsRead ?? '?'}, accepted ${report.accepted ?? '?'}`,
    );
    const rejected = Object.entries((report.rejected as Record<string, { count: number; example?: string }>) ?? {});
    for (const [reason, r] of rejected)
      console.log(`  rejected ${reason}: ${r.count}${r.example ? ` — e.g. ${r.example}` : ''}`);
  }
  if (job.validation) console.log(indent(formatValidationTable(job.validation)));
  if (job.activated === false && job.version)
    console.log(`  To serve it anyway: affinity rollback --dataset ${job.dataset} --version ${job.version}`);
  if (job.timings)
    console.log(
      `  timings: ${Object.entries(job.timings)
        .map(([k, v]) => `${k} ${v}s`)
        .join(', ')}`,
    );
  if (job.reportKey) console.log(`  full report: s3://…/${job.reportKey}`);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** One line per job, for `affinity jobs`. */
export function jobLine(job: JobRecord): string {
  const held = job.activated === false ? '  (kept, not activated: promotion gate)' : '';
  return `${job.startedAt}  ${job.status.padEnd(10)} ${job.jobId}  ${job.version ?? ''}  ${job.source.key}${held}${job.error ? `  — ${job.error.message}` : ''}`;
}
