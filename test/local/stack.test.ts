import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';
import { UserInputError } from '../../functions/engine/types.js';
import { startLocalStack, type LocalStackOptions } from '../../functions/local/stack.js';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function dataDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'affinity-stack-'));
  directories.push(directory);
  return directory;
}

const quietOptions = (overrides: Partial<LocalStackOptions>): LocalStackOptions => ({
  dataDir: dataDir(),
  buildHandler: async () => {},
  apiHandler: async () => ({ statusCode: 404 }),
  bridge: { retryDelayMs: 1 },
  log: () => {},
  ...overrides,
});

describe('local stack', () => {
  it('wires S3 uploads to the build handler and HTTP to the API handler, through the standard SDK env vars', async () => {
    const before = process.env.AWS_ENDPOINT_URL_S3;
    const builds: S3Event[] = [];
    const stack = await startLocalStack(
      quietOptions({
        buildHandler: async (event) => void builds.push(event),
        // Reads the environment at call time, as the deployed handler does.
        apiHandler: async (event) => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path: event.rawPath, table: process.env.TABLE_NAME }),
        }),
      }),
    );
    try {
      expect(process.env.AWS_ENDPOINT_URL_S3).toBe(stack.s3Endpoint);
      expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack.dynamoEndpoint);
      expect(process.env.AWS_REGION).toBe(stack.region);
      expect(process.env.AWS_ACCESS_KEY_ID).toBeTruthy();

      // A client configured by the environment alone, as a handler's would be.
      const s3 = new S3Client({ forcePathStyle: true });
      const rawKey = 'uploads/my data/r+1 ü.csv';
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: rawKey, Body: 'u,i\n' }));
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'reports/not-an-upload.json', Body: '{}' }));
      s3.destroy();
      await stack.bridge.idle();
      expect(builds).toHaveLength(1);
      expect(builds[0].Records[0].s3.bucket.name).toBe('affinity-local');
      expect(decodeS3EventKey(builds[0].Records[0].s3.object.key)).toBe(rawKey);

      const response = await fetch(`${stack.apiUrl}/v1/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ path: '/v1/health', table: 'affinity-local' });
    } finally {
      await stack.stop();
    }
    expect(process.env.AWS_ENDPOINT_URL_S3).toBe(before);
    await expect(fetch(`${stack.apiUrl}/v1/health`)).rejects.toThrow();
  });

  it('keeps objects and table items across a restart with the same data folder', async () => {
    const options = quietOptions({ bucket: 'persist-bucket', table: 'persist-table' });
    const first = await startLocalStack(options);
    try {
      const s3 = new S3Client({ forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: first.bucket, Key: 'models/kept.json', Body: '{"kept":true}' }));
      s3.destroy();
      const dynamo = new DynamoDBClient({});
      await dynamo.send(
        new PutItemCommand({
          TableName: first.table,
          Item: { pk: { S: 'dataset#demo' }, sk: { S: 'manifest' }, revision: { N: '7' } },
        }),
      );
      dynamo.destroy();
    } finally {
      await first.stop();
    }

    const second = await startLocalStack(options);
    try {
      const s3 = new S3Client({ forcePathStyle: true });
      const object = await s3.send(new GetObjectCommand({ Bucket: second.bucket, Key: 'models/kept.json' }));
      expect(await object.Body?.transformToString()).toBe('{"kept":true}');
      s3.destroy();
      const dynamo = new DynamoDBClient({});
      const item = await dynamo.send(
        new GetItemCommand({ TableName: second.table, Key: { pk: { S: 'dataset#demo' }, sk: { S: 'manifest' } } }),
      );
      expect(item.Item?.revision).toEqual({ N: '7' });
      dynamo.destroy();
    } finally {
      await second.stop();
    }
  });

  it('reports a taken port as a user mistake naming the port, and leaves nothing running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const options = quietOptions({ apiPort: port });
    try {
      const error = await startLocalStack(options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).message).toContain(`Port ${port}`);
      expect((error as UserInputError).hint).toMatch(/different port/);
      // Nothing half-started holds the data folder: a full start on it works.
      const stack = await startLocalStack({ ...options, apiPort: 0 });
      await stack.stop();
    } finally {
      blocker.close();
    }
  });
});
