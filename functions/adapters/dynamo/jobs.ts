/**
 * Build job records (`job#<jobId>` in the dataset's partition; layout in ./keys.ts).
 *
 * - One build per upload: `claimJob` is a conditional PutItem, so a duplicate delivery of the same upload finds
 *   the record and builds nothing. A failed job, or a 'running' one not updated for longer than any build can
 *   run (`staleJobMs`), may be claimed again by a retried event.
 * - Clean-up: job records carry `expiresAt` (TTL, `jobRetentionDays` after they start).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, type JobRecord } from '../store-contract.js';
import { batchGet } from './batch.js';
import { queryAll, storable, type Item, type StoreTable } from './documents.js';
import { JOB_SK_PREFIX, datasetPk, jobKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';

export interface JobSettings {
  /** Job records expire (TTL) this long after they start. */
  jobRetentionDays: number;
  /** A 'running' job not updated for this long is taken as dead and may be claimed again. */
  staleJobMs: number;
  now: () => Date;
}

const DAY_SECONDS = 86_400;

export class JobRecords {
  constructor(
    private readonly table: StoreTable,
    private readonly settings: JobSettings,
  ) {}

  async claimJob(job: JobRecord): Promise<'claimed' | 'duplicate'> {
    const startedSeconds = Math.floor((Date.parse(job.startedAt) || this.settings.now().getTime()) / 1000);
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...(storable(job) as Item),
            ...jobKey(job.dataset, job.jobId),
            [TTL_ATTRIBUTE]: startedSeconds + this.settings.jobRetentionDays * DAY_SECONDS,
          },
          // A job may be claimed again when it failed, or when it says 'running' but has not been updated for
          // longer than any build can run (a build killed by a timeout or out of memory never records failure).
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :running AND #updatedAt < :staleBefore)',
          ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':running': 'running',
            ':staleBefore': new Date(this.settings.now().getTime() - this.settings.staleJobMs).toISOString(),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  async updateJob(dataset: string, jobId: string, patch: Partial<Omit<JobRecord, 'dataset' | 'jobId'>>): Promise<void> {
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
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: jobKey(dataset, jobId),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new NotFoundError(`Job "${jobId}" of dataset "${dataset}" does not exist`);
      throw error;
    }
  }

  async getJob(dataset: string, jobId: string): Promise<JobRecord | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: jobKey(dataset, jobId), ConsistentRead: true }),
    );
    return output.Item ? toJobRecord(output.Item) : undefined;
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
      return row ? [toJobRecord(row)] : [];
    });
  }
}

function toJobRecord(item: Item): JobRecord {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _expiresAt, ...record } = item;
  return record as unknown as JobRecord;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
