// The console's upload route (functions/cli/console-uploads.ts) on both servers that serve it, against the real
// s3rver from globalSetup: the object lands at the key the CLI would use, with the bytes sent; config.json is
// validated as the build would; bad names are 400s naming where; the header and the length are required.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handleConsoleUpload } from '../../functions/cli/console-uploads.js';
import { isJobOfUpload } from '../../functions/cli/job-match.js';
import { startConsoleServer, type RunningConsoleServer } from '../../functions/cli/console-server.js';
import type { StackTarget } from '../../functions/cli/target.js';
import { startApiServer, type RunningApiServer } from '../../functions/local/api-gateway-server.js';
import { LOCAL_CREDENTIALS } from '../../functions/local/defaults.js';

const BUCKET = 'console-uploads-test';
const directory = mkdtempSync(join(tmpdir(), 'affinity-console-uploads-'));
let target: StackTarget;
let s3: S3Client;
let consoleServer: RunningConsoleServer;
let apiServer: RunningApiServer;
const apiHandlerCalls: string[] = [];

beforeAll(async () => {
  const s3Endpoint = inject('s3Endpoint');
  s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // Nothing listens at apiUrl: uploads never go through the API.
  target = { apiUrl: 'http://127.0.0.1:9', bucket: BUCKET, region: 'us-east-1', s3Endpoint, local: true };
  consoleServer = await startConsoleServer({ target, consoleDir: directory, port: 0, log: () => {} });
  apiServer = await startApiServer({
    handler: async (event) => {
      apiHandlerCalls.push(event.rawPath);
      return { statusCode: 200, body: '{}' };
    },
    log: () => {},
    consoleUploads: (req, res) => handleConsoleUpload(req, res, target),
  });
});

afterAll(async () => {
  await consoleServer?.stop();
  await apiServer?.stop();
  s3?.destroy();
  rmSync(directory, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A raw request, so that content-length can be left out and headers are sent exactly as given. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    if (body && chunked) {
      req.write(body);
    } else if (body) {
      req.setHeader('content-length', body.length);
      req.write(body);
    }
    req.end();
  });
}

const CONSOLE = { 'x-affinity-console': '1' };

async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

const servers = () => [
  ['affinity console', consoleServer.url],
  ['the local API server (npm start)', apiServer.url],
];

describe('PUT /console/uploads/{dataset}/{fileName}', () => {
  it.each([0, 1])(
    'puts the bytes at uploads/<dataset>/<name> and answers its key, ETag and kind (server %i)',
    async (index) => {
      const [, base] = servers()[index];
      const csv = Buffer.from(`user,item,rating\nu1,i1,5\nu2,i1,3\nserver-${index},i2,4\n`);
      const answer = await send(base, 'PUT', '/console/uploads/demo/ratings.csv', CONSOLE, csv);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ bucket: BUCKET, key: 'uploads/demo/ratings.csv', kind: 'ratings' });
      expect(await objectBytes('uploads/demo/ratings.csv')).toEqual(csv);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/demo/ratings.csv' }));
      expect(answer.body.eTag).toBe(head.ETag);
    },
  );

  it('decodes each part: a catalogue in a dataset whose name needs encoding', async () => {
    const items = Buffer.from('itemId,title\ni1,Émile & co\n');
    const answer = await send(
      consoleServer.url,
      'PUT',
      `/console/uploads/${encodeURIComponent('my data')}/items.csv`,
      CONSOLE,
      items,
    );
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ key: 'uploads/my data/items.csv', kind: 'catalogue' });
    expect(await objectBytes('uploads/my data/items.csv')).toEqual(items);
  });

  it('accepts a valid config.json as kind config', async () => {
    const config = Buffer.from('{"measure":"cosine","k":20}');
    const answer = await send(consoleServer.url, 'PUT', '/console/uploads/configured/config.json', CONSOLE, config);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ key: 'uploads/configured/config.json', kind: 'config' });
    expect(await objectBytes('uploads/configured/config.json')).toEqual(config);
  });

  it('refuses an invalid config.json with 400, puts nothing', async () => {
    const notJson = await send(
      consoleServer.url,
      'PUT',
      '/console/uploads/badconfig/config.json',
      CONSOLE,
      Buffer.from('{"k":'),
    );
    expect(notJson.status).toBe(400);
    expect(notJson.headers['content-type']).toBe('application/problem+json');
    expect(notJson.body.detail).toMatch(/not valid JSON/);
    expect(notJson.body.hint).toMatch(/JSON object/);
    const badField = await send(
      consoleServer.url,
      'PUT',
      '/console/uploads/badconfig/config.json',
      CONSOLE,
      Buffer.from('{"k":-3}'),
    );
    expect(badField.status).toBe(400);
    expect(String(badField.body.detail)).toMatch(/k/);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/badconfig/config.json' })),
    ).rejects.toThrow();
  });

  it('refuses a dataset name with a / (encoded) and one over the length limit, naming where', async () => {
    const slash = await send(
      consoleServer.url,
      'PUT',
      `/console/uploads/${encodeURIComponent('a/b')}/r.csv`,
      CONSOLE,
      Buffer.from('u,i\n'),
    );
    expect(slash.status).toBe(400);
    expect(slash.body).toMatchObject({ status: 400, where: 'dataset' });
    const long = await send(
      consoleServer.url,
      'PUT',
      `/console/uploads/${'d'.repeat(300)}/r.csv`,
      CONSOLE,
      Buffer.from('u,i\n'),
    );
    expect(long.status).toBe(400);
    expect(long.body.where).toBe('dataset / fileName');
    expect(long.body.detail).toMatch(/would start no build/);
    const badEncoding = await send(
      consoleServer.url,
      'PUT',
      '/console/uploads/%E0%A4%A/r.csv',
      CONSOLE,
      Buffer.from('u,i\n'),
    );
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.where).toBe('dataset');
  });

  it('refuses a body over S3’s one-PutObject limit before reading it', async () => {
    const answer = await send(consoleServer.url, 'PUT', '/console/uploads/huge/r.csv', {
      ...CONSOLE,
      'content-length': String(5 * 1024 ** 3 + 1),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/5368709121 bytes, over the 5368709120 byte limit/);
  });

  it.each([0, 1])('without x-affinity-console: 403 and nothing put (server %i)', async (index) => {
    const [, base] = servers()[index];
    const answer = await send(base, 'PUT', '/console/uploads/noheader/r.csv', {}, Buffer.from('u,i\n'));
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/noheader/r.csv' }))).rejects.toThrow();
  });

  it.each([0, 1])('from another Origin: 403 even with the header (server %i)', async (index) => {
    const [, base] = servers()[index];
    const answer = await send(
      base,
      'PUT',
      '/console/uploads/foreign/r.csv',
      { ...CONSOLE, origin: 'https://evil.example' },
      Buffer.from('u,i\n'),
    );
    expect(answer.status).toBe(403);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/foreign/r.csv' }))).rejects.toThrow();
  });

  it('S3 unreachable → 502 naming the endpoint', async () => {
    const down = { ...target, s3Endpoint: 'http://127.0.0.1:9' };
    const server = await startConsoleServer({ target: down, consoleDir: directory, port: 0, log: () => {} });
    try {
      const answer = await send(server.url, 'PUT', '/console/uploads/down/r.csv', CONSOLE, Buffer.from('u,i\n'));
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ title: 'Upload to the bucket failed', where: 'http://127.0.0.1:9' });
      expect(answer.body.hint).toMatch(/npm start/);
    } finally {
      await server.stop();
    }
  });

  it('without content-length (chunked): 411', async () => {
    const answer = await send(
      consoleServer.url,
      'PUT',
      '/console/uploads/chunked/r.csv',
      CONSOLE,
      Buffer.from('u,i\n'),
      true,
    );
    expect(answer.status).toBe(411);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/chunked/r.csv' }))).rejects.toThrow();
  });

  it('other methods: 405 with allow: PUT; the API handler never sees the route', async () => {
    const answer = await send(apiServer.url, 'GET', '/console/uploads/demo/ratings.csv', CONSOLE);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('PUT');
    expect(apiHandlerCalls).toEqual([]);
  });
});

describe('isJobOfUpload (the page follows the build it started)', () => {
  const job = (key: string, eTag?: string) => ({ source: { key, eTag } }) as Parameters<typeof isJobOfUpload>[0];
  it('matches key and ETag, quoted or bare; a different ETag or key is another upload', () => {
    expect(isJobOfUpload(job('uploads/d/r.csv', 'abc'), 'uploads/d/r.csv', '"abc"')).toBe(true);
    expect(isJobOfUpload(job('uploads/d/r.csv', '"abc"'), 'uploads/d/r.csv', 'abc')).toBe(true);
    expect(isJobOfUpload(job('uploads/d/r.csv', 'old'), 'uploads/d/r.csv', '"abc"')).toBe(false);
    expect(isJobOfUpload(job('uploads/d/other.csv', 'abc'), 'uploads/d/r.csv', '"abc"')).toBe(false);
    expect(isJobOfUpload(job('uploads/d/r.csv'), 'uploads/d/r.csv', '"abc"')).toBe(true);
  });
});
