// A real server cannot produce UnprocessedItems/Keys or throttling on demand: these faults are mocked.
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  BatchWriteError,
  BatchGetError,
  batchGet,
  batchWrite,
  type WriteRequest,
} from '../../functions/adapters/dynamo/batch.js';

const TABLE = 'mocked';
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const mock = mockClient(DynamoDBDocumentClient);
const delays: number[] = [];
const retry = {
  sleep: async (ms: number) => void delays.push(ms),
  random: () => 0.5,
  baseDelayMs: 10,
  maxDelayMs: 1000,
};

afterEach(() => {
  mock.reset();
  delays.length = 0;
});

function puts(count: number): WriteRequest[] {
  return Array.from({ length: count }, (_, i) => ({ PutRequest: { Item: { pk: 'p', sk: `s${i}` } } }));
}

function sentRequests(call: number): WriteRequest[] {
  return (mock.commandCalls(BatchWriteCommand)[call].args[0].input as BatchWriteCommandInput).RequestItems![
    TABLE
  ] as WriteRequest[];
}

function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('batchWrite', () => {
  it('sends chunks of 25 and retries UnprocessedItems with growing, jittered delays', async () => {
    const requests = puts(30);
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(3, 5) } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: requests.slice(4, 5) } })
      .resolves({});
    const written = await batchWrite(doc, TABLE, requests, { concurrency: 1, retry });
    expect(written).toBe(30);
    const calls = mock.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(4);
    expect(sentRequests(0)).toEqual(requests.slice(0, 25));
    expect(sentRequests(1)).toEqual(requests.slice(3, 5));
    expect(sentRequests(2)).toEqual(requests.slice(4, 5));
    expect(sentRequests(3)).toEqual(requests.slice(25, 30));
    // Full jitter with random() = 0.5: half of 10 * 2^0, then half of 10 * 2^1.
    expect(delays).toEqual([5, 10]);
  });

  it('throws naming how many rows were not written when UnprocessedItems persist', async () => {
    const requests = puts(10);
    mock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({
      // DynamoDB keeps returning the last 3 rows unprocessed.
      UnprocessedItems: { [TABLE]: (input.RequestItems![TABLE] as WriteRequest[]).slice(-3) },
    }));
    const error = await batchWrite(doc, TABLE, requests, { retry: { ...retry, maxAttempts: 5 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchWriteError);
    expect((error as BatchWriteError).unwritten).toBe(3);
    expect((error as Error).message).toMatch(
      /^3 row\(s\) were not written to table mocked: .*UnprocessedItems.*5 attempts/,
    );
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(5);
    // Capped exponential: 0.5 * min(1000, 10 * 2^(n-1)) for retries 1..4.
    expect(delays).toEqual([5, 10, 20, 40]);
  });

  it('counts rows never sent after a failure as not written', async () => {
    const requests = puts(100);
    mock
      .on(BatchWriteCommand)
      .rejects(Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' }));
    const error = (await batchWrite(doc, TABLE, requests, { concurrency: 1, retry }).catch(
      (e: unknown) => e,
    )) as BatchWriteError;
    expect(error).toBeInstanceOf(BatchWriteError);
    expect(error.unwritten).toBe(100);
    expect(error.message).toContain('parameter values were invalid');
    // Not retryable: one call, no more chunks sent after it.
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  it('retries throttling and 5xx errors, then succeeds', async () => {
    mock
      .on(BatchWriteCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(
        Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
      )
      .rejectsOnce(Object.assign(new Error('bad gateway'), { name: 'Unknown', $metadata: { httpStatusCode: 502 } }))
      .resolves({});
    expect(await batchWrite(doc, TABLE, puts(3), { retry })).toBe(3);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });

  it('keeps at most `concurrency` chunks in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    mock.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return {};
    });
    expect(await batchWrite(doc, TABLE, puts(25 * 10), { concurrency: 3, retry })).toBe(250);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(10);
    expect(peak).toBe(3);
  });
});

describe('batchGet', () => {
  it('reads 250 keys in chunks of at most 100 and retries UnprocessedKeys', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => ({ pk: 'p', sk: `s${i}` }));
    let first = true;
    mock
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => {
        const asked = input.RequestItems[TABLE].Keys;
        if (first) {
          first = false;
          return {
            Responses: { [TABLE]: asked.slice(0, 90) },
            UnprocessedKeys: { [TABLE]: { Keys: asked.slice(90) } },
          };
        }
        return { Responses: { [TABLE]: asked } };
      });
    const rows = await batchGet(doc, TABLE, keys, { retry });
    expect(rows.map((r) => r.sk).sort()).toEqual(keys.map((k) => k.sk).sort());
    const sizes = mock.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems![TABLE].Keys!.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes).toHaveLength(4); // 100 + 100 + 50, plus the retry of 10
    expect(sizes).toContain(10);
  });

  it('throws naming how many keys were not read when UnprocessedKeys persist', async () => {
    mock
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => ({
        Responses: { [TABLE]: [] },
        UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems[TABLE].Keys } },
      }));
    const error = await batchGet(
      doc,
      TABLE,
      [
        { pk: 'a', sk: 'b' },
        { pk: 'a', sk: 'c' },
      ],
      { retry: { ...retry, maxAttempts: 3 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchGetError);
    expect((error as Error).message).toMatch(/^2 key\(s\) could not be read/);
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(3);
  });
});

describe('DynamoModelStore writer on exhausted retries', () => {
  it('makes flush() throw with the count of rows not written, never dropping them silently', async () => {
    const { DynamoModelStore } = await import('../../functions/adapters/dynamo/dynamo-model-store.js');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    mock.on(PutCommand).resolves({}); // the version registry row
    mock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      const sent = input.RequestItems![TABLE] as WriteRequest[];
      await new Promise((resolve) => setTimeout(resolve, 10)); // all puts are buffered before the first failure
      // The first attempt of each chunk writes all but one row; that one stays unprocessed forever.
      return { UnprocessedItems: { [TABLE]: sent.slice(-1) } };
    });
    const store = new DynamoModelStore(doc, TABLE, { retry: { ...retry, maxAttempts: 3 }, concurrency: 2 });
    const writer = store.createVersionWriter('d', 'v1');
    for (let i = 0; i < 30; i++)
      await writer.putItemNeighbours(`item-${i}`, [{ id: 'x', similarity: 0.5, support: 2 }]);
    // 30 rows = chunks of 25 and 5: one row of each is never processed.
    await expect(writer.flush()).rejects.toThrow(/^2 row\(s\) were not written to table mocked/);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(2 * 3);
  });
});
