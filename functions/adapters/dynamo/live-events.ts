/**
 * Live events on the model table (`lv#<dataset>#<shard>` / `e#<user>#<event hash>`; layout in ./keys.ts): the API
 * stores them (POST …/events) and reads one user's (GET …/recommendations), the build reads a range of arrivals to
 * fold them into a file and deletes what was folded, the erasure deletes a user's.
 *
 * Safety properties (test/adapters/live-events.test.ts):
 * - Idempotent by eventId: each event is its own conditional PutItem (attribute_not_exists), so an event stored by an
 *   earlier request is counted as a duplicate and never written twice; the key is per (dataset, user, eventId).
 * - Durable or an error, never a drop: a write that is throttled or fails on the server side is retried with
 *   exponential back-off and full jitter; when an event's attempts are exhausted the call waits for the writes in
 *   flight and throws naming how many events were not stored (the client retries the batch: duplicates are safe).
 * - Bounded: at most `concurrency` requests in flight per call.
 * - Exact ranges: a scan returns each event with from <= receivedAt < to exactly once (every page of every shard,
 *   strongly consistent), so folds of adjacent ranges never share an event.
 * - Deletes are conditional on the event still being one received before the cut, so a folded event is removed and
 *   nothing else; a user's deletion removes every one of their events.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LiveEvent, LiveEventFolder, LiveEventWrite, LiveEventWriter } from '../store-contract.js';
import { isRetryable, type RetryPolicy } from './batch.js';
import type { Item, StoreTable } from './documents.js';
import { liveEventKey, liveEventPartitions, liveEventUserPrefix, type TableKey } from './keys.js';

/** Default requests in flight per call: a 500-event batch in about 16 rounds. */
export const DEFAULT_LIVE_EVENT_CONCURRENCY = 32;

/** Thrown when events could not be stored after every retry; `unwritten` counts them (stored ones stay stored). */
export class LiveEventWriteError extends Error {
  override readonly name = 'LiveEventWriteError';
  constructor(
    readonly unwritten: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${unwritten} live event(s) were not stored: ${detail}`, options);
  }
}

const NAMES = { '#received': 'receivedAt' };

export class LiveEvents implements LiveEventWriter, LiveEventFolder {
  constructor(
    private readonly table: StoreTable,
    private readonly concurrency: number = DEFAULT_LIVE_EVENT_CONCURRENCY,
  ) {}

  async putLiveEvents(dataset: string, events: readonly LiveEvent[]): Promise<LiveEventWrite> {
    // Keys first: an id too long to be a key fails the whole batch before anything is written.
    const writes = events.map((event) => ({ key: liveEventKey(dataset, event.user, event.eventId), event }));
    let accepted = 0;
    let duplicates = 0;
    const failures = await eachBounded(writes, this.concurrency, async ({ key, event }) => {
      const stored = await this.retried(() => this.putOne(key, event));
      if (stored) accepted++;
      else duplicates++;
    });
    if (failures.length > 0) {
      const first = failures[0] as Error;
      throw new LiveEventWriteError(failures.length, `${first.name}: ${first.message}`, { cause: first });
    }
    return { accepted, duplicates };
  }

  async getUserLiveEvents(dataset: string, userId: string, since?: string): Promise<LiveEvent[]> {
    const { pk, prefix } = liveEventUserPrefix(dataset, userId);
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(since === undefined ? {} : { FilterExpression: '#received >= :since', ExpressionAttributeNames: NAMES }),
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...(since === undefined ? {} : { ':since': since }) },
    });
    return items.map(toLiveEvent);
  }

  async *scanLiveEvents(dataset: string, range: { from?: string; to: string }): AsyncIterable<LiveEvent[]> {
    const filter = range.from === undefined ? '#received < :to' : '#received >= :from AND #received < :to';
    for (const pk of liveEventPartitions(dataset)) {
      let startKey: Item | undefined;
      do {
        const page = await this.retried(() =>
          this.table.doc.send(
            new QueryCommand({
              TableName: this.table.tableName,
              KeyConditionExpression: 'pk = :pk',
              FilterExpression: filter,
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: {
                ':pk': pk,
                ':to': range.to,
                ...(range.from === undefined ? {} : { ':from': range.from }),
              },
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          ),
        );
        const events = (page.Items ?? []).map(toLiveEvent);
        if (events.length > 0) yield events;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }

  async deleteFoldedLiveEvents(dataset: string, before: string): Promise<{ deleted: number }> {
    let deleted = 0;
    for (const pk of liveEventPartitions(dataset)) {
      const keys = await this.query({
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#received < :before',
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: { ':pk': pk, ':before': before },
        ProjectionExpression: 'pk, sk',
      });
      deleted += await this.deleteAll(keys as TableKey[], before);
    }
    return { deleted };
  }

  async deleteUserLiveEvents(dataset: string, userId: string): Promise<{ deleted: number }> {
    const { pk, prefix } = liveEventUserPrefix(dataset, userId);
    const keys = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ProjectionExpression: 'pk, sk',
    });
    return { deleted: await this.deleteAll(keys as TableKey[]) };
  }

  /** True when stored now, false when an event with its key was already there. */
  private async putOne(key: TableKey, event: LiveEvent): Promise<boolean> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...key, ...eventAttributes(event) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Deletes the keys (bounded, retried); with `before`, only events still received before it. */
  private async deleteAll(keys: readonly TableKey[], before?: string): Promise<number> {
    let deleted = 0;
    const failures = await eachBounded(keys, this.concurrency, async (key) => {
      const gone = await this.retried(async () => {
        try {
          await this.table.doc.send(
            new DeleteCommand({
              TableName: this.table.tableName,
              Key: { pk: key.pk, sk: key.sk },
              ...(before === undefined
                ? {}
                : {
                    ConditionExpression: '#received < :before',
                    ExpressionAttributeNames: NAMES,
                    ExpressionAttributeValues: { ':before': before },
                  }),
            }),
          );
          return true;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return false;
          throw error;
        }
      });
      if (gone) deleted++;
    });
    if (failures.length > 0) {
      const first = failures[0] as Error;
      throw new Error(`${failures.length} live event(s) could not be deleted: ${first.message}`, { cause: first });
    }
    return deleted;
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.retried(() =>
        this.table.doc.send(
          new QueryCommand({
            ...input,
            TableName: this.table.tableName,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Runs `operation`, retrying throttling and server errors with back-off (the table's retry policy). */
  private async retried<T>(operation: () => Promise<T>): Promise<T> {
    return withRetries(this.table.retry, operation);
  }
}

/** `operation` with the policy's attempts; a non-retryable error, or the last attempt's, is thrown. */
export async function withRetries<T>(policy: RetryPolicy, operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await policy.sleep(policy.random() * cap);
    }
  }
}

/**
 * Runs `work` on every item, at most `limit` at once; every item is attempted (a failure does not stop the others,
 * so the caller knows exactly which were not done). Returns the failures.
 */
async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return failures;
}

function eventAttributes(event: LiveEvent): Item {
  return {
    eventId: event.eventId,
    user: event.user,
    item: event.item,
    ...(event.type === undefined ? {} : { type: event.type }),
    ...(event.value === undefined ? {} : { value: event.value }),
    ...(event.timestamp === undefined ? {} : { timestamp: event.timestamp }),
    receivedAt: event.receivedAt,
    n: event.n,
  };
}

function toLiveEvent(item: Item): LiveEvent {
  return {
    eventId: item.eventId as string,
    user: item.user as string,
    item: item.item as string,
    ...(item.type === undefined ? {} : { type: item.type as string }),
    ...(item.value === undefined ? {} : { value: item.value as number }),
    ...(item.timestamp === undefined ? {} : { timestamp: item.timestamp as string }),
    receivedAt: item.receivedAt as string,
    n: item.n as number,
  };
}
