/**
 * The dataset build lease (`ds#<dataset>` / `build`; layout in ./keys.ts): one build of a dataset at a time, and
 * the events that arrive meanwhile coalesced into one more build.
 *
 * Safety properties (test/adapters/dataset-builds.test.ts, test/pipeline/burst.test.ts):
 * - One holder: the lease is taken with one conditional UpdateItem (free, expired, or already this job's: a retry
 *   of the holder's own event), so of two racing events exactly one holds it.
 * - No lost event: an event that finds a live holder adds its job to `pending` in a write conditional on that
 *   holder's lease being live; the holder releases only in a write conditional on `pending` being absent, else it
 *   takes the pending jobs and builds again. So every queued event is followed by a build that lists the prefix
 *   after the event's object was stored (S3 sends the event after the write).
 * - A dead holder's queue is adopted: whoever takes an expired lease takes its pending jobs too (its build, which
 *   lists the prefix now, includes their objects).
 * - Fenced: renewals and the release are conditional on the holder's token (job and attempt), so a holder that
 *   lost its lease learns so and cannot release another holder's lease.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  JobLeaseLostError,
  type DatasetBuildEntry,
  type DatasetBuildExit,
  type DatasetBuildStore,
} from '../store-contract.js';
import type { StoreTable } from './documents.js';
import { datasetBuildKey } from './keys.js';

/** Entries that lost a race re-read and decide again, at most this often. */
const MAX_ROUNDS = 5;

const NAMES = { '#token': 'token', '#holder': 'holderJobId', '#lease': 'leaseUntil', '#pending': 'pending' };

export class DatasetBuilds implements DatasetBuildStore {
  constructor(
    private readonly table: StoreTable,
    private readonly now: () => Date,
  ) {}

  async enterDatasetBuild(
    dataset: string,
    jobId: string,
    token: string,
    leaseUntil: string,
  ): Promise<DatasetBuildEntry> {
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const now = this.now().toISOString();
      try {
        const taken = await this.update(dataset, {
          UpdateExpression: 'SET #token = :token, #holder = :job, #lease = :lease REMOVE #pending',
          ConditionExpression: 'attribute_not_exists(#token) OR #lease < :now OR #holder = :job',
          ExpressionAttributeValues: { ':token': token, ':job': jobId, ':lease': leaseUntil, ':now': now },
          ReturnValues: 'ALL_OLD',
        });
        const adopted = [...((taken?.pending as Set<string> | undefined) ?? [])].filter((id) => id !== jobId);
        return { status: 'holding', adopted: adopted.sort() };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      try {
        const queued = await this.update(dataset, {
          UpdateExpression: 'ADD #pending :jobs',
          ConditionExpression: 'attribute_exists(#token) AND #lease >= :now AND #holder <> :job',
          ExpressionAttributeValues: { ':jobs': new Set([jobId]), ':now': now, ':job': jobId },
          ReturnValues: 'ALL_NEW',
        });
        return { status: 'queued', holderJobId: queued?.holderJobId as string };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The holder released (or its lease ran out) between the two writes: try to take it again.
      }
    }
    throw new ConflictError(`The build lease of dataset "${dataset}" kept changing while job ${jobId} asked for it`);
  }

  async renewDatasetBuild(dataset: string, token: string, leaseUntil: string): Promise<void> {
    try {
      await this.update(dataset, {
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: '#token = :token',
        ExpressionAttributeValues: { ':token': token, ':lease': leaseUntil },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw await this.lost(dataset, token);
    }
  }

  async exitDatasetBuild(dataset: string, token: string): Promise<DatasetBuildExit> {
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      try {
        await this.update(dataset, {
          UpdateExpression: 'REMOVE #token, #holder, #lease',
          ConditionExpression: '#token = :token AND attribute_not_exists(#pending)',
          ExpressionAttributeValues: { ':token': token },
        });
        return { status: 'released' };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      try {
        const before = await this.update(dataset, {
          UpdateExpression: 'REMOVE #pending',
          ConditionExpression: '#token = :token AND attribute_exists(#pending)',
          ExpressionAttributeValues: { ':token': token },
          ReturnValues: 'UPDATED_OLD',
        });
        return { status: 'rebuild', pending: [...((before?.pending as Set<string> | undefined) ?? [])].sort() };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const current = await this.read(dataset);
      if (current?.token !== token) throw await this.lost(dataset, token);
    }
    throw new ConflictError(`The build lease of dataset "${dataset}" kept changing while its holder released it`);
  }

  async clearDatasetBuild(dataset: string): Promise<void> {
    try {
      await this.update(dataset, {
        UpdateExpression: 'REMOVE #token, #holder, #lease',
        ConditionExpression: 'attribute_exists(pk)',
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // no lease row: nothing to clear
    }
  }

  private async update(
    dataset: string,
    input: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeValues?: Record<string, unknown>;
      ReturnValues?: 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD';
    },
  ): Promise<Record<string, unknown> | undefined> {
    const used = Object.fromEntries(
      Object.entries(NAMES).filter(([name]) => `${input.UpdateExpression} ${input.ConditionExpression}`.includes(name)),
    );
    const output = await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: datasetBuildKey(dataset),
        ...input,
        ExpressionAttributeNames: used,
      }),
    );
    return output.Attributes;
  }

  private async read(dataset: string): Promise<Record<string, unknown> | undefined> {
    const output = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: datasetBuildKey(dataset), ConsistentRead: true }),
    );
    return output.Item;
  }

  private async lost(dataset: string, token: string): Promise<JobLeaseLostError> {
    const current = await this.read(dataset);
    return new JobLeaseLostError(
      `The build lease of dataset "${dataset}" is no longer held by ${token}: ` +
        `${current?.holderJobId ? `job ${String(current.holderJobId)} holds it` : 'it was released'}`,
    );
  }
}
