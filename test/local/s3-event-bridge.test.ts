import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';
import { startS3EventBridge, type S3EventBridgeOptions } from '../../functions/local/s3-event-bridge.js';
import { startS3rver, type RunningS3 } from '../../functions/local/services.js';

const BUCKET = 'bridge-test';
let directory: string;
let s3: RunningS3;
let client: S3Client;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'affinity-bridge-'));
  s3 = await startS3rver({ directory, buckets: [BUCKET] });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const put = (key: string, body: string) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function bridge(overrides: Partial<S3EventBridgeOptions> & Pick<S3EventBridgeOptions, 'handler'>) {
  const logs: string[] = [];
  const running = startS3EventBridge({
    source: s3.events,
    region: 'eu-west-1',
    retryDelayMs: 1,
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { running, logs };
}

describe('S3 event bridge', () => {
  it('delivers a real-shaped ObjectCreated:Put event with the key URL-encoded as S3 does', async () => {
    const events: S3Event[] = [];
    const { running } = bridge({ handler: async (event) => void events.push(event), filter: { prefix: 'uploads/' } });
    const rawKey = 'uploads/my data/r+1 ü.csv';
    const body = 'user,item\nu1,i1\n';
    await put(rawKey, body);
    await running.idle();
    await running.stop();

    expect(events).toHaveLength(1);
    const [record] = events[0].Records;
    expect(events[0].Records).toHaveLength(1);
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventName: 'ObjectCreated:Put',
    });
    expect(record.s3.bucket).toMatchObject({ name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` });
    // By hand: ' ' -> '+', '+' -> %2B, 'ü' = C3 BC in UTF-8, '/' kept.
    expect(record.s3.object.key).toBe('uploads/my+data/r%2B1+%C3%BC.csv');
    expect(record.s3.object.size).toBe(Buffer.byteLength(body));
    expect(record.s3.object.eTag).toBe(md5(body));
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);

    const decoded = decodeS3EventKey(record.s3.object.key);
    expect(decoded).toBe(rawKey);
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: decoded }));
    expect(await object.Body?.transformToString()).toBe(body);
  });

  it('gives increasing sequencers, skips keys outside the filter and fills the ETag of copies', async () => {
    const events: S3Event[] = [];
    const { running } = bridge({
      handler: async (event) => void events.push(event),
      filter: { prefix: 'uploads/' },
      describeObject: s3.describeObject,
    });
    await put('uploads/a.csv', 'a');
    await put('reports/ignored.json', '{}');
    await put('uploads/b.csv', 'bb');
    await client.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'uploads/c.csv', CopySource: `${BUCKET}/uploads/b.csv` }),
    );
    await running.idle();
    await running.stop();

    const records = events.map((event) => event.Records[0]);
    expect(records.map((record) => record.s3.object.key)).toEqual(['uploads/a.csv', 'uploads/b.csv', 'uploads/c.csv']);
    expect(records.map((record) => record.eventName)).toEqual([
      'ObjectCreated:Put',
      'ObjectCreated:Put',
      'ObjectCreated:Copy',
    ]);
    expect(records[2].s3.object.eTag).toBe(md5('bb'));
    expect(records[2].s3.object.size).toBe(2);
    const sequencers = records.map((record) => record.s3.object.sequencer);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(3);
  });

  it('retries a failing handler twice with the same event, then records the failure and logs it', async () => {
    const received: string[] = [];
    const { running, logs } = bridge({
      handler: async (event) => {
        received.push(JSON.stringify(event));
        event.Records[0].s3.object.key = 'mutated by the handler';
        throw new Error('model build exploded');
      },
    });
    await put('uploads/fails.csv', 'x');
    await running.idle();
    await running.stop();

    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(1);
    expect(running.delivered).toBe(0);
    expect(running.failed).toHaveLength(1);
    expect(running.failed[0]).toMatchObject({ key: 'uploads/fails.csv', attempts: 3 });
    expect(running.failed[0].error).toContain('model build exploded');
    expect(running.failed[0].event.Records[0].s3.object.key).toBe('uploads/fails.csv');
    expect(logs.some((line) => line.includes('NOT DELIVERED') && line.includes('uploads/fails.csv'))).toBe(true);
  });

  it('counts a delivery that succeeds on a retry as delivered', async () => {
    let calls = 0;
    const { running } = bridge({
      handler: async () => {
        calls += 1;
        if (calls < 3) throw new Error(`transient ${calls}`);
      },
    });
    await put('uploads/flaky.csv', 'x');
    await running.idle();
    await running.stop();
    expect(calls).toBe(3);
    expect(running.delivered).toBe(1);
    expect(running.failed).toEqual([]);
  });

  it('runs at most `concurrency` handlers at once and records events still queued at stop as failed', async () => {
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const { running } = bridge({
      concurrency: 1,
      handler: async (event) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        started.push(event.Records[0].s3.object.key);
        await gate;
        active -= 1;
      },
    });
    await put('uploads/first.csv', '1');
    await put('uploads/second.csv', '2');
    await put('uploads/third.csv', '3');
    const stopping = running.stop();
    release();
    await stopping;

    expect(maxActive).toBe(1);
    expect(started).toEqual(['uploads/first.csv']);
    expect(running.delivered).toBe(1);
    expect(running.failed.map((failure) => [failure.key, failure.attempts, failure.error])).toEqual([
      ['uploads/second.csv', 0, 'bridge stopped before delivery'],
      ['uploads/third.csv', 0, 'bridge stopped before delivery'],
    ]);
  });

  it('runs handlers in parallel up to the concurrency limit', async () => {
    let active = 0;
    let maxActive = 0;
    const { running } = bridge({
      concurrency: 2,
      handler: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active -= 1;
      },
    });
    for (const name of ['p1', 'p2', 'p3', 'p4']) await put(`uploads/${name}.csv`, name);
    await running.idle();
    await running.stop();
    expect(running.delivered).toBe(4);
    expect(maxActive).toBeLessThanOrEqual(2);
  });
});
