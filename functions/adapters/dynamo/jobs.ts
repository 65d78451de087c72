/**
 * Build job records (`job#<jobId>` in the dataset's partition; layout in ./keys.ts).
 *
 * Safety properties (test/adapters/job-lease.test.ts, test/adapters/dynamo-store.test.ts):
 * - One build per upload at a time: `claimJob` is a conditional PutItem on the record as it was read (status,
 *   attempt and lease), so of two racing claims exactly one wins; a finished job (succeeded, superseded) is never
 *   claimed again, a duplicate delivery finds it and builds nothing.
 * - Leases: a claim carries `leaseUntil`, which the build renews while it runs. A failed job, or a 'running' one
 *   whose lease has passed (its build was killed, timed out or ran out of memory), may be claimed by a retry, as the
 *   next `attempt`. Records written before leases count as leased until `staleJobMs` after their last update.
 * - Fencing: writes made with a `JobHolder` land only while that attempt still holds the job, so a build that lost
 *   its lease (taken over, or settled by a sweep) cannot overwrite the record of the attempt that replaced it.
 * - Never 'running' forever to a reader: getJob/listJobs show a 'running' job whose lease has passed as 'failed'
 *   with reason 'interrupted' (the stored record is left for a retry to take over or a later build to settle).
 * - Clean-up: job records carry `expiresAt` (TTL, `jobRetentionDays` after they start).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  interruptedJobError,
  JobLeaseLostError,
  NotFoundError,
  type JobClaim,
  type JobHolder,
  type JobRecord,
} from '../store-contract.js';
import { batchGet } from './batch.js';
import { queryAll, storable, type Item, type StoreTable } from './documents.js';
import { JOB_SK_PREFIX, datasetPk, jobKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';

export interface JobSettings {
  /** Job records expire (TTL) this long after they start. */
  jobRetentionDays: number;
  /** A 'running' job stored without a lease (written before leases) counts as leased this long after its update. */
  staleJobMs: number;
  now: () => Date;
}

const DAY_SECONDS = 86_400;
/** Claims that lost a race re-read the record and decide again, at most this often. */
const MAX_CLAIM_ROUNDS = 5;

export class JobRecords {
  constructor(
    private readonly table: StoreTable,
    private readonly settings: JobSettings,
  ) {}

  async claimJob(job: JobRecord): Promise<JobClaim> {
    const startedSeconds = Math.floor((Date.parse(job.startedAt) || this.settings.now().getTime()) / 1000);
    for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
      const current = await this.readJob(job.dataset, job.jobId);
      if (current && current.status !== 'failed') {
        if (!isRunning(current)) return { status: 'duplicate', current };
        if (!this.leaseExpired(current)) return { status: 'held', current };
      }
      // A record from before attempts were counted was its job's first attempt.
      const attempt = (current ? (current.attempt ?? 1) : 0) + 1;
      const condition = current ? unchangedSince(current) : undefined;
      try {
        await this.table.doc.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: {
              ...(storable({ ...job, attempt }) as Item),
              ...jobKey(job.dataset, job.jobId),
              [TTL_ATTRIBUTE]: startedSeconds + this.settings.jobRetentionDays * DAY_SECONDS,
            },
            ConditionExpression: condition?.expression ?? 'attribute_not_exists(pk)',
            ExpressionAttributeNames: condition?.names,
            ExpressionAttributeValues: condition?.values,
          }),
        );
        return { status: 'claimed', attempt, ...(current ? { previous: current } : {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Another claim (or the holder's heartbeat) wrote first: look again.
      }
    }
    throw new ConflictError(`Job "${job.jobId}" of dataset "${job.dataset}" kept changing during its claim`);
  }

  async updateJob(
    dataset: string,
    jobId: string,
    patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>,
    holder?: JobHolder,
  ): Promise<void> {
    const fields: Item = {
      ...(storable(patch) as Item),
      updatedAt: patch.updatedAt ?? this.settings.now().toISOString(),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(fields).map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    const fence = holder ? heldBy(holder) : undefined;
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: jobKey(dataset, jobId),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: fence ? `attribute_exists(pk) AND ${fence.expression}` : 'attribute_exists(pk)',
          ExpressionAttributeNames: { ...names, ...fence?.names },
          ExpressionAttributeValues: { ...values, ...fence?.values },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = holder ? await this.readJob(dataset, jobId) : undefined;
      if (!current) throw new NotFoundError(`Job "${jobId}" of dataset "${dataset}" does not exist`);
      throw new JobLeaseLostError(
        `Job "${jobId}" of dataset "${dataset}" is no longer held by attempt ${holder!.attempt}: it is ` +
          `${current.status}${current.attempt ? ` (attempt ${current.attempt})` : ''}`,
      );
    }
  }

  async getJob(dataset: string, jobId: string): Promise<JobRecord | undefined> {
    const job = await this.readJob(dataset, jobId);
    return job && this.present(job);
  }

  async listJobs(dataset: string, limit = 50): Promise<JobRecord[]> {
    // Job ids are not time-ordered: find the newest by startedAt from a narrow projection, then read those jobs.
    const summaries = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': JOB_SK_PREFIX },
      ProjectionExpression: 'pk, sk, startedAt',
    });
    summaries.sort(
      (a, b) =>
        compareStrings(b.startedAt as string, a.startedAt as string) || compareStrings(b.sk as string, a.sk as string),
    );
    const newest = summaries.slice(0, Math.max(0, limit));
    const rows = await batchGet(
      this.table.doc,
      this.table.tableName,
      newest.map((s) => ({ pk: s.pk, sk: s.sk })),
      { retry: this.table.retry, consistentRead: true },
    );
    const bySk = new Map(rows.map((row) => [row.sk as string, row]));
    return newest.flatMap((s) => {
      const row = bySk.get(s.sk as string);
      return row ? [this.present(toJobRecord(row))] : [];
    });
  }

  async findAbandonedJobs(dataset: string, options: { includeLive?: boolean } = {}): Promise<JobRecord[]> {
    const running = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#status = :running OR #status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': datasetPk(dataset),
        ':prefix': JOB_SK_PREFIX,
        ':running': 'running',
        ':queued': 'queued',
      },
      ConsistentRead: true,
    });
    return running.map(toJobRecord).filter((job) => options.includeLive || this.leaseExpired(job));
  }

  private async readJob(dataset: string, jobId: string): Promise<JobRecord | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: jobKey(dataset, jobId), ConsistentRead: true }),
    );
    return output.Item ? toJobRecord(output.Item) : undefined;
  }

  private leaseExpired(job: JobRecord): boolean {
    const until = job.leaseUntil ? Date.parse(job.leaseUntil) : Date.parse(job.updatedAt) + this.settings.staleJobMs;
    return !(until > this.settings.now().getTime());
  }

  /** What readers see: a 'running' job whose lease has passed is shown as the interrupted failure it is. */
  private present(job: JobRecord): JobRecord {
    if (!isRunning(job) || !this.leaseExpired(job)) return job;
    return { ...job, status: 'failed', error: interruptedJobError(job) };
  }
}

function isRunning(job: JobRecord): boolean {
  return job.status === 'running' || job.status === 'queued';
}

interface Condition {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The record still has the status, attempt and lease it was read with (every claim and heartbeat changes one). */
function unchangedSince(seen: JobRecord): Condition {
  const names: Record<string, string> = { '#cStatus': 'status', '#cAttempt': 'attempt', '#cLease': 'leaseUntil' };
  const values: Record<string, unknown> = { ':cStatus': seen.status };
  const parts = ['#cStatus = :cStatus'];
  if (seen.attempt === undefined) parts.push('attribute_not_exists(#cAttempt)');
  else {
    parts.push('#cAttempt = :cAttempt');
    values[':cAttempt'] = seen.attempt;
  }
  if (seen.leaseUntil === undefined) parts.push('attribute_not_exists(#cLease)');
  else {
    parts.push('#cLease = :cLease');
    values[':cLease'] = seen.leaseUntil;
  }
  return { expression: parts.join(' AND '), names, values };
}

/** The job is 'running' under this holder's attempt (and, when given, exactly its lease). */
function heldBy(holder: JobHolder): Condition {
  const names: Record<string, string> = { '#hStatus': 'status', '#hAttempt': 'attempt' };
  const values: Record<string, unknown> = { ':hRunning': 'running' };
  const parts = ['#hStatus = :hRunning'];
  if (holder.attempt === 0) parts.push('attribute_not_exists(#hAttempt)');
  else {
    parts.push('#hAttempt = :hAttempt');
    values[':hAttempt'] = holder.attempt;
  }
  if (holder.leaseUntil !== undefined) {
    names['#hLease'] = 'leaseUntil';
    values[':hLease'] = holder.leaseUntil;
    parts.push('#hLease = :hLease');
  }
  return { expression: parts.join(' AND '), names, values };
}

function toJobRecord(item: Item): JobRecord {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _expiresAt, ...record } = item;
  return record as unknown as JobRecord;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
