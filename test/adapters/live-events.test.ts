// The live-event part of the store on dynalite: idempotent by (user, eventId), exact ranges for the fold, deletions
// of folded events and of one user's, keys for the longest ids; and, where dynalite cannot throttle, a document
// client that does: every event is retried until stored, and exhausted retries throw naming the count.
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { liveEventKey, liveEventPartition, MAX_SORT_KEY_BYTES } from '../../functions/adapters/dynamo/keys.js';
import { LiveEventWriteError } from '../../functions/adapters/dynamo/live-events.js';
import type { LiveEvent } from '../../functions/adapters/store-contract.js';
import { createStoreTable, doc, fastRetry, store, TABLE } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

const at = (second: number) => `2026-12-01T10:00:${String(second).padStart(2, '0')}.000Z`;
const ev = (user: string, eventId: string, item: string, second = 0, extra: Partial<LiveEvent> = {}): LiveEvent => ({
  eventId,
  user,
  item,
  receivedAt: at(second),
  n: 0,
  ...extra,
});

async function all(iterable: AsyncIterable<LiveEvent[]>): Promise<LiveEvent[]> {
  const out: LiveEvent[] = [];
  for await (const page of iterable) out.push(...page);
  return out;
}

describe('live events in the table', () => {
  it('stores a batch once: a retry counts every event as a duplicate and changes nothing', async () => {
    const batch = [
      ev('u1', 'a', 'i1', 1, { type: 'view', value: 2, timestamp: '1700000000' }),
      ev('u1', 'b', 'i2', 1, { n: 1 }),
      ev('u2', 'a', 'i1', 1, { n: 2 }), // the same eventId for another user is another event
    ];
    expect(await store.putLiveEvents('live', batch)).toEqual({ accepted: 3, duplicates: 0 });
    const retried = batch.map((event) => ({ ...event, item: 'changed', receivedAt: at(9) }));
    expect(await store.putLiveEvents('live', retried)).toEqual({ accepted: 0, duplicates: 3 });
    const stored = await store.getUserLiveEvents('live', 'u1');
    expect(stored.sort((x, y) => x.eventId.localeCompare(y.eventId))).toEqual([batch[0], batch[1]]);
  });

  it("reads one user's events only, from `since` on", async () => {
    await store.putLiveEvents('since', [
      ev('u', '1', 'a', 1),
      ev('u', '2', 'b', 2),
      ev('u', '3', 'c', 3),
      ev('uu', '4', 'd', 3),
    ]);
    const items = (events: LiveEvent[]) => events.map((e) => e.item).sort();
    expect(items(await store.getUserLiveEvents('since', 'u'))).toEqual(['a', 'b', 'c']);
    expect(items(await store.getUserLiveEvents('since', 'u', at(2)))).toEqual(['b', 'c']);
    expect(items(await store.getUserLiveEvents('since', 'u#'))).toEqual([]); // no prefix of another user's key
  });

  it('scans [from, to) across every shard, each event once', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`); // spread over the 16 shards
    await store.putLiveEvents(
      'scan',
      users.flatMap((user, i) => [ev(user, 'x', 'a', i % 10), ev(user, 'y', 'b', (i + 5) % 10)]),
    );
    const inRange = await all(store.scanLiveEvents('scan', { from: at(3), to: at(7) }));
    // By hand: events at seconds 3..6; user i has x at i mod 10 and y at (i + 5) mod 10.
    const expected = users.flatMap((user, i) => [
      ...(i % 10 >= 3 && i % 10 < 7 ? [`${user}/x`] : []),
      ...((i + 5) % 10 >= 3 && (i + 5) % 10 < 7 ? [`${user}/y`] : []),
    ]);
    expect(inRange.map((e) => `${e.user}/${e.eventId}`).sort()).toEqual(expected.sort());
    const before = await all(store.scanLiveEvents('scan', { to: at(3) }));
    const after = await all(store.scanLiveEvents('scan', { from: at(7), to: at(59) }));
    expect(before.length + inRange.length + after.length).toBe(80);
  });

  it('deletes folded events received before the cut, and every event of one user', async () => {
    await store.putLiveEvents('del', [
      ev('a', '1', 'x', 1),
      ev('a', '2', 'y', 5),
      ev('b', '3', 'x', 2),
      ev('b', '4', 'z', 8),
    ]);
    expect(await store.deleteFoldedLiveEvents('del', at(5))).toEqual({ deleted: 2 });
    expect((await all(store.scanLiveEvents('del', { to: at(59) }))).map((e) => e.eventId).sort()).toEqual(['2', '4']);
    expect(await store.deleteUserLiveEvents('del', 'b')).toEqual({ deleted: 1 });
    expect((await store.getUserLiveEvents('del', 'b')).length).toBe(0);
    expect((await store.getUserLiveEvents('del', 'a')).map((e) => e.eventId)).toEqual(['2']);
  });

  it('keys the longest ids within DynamoDB limits, per user and eventId', async () => {
    const longest = '%'.repeat(256); // escapes to 768 bytes, the most a 256-byte id can take
    const key = liveEventKey('live', longest, longest);
    expect(Buffer.byteLength(key.sk)).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
    expect(liveEventKey('live', 'u', 'a').sk).not.toBe(liveEventKey('live', 'u', 'b').sk);
    expect(liveEventKey('live', 'u', '\uD800').sk).not.toBe(liveEventKey('live', 'u', '\uD801').sk);
    expect(await store.putLiveEvents('long', [ev(longest, longest, longest)])).toEqual({ accepted: 1, duplicates: 0 });
    expect((await store.getUserLiveEvents('long', longest))[0].item).toBe(longest);
  });

  it('keeps events under lv# partitions only (the API role may write there and nowhere else)', async () => {
    await store.putLiveEvents('where', [ev('u', '1', 'a')]);
    const page = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': liveEventPartition('where', liveEventKeyShard('u')) },
      }),
    );
    expect(page.Items?.map((item) => item.pk as string)).toEqual([expect.stringMatching(/^lv#where#\d+$/)]);
  });
});

describe('throttling (a document client that throttles, which dynalite cannot)', () => {
  const throttled = () =>
    new DynamoDBServiceException({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'throttled',
    });

  /** The real client, but the first `failures` PutItem calls of each event are throttled. */
  function throttlingDoc(failures: number): DynamoDBDocumentClient {
    const seen = new Map<string, number>();
    return new Proxy(doc, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: unknown) => {
          if (command instanceof PutCommand) {
            const id = String(command.input.Item?.sk);
            const count = (seen.get(id) ?? 0) + 1;
            seen.set(id, count);
            if (count <= failures) return Promise.reject(throttled());
          }
          return target.send(command as PutCommand);
        };
      },
    });
  }

  it('retries each throttled event with back-off until it is stored: none dropped', async () => {
    const delays: number[] = [];
    const patient = new DynamoModelStore(throttlingDoc(3), TABLE, {
      retry: { ...fastRetry, sleep: async (ms) => void delays.push(ms) },
    });
    const events = Array.from({ length: 50 }, (_, i) => ev(`t${i}`, 'e', 'a', 0, { n: i }));
    expect(await patient.putLiveEvents('throttle', events)).toEqual({ accepted: 50, duplicates: 0 });
    expect(delays).toHaveLength(150); // three back-offs per event
    expect((await all(store.scanLiveEvents('throttle', { to: at(59) }))).length).toBe(50);
  });

  it('throws naming the events not stored when their attempts run out; a retry stores only the rest', async () => {
    const impatient = new DynamoModelStore(throttlingDoc(100), TABLE, { retry: { ...fastRetry, maxAttempts: 2 } });
    const events = [ev('x', '1', 'a'), ev('y', '2', 'a', 0, { n: 1 })];
    await store.putLiveEvents('exhausted', [events[0]]); // stored before: the throttled attempt never gets to check
    const error = await impatient.putLiveEvents('exhausted', events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveEventWriteError);
    expect((error as LiveEventWriteError).unwritten).toBe(2);
    expect((error as Error).message).toMatch(
      /2 live event\(s\) were not stored: ProvisionedThroughputExceededException/,
    );
    expect(await store.putLiveEvents('exhausted', events)).toEqual({ accepted: 1, duplicates: 1 });
  });
});

function liveEventKeyShard(user: string): number {
  return Number(liveEventKey('where', user, 'x').pk.split('#').at(-1));
}
