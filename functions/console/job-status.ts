/**
 * A build job (GET …/jobs) in words for the jobs table and the upload page: phase and progress, elapsed time,
 * its error with where and how to fix. Pure; tested in test/console/job-status.test.ts.
 *
 * Safety property: a job's progress fraction is never above 1 or below 0, and a total of 0 shows no fraction
 * (not "0 of 0 = 100%").
 */

/** The fields of a job record the console reads (functions/api/model-schemas.ts JobSchema). */
export interface JobView {
  jobId: string;
  status: string;
  version?: string;
  progress?: { phase: string; done: number; total: number };
  error?: { message: string; where?: string; hint?: string };
  message?: string;
  activated?: false;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export const isActiveJob = (job: Pick<JobView, 'status'>): boolean =>
  job.status === 'queued' || job.status === 'running';

/** "42 s", "3 min 5 s", "2 h 1 min". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Time from start to finish, or to `now` while the job is queued or running. */
export function elapsed(job: JobView, now: number): string {
  const end = job.finishedAt ? Date.parse(job.finishedAt) : isActiveJob(job) ? now : Date.parse(job.updatedAt);
  return duration(end - Date.parse(job.startedAt));
}

export interface ProgressView {
  phase: string;
  /** 0–1; undefined when the total is unknown (0). */
  fraction?: number;
  /** "1,200 / 5,000" or "1,200" when the total is unknown. */
  counts: string;
}

export function progressView(job: JobView): ProgressView | undefined {
  if (!job.progress) return undefined;
  const { phase, done, total } = job.progress;
  const n = (value: number) => value.toLocaleString('en');
  if (!(total > 0)) return { phase, counts: n(done) };
  return { phase, fraction: Math.min(1, Math.max(0, done / total)), counts: `${n(done)} / ${n(total)}` };
}

/** The job's error as one sentence: message, where, and the fix. */
export function jobErrorText(job: JobView): string | undefined {
  if (!job.error) return undefined;
  const { message, where, hint } = job.error;
  return `${message}${where ? ` (at ${where})` : ''}${hint ? `. How to fix: ${hint}` : ''}`;
}

/** One line for a finished job: status, version, and why it ended that way. */
export function jobOutcome(job: JobView): string {
  const parts = [job.status];
  if (job.version) parts.push(`version ${job.version}`);
  if (job.activated === false) parts.push('kept but not activated (the promotion gate held it back)');
  const text = parts.join(', ');
  const error = jobErrorText(job);
  return `${text}${job.message ? `: ${job.message}` : ''}${error ? `: ${error}` : ''}`;
}
