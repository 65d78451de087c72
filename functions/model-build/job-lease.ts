/**
 * A build's hold on its job record: the claim, the lease it renews while it runs, and the settling of jobs whose
 * builds died. The store side (conditional claims, fenced writes) is in ../adapters/dynamo/jobs.ts.
 *
 * Safety properties (test/adapters/job-lease.test.ts, test/model-build/lease-takeover.test.ts):
 * - Renewed while alive: every progress write renews the lease, and a timer renews it at least every
 *   `renewEveryMs` (15 s) even when nothing reports progress. The engine never blocks the event loop for long
 *   (parse streams, the similarity kernel runs in worker threads or yields between chunks), so a lease of 60 s
 *   outlives every pause between renewals (the longest gap measured is in docs/RELIABILITY.md).
 * - A retry is not dropped as a duplicate of a dead build: a claim that finds a live lease watches the job; a
 *   renewal means the holder is alive (this delivery is a duplicate), an expired lease is taken over. The wait is
 *   bounded by one lease period.
 * - A build that lost its lease stops: it learns so at its next renewal, checks before writing rows and between
 *   them, and renews (fenced) right before activating, so it never activates after a take-over could have started
 *   deleting its rows; it then deletes its own rows and leaves the job record to its new holder.
 * - No job stays 'running' for ever: a build that claims a job settles the dataset's other jobs whose lease has
 *   passed (see settleAbandonedJobs); until then, readers already show them as interrupted (jobs.ts).
 */
import {
  interruptedJobError,
  JobLeaseLostError,
  type JobClaim,
  type JobHolder,
  type JobRecord,
  type JobStore,
  type ModelPublisher,
} from '../adapters/store-contract.js';
import type { AppLogger } from '../observability.js';

export interface LeaseSettings {
  /** How long a claim or renewal holds the job. */
  leaseMs: number;
  /** The heartbeat: the longest time between renewals while the build runs. */
  renewEveryMs: number;
  /** Minimum time between progress writes (each also renews the lease). */
  progressIntervalMs: number;
  /** How often a claim that found a live lease looks at the job again. */
  pollMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = {
  leaseMs: 60_000,
  renewEveryMs: 15_000,
  progressIntervalMs: 1000,
  pollMs: 1000,
};

type Claimed = Extract<JobClaim, { status: 'claimed' }>;
type NotClaimed = Extract<JobClaim, { status: 'duplicate' }>;

/**
 * Claims the job for this attempt. `attemptRecord(at)` is the record to claim with, started at `at`. Resolves
 * 'claimed', or 'duplicate' when the job has finished or another live attempt holds it.
 */
export async function claimBuildJob(
  store: JobStore,
  attemptRecord: (at: Date) => JobRecord,
  settings: LeaseSettings,
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
): Promise<Claimed | NotClaimed> {
  const claim = await store.claimJob(attemptRecord(now()));
  if (claim.status !== 'held') return claim;
  // Held: alive (it renews) or dead (its lease runs out). Watch it for at most one lease period.
  const seen = claim.current;
  const deadline = Date.now() + settings.leaseMs + settings.pollMs;
  for (;;) {
    await sleep(settings.pollMs);
    const next = await store.claimJob(attemptRecord(now()));
    if (next.status !== 'held') return next;
    const renewed = next.current.leaseUntil !== seen.leaseUntil || next.current.attempt !== seen.attempt;
    if (renewed || Date.now() > deadline) return { status: 'duplicate', current: next.current };
  }
}

/** Progress writes and heartbeats of one claimed attempt, all fenced on its attempt number. */
export class JobLease {
  private lost: JobLeaseLostError | undefined;
  private lastProgress = 0;
  private pending: { phase: string; done: number; total: number } | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  readonly holder: JobHolder;

  constructor(
    private readonly store: JobStore,
    private readonly dataset: string,
    private readonly jobId: string,
    attempt: number,
    private readonly now: () => Date,
    private readonly settings: LeaseSettings,
  ) {
    this.holder = { attempt };
    this.timer = setInterval(() => this.write(), settings.renewEveryMs);
    // The heartbeat alone must not keep a process alive (a CLI run, a test) once the build is done.
    this.timer.unref();
  }

  /** The lease until which a write made now holds the job. */
  leaseFromNow(): string {
    return new Date(this.now().getTime() + this.settings.leaseMs).toISOString();
  }

  /** Throttled progress (best effort), each write renewing the lease. */
  report(phase: string, done: number, total: number): void {
    this.pending = { phase, done, total };
    const t = Date.now();
    if (t - this.lastProgress < this.settings.progressIntervalMs) return;
    this.lastProgress = t;
    this.write();
  }

  /** Throws when a renewal found the job taken over or settled: the build must stop. */
  assertHeld(): void {
    if (this.lost) throw this.lost;
  }

  /** Renews now and waits for it (before activating): afterwards the job is held for a whole lease period. */
  async confirm(): Promise<void> {
    await this.inFlight;
    this.assertHeld();
    await this.store.updateJob(
      this.dataset,
      this.jobId,
      { leaseUntil: this.leaseFromNow(), updatedAt: this.now().toISOString() },
      this.holder,
    );
  }

  /** Stops the heartbeat and waits for the write in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** The final write of the job's outcome, fenced like every other. */
  async finish(patch: Partial<JobRecord>): Promise<void> {
    await this.stop();
    const at = this.now().toISOString();
    await this.store.updateJob(
      this.dataset,
      this.jobId,
      { ...patch, progress: { phase: 'done', done: 1, total: 1 }, updatedAt: at, finishedAt: at },
      this.holder,
    );
  }

  /** One write at a time; a renewal due while one is in flight is covered by it. */
  private write(): void {
    if (this.inFlight || this.lost) return;
    const progress = this.pending;
    this.pending = undefined;
    this.inFlight = this.store
      .updateJob(
        this.dataset,
        this.jobId,
        { ...(progress ? { progress } : {}), leaseUntil: this.leaseFromNow(), updatedAt: this.now().toISOString() },
        this.holder,
      )
      .catch((error: unknown) => {
        if (error instanceof JobLeaseLostError) this.lost = error;
        // Anything else is best effort: the next heartbeat tries again, and confirm() before activation must succeed.
      })
      .finally(() => (this.inFlight = undefined));
  }
}

/**
 * Settles jobs of `dataset` whose builds died (their lease passed, or any 'running' job when the caller knows no
 * build can be running, as the local stack on start): a job whose version the manifest lists had activated and only
 * failed to record it, so it is marked succeeded; any other is marked failed (reason 'interrupted') and its rows
 * are deleted. Each mark is fenced on the lease seen, so a job renewed meanwhile is left alone. Best effort: a
 * failure is logged, and the job stays visible as interrupted to readers. Returns the jobs settled.
 */
export async function settleAbandonedJobs(
  store: JobStore & ModelPublisher,
  dataset: string,
  logger: AppLogger,
  now: () => Date,
  options: { includeLive?: boolean; except?: string } = {},
): Promise<JobRecord[]> {
  const abandoned = (await store.findAbandonedJobs(dataset, { includeLive: options.includeLive })).filter(
    (job) => job.jobId !== options.except,
  );
  if (abandoned.length === 0) return [];
  const manifest = await store.getManifest(dataset);
  const settled: JobRecord[] = [];
  for (const job of abandoned) {
    const holder = { attempt: job.attempt ?? 0, leaseUntil: job.leaseUntil };
    const at = now().toISOString();
    const activated = job.version !== undefined && manifest?.versions.some((v) => v.version === job.version);
    try {
      if (activated) {
        await store.updateJob(
          dataset,
          job.jobId,
          {
            status: 'succeeded',
            message: 'Its version was activated, but its build stopped before recording it; settled by a later build.',
            progress: { phase: 'done', done: 1, total: 1 },
            updatedAt: at,
            finishedAt: at,
          },
          holder,
        );
      } else {
        // Marked first, so that a build still alive against all odds finds its lease gone before its rows are.
        await store.updateJob(
          dataset,
          job.jobId,
          {
            status: 'failed',
            error: interruptedJobError(job),
            progress: { phase: 'done', done: 1, total: 1 },
            updatedAt: at,
            finishedAt: at,
          },
          holder,
        );
        if (job.version) await store.deleteVersion(dataset, job.version);
      }
      settled.push(job);
      logger.warn('settled a build job whose build had stopped', {
        dataset,
        jobId: job.jobId,
        version: job.version,
        outcome: activated ? 'succeeded' : 'interrupted',
      });
    } catch (error) {
      if (error instanceof JobLeaseLostError) continue; // renewed or taken over meanwhile: not abandoned after all
      logger.warn('could not settle an abandoned build job', { dataset, jobId: job.jobId, error: String(error) });
    }
  }
  return settled;
}
