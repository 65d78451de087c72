/**
 * The build side of the dataset build lease (store side: ../adapters/dynamo/dataset-builds.ts): the holder's
 * heartbeat, an event's job queued behind a running build, and queued jobs finished with the build that included
 * their uploads.
 *
 * Safety properties (test/pipeline/burst.test.ts):
 * - Renewed while alive, like a job lease (./job-lease.ts): a timer renews it every `renewEveryMs`; a holder that
 *   died loses it after `leaseMs`, and the next event takes it over with its pending jobs.
 * - Fenced writes (confirm): a renewal conditional on the token right before a write that must not come from a
 *   holder that lost the lease (the live-event file: test/pipeline/live-events.test.ts "writes no file").
 * - A queued job is never left 'queued' for ever to a reader: it holds a lease of {@link QUEUED_JOB_MS} (longer
 *   than a build may run), after which readers show it interrupted; the build that includes it finishes it with
 *   that build's outcome and version.
 */
import type { DatasetBuildStore, JobRecord, JobStore } from '../adapters/store-contract.js';
import type { AppLogger } from '../observability.js';
import type { JobLease, LeaseSettings } from './job-lease.js';

/** Longer than Lambda's 15 minutes: a build that includes a queued job finishes it well before. */
export const QUEUED_JOB_MS = 16 * 60_000;

export class DatasetLease {
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: DatasetBuildStore,
    private readonly dataset: string,
    readonly token: string,
    private readonly now: () => Date,
    private readonly settings: LeaseSettings,
    private readonly logger: AppLogger,
  ) {
    this.timer = setInterval(() => this.renew(), settings.renewEveryMs);
    this.timer.unref();
  }

  leaseFromNow(): string {
    return new Date(this.now().getTime() + this.settings.leaseMs).toISOString();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /**
   * Renews the lease now, in a write fenced on the token: throws JobLeaseLostError when another holder has it. A
   * write made right after it lands while no one else can hold the dataset (a take-over needs an expired lease).
   */
  async confirm(): Promise<void> {
    await this.inFlight;
    await this.store.renewDatasetBuild(this.dataset, this.token, this.leaseFromNow());
  }

  private renew(): void {
    if (this.inFlight) return;
    this.inFlight = this.store
      .renewDatasetBuild(this.dataset, this.token, this.leaseFromNow())
      .catch((error: unknown) =>
        // Best effort: the build goes on (activation is ordered by listing), and the release finds out.
        this.logger.warn('could not renew the dataset build lease', { dataset: this.dataset, error: String(error) }),
      )
      .finally(() => (this.inFlight = undefined));
  }
}

/** Marks the event's job queued behind `holderJobId` (a fenced write: this attempt still holds the job). */
export async function queueJob(job: JobLease, store: JobStore, dataset: string, jobId: string, holderJobId: string) {
  await job.stop();
  const at = new Date();
  await store.updateJob(
    dataset,
    jobId,
    {
      status: 'queued',
      message:
        `A build of this dataset was running (job ${holderJobId}): this upload is built by the build that follows ` +
        'it, which reads every current file of the dataset.',
      progress: { phase: 'queued', done: 0, total: 0 },
      leaseUntil: new Date(at.getTime() + QUEUED_JOB_MS).toISOString(),
      updatedAt: at.toISOString(),
    },
    job.holder,
  );
}

/** What a finished build tells the jobs it included. */
export interface IncludedOutcome {
  status: 'succeeded' | 'superseded' | 'failed';
  version?: string;
  error?: JobRecord['error'];
  runnerJobId: string;
}

/** Finishes queued jobs with the outcome of the build that included their uploads (a finished job is left alone). */
export async function finishIncluded(
  store: JobStore,
  dataset: string,
  jobIds: readonly string[],
  outcome: IncludedOutcome,
  logger: AppLogger,
): Promise<void> {
  for (const jobId of jobIds) {
    if (jobId === outcome.runnerJobId) continue;
    const job = await store.getJob(dataset, jobId);
    if (!job || job.status === 'succeeded' || job.status === 'superseded') continue;
    const at = new Date().toISOString();
    await store
      .updateJob(dataset, jobId, {
        status: outcome.status,
        ...(outcome.version ? { version: outcome.version } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
        message: `Built together with the dataset's other current files by job ${outcome.runnerJobId}.`,
        progress: { phase: 'done', done: 1, total: 1 },
        updatedAt: at,
        finishedAt: at,
      })
      .catch((error: unknown) =>
        logger.warn('could not finish a queued job', { dataset, jobId, error: String(error) }),
      );
  }
}
