// `affinity console` (functions/cli/console-server.ts, console-proxy.ts) against a small real HTTP server standing
// in for API Gateway: a deployed stack's requests must verify as SigV4 (service execute-api) with the fixed test
// credentials, recomputed here with @smithy/signature-v4; bearer and local modes; bodies and statuses pass
// through; the Host / Origin / header guards and the path rule forward nothing; an unreachable API is a 502.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upstreamUrl } from '../../functions/cli/console-proxy.js';
import { startConsoleServer, type RunningConsoleServer } from '../../functions/cli/console-server.js';
import type { StackTarget } from '../../functions/cli/target.js';
import { UserInputError } from '../../functions/engine/types.js';

const CREDENTIALS = { accessKeyId: 'AKIDCONSOLETEST', secretAccessKey: 'console-test-secret' };
const REGION = 'eu-west-1';
const directory = mkdtempSync(join(tmpdir(), 'affinity-console-server-'));
writeFileSync(join(directory, 'index.html'), '<!doctype html><title>console</title>');

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
let received: Received[] = [];
let upstream: Server;
let upstreamBase: string;
const running: RunningConsoleServer[] = [];

/** Recomputes the request's signature from what arrived; true only when it matches the one sent. */
async function verifiesAsSigV4(request: Received): Promise<boolean> {
  const authorization = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return false;
  const [, accessKeyId, , region, service, signedHeaderList, signature] = match;
  if (accessKeyId !== CREDENTIALS.accessKeyId || region !== REGION || service !== 'execute-api') return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaderList.split(';')) headers[name] = String(request.headers[name] ?? '');
  // The signer trusts this header as the payload's hash; API Gateway hashes the body it got, and so does this.
  if ('x-amz-content-sha256' in headers)
    headers['x-amz-content-sha256'] = createHash('sha256').update(request.body).digest('hex');
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const url = new URL(request.url, 'http://placeholder');
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: String(request.headers.host).split(':')[0],
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate },
  );
  return String(expected.headers.authorization).endsWith(`Signature=${signature}`);
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/v1/missing')) {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'no dataset missing' }));
        return;
      }
      res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json', 'x-internal': 'secret' });
      res.end(JSON.stringify({ echoed: body.toString('utf8'), path: req.url }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamBase = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

beforeEach(() => {
  received = [];
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

async function consoleFor(target: Partial<StackTarget>, host?: string): Promise<RunningConsoleServer> {
  const server = await startConsoleServer({
    target: { apiUrl: upstreamBase, bucket: 'unused', region: REGION, local: false, ...target },
    consoleDir: directory,
    port: 0,
    host,
    credentials: CREDENTIALS,
    log: () => {},
  });
  running.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** A raw request: the path is sent exactly as given (fetch would normalise it) and Host can be set. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.setHeader('content-length', Buffer.byteLength(body));
    req.end(body);
  });
}

const CONSOLE = { 'x-affinity-console': '1' };

describe('proxy to a deployed stack, SigV4', () => {
  it('signs a GET with a query so that it verifies; status, content-type and body pass through', async () => {
    const server = await consoleFor({});
    const answer = await send(server.url, 'GET', '/v1/datasets/demo/users/u%201/recommendations?limit=5&fields=title', {
      ...CONSOLE,
      cookie: 'session=browser',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['x-internal']).toBeUndefined();
    expect(JSON.parse(answer.text).path).toBe('/v1/datasets/demo/users/u%201/recommendations?limit=5&fields=title');
    expect(received).toHaveLength(1);
    expect(received[0].headers.cookie).toBeUndefined();
    expect(received[0].headers['x-affinity-console']).toBeUndefined();
    expect(await verifiesAsSigV4(received[0])).toBe(true);
  });

  it('signs a POST body; the upstream status and the bytes pass through; a tampered body would not verify', async () => {
    const server = await consoleFor({});
    const body = JSON.stringify({ history: [{ item: 'i1', rating: 5 }] });
    const answer = await send(
      server.url,
      'POST',
      '/v1/datasets/demo/recommendations',
      { ...CONSOLE, 'content-type': 'application/json' },
      body,
    );
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.text).echoed).toBe(body);
    expect(received[0].body.toString('utf8')).toBe(body);
    expect(await verifiesAsSigV4(received[0])).toBe(true);
    expect(await verifiesAsSigV4({ ...received[0], body: Buffer.from(body.replace('5', '4')) })).toBe(false);
  });

  it('passes a problem+json error through with its status', async () => {
    const server = await consoleFor({});
    const answer = await send(server.url, 'GET', '/v1/missing', CONSOLE);
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.text)).toEqual({ title: 'Not Found', status: 404, detail: 'no dataset missing' });
  });

  it('forwards /health', async () => {
    const server = await consoleFor({});
    expect((await send(server.url, 'GET', '/health', CONSOLE)).status).toBe(200);
    expect(received.map((r) => r.url)).toEqual(['/health']);
  });
});

describe('bearer and local modes', () => {
  it('with a token: authorization Bearer, no SigV4', async () => {
    const server = await consoleFor({ token: 'eyJ.test.token' });
    const answer = await send(
      server.url,
      'POST',
      '/v1/datasets/demo/events',
      { ...CONSOLE, 'content-type': 'application/json' },
      '{"events":[]}',
    );
    expect(answer.status).toBe(202);
    expect(received[0].headers.authorization).toBe('Bearer eyJ.test.token');
    expect(received[0].headers['x-amz-date']).toBeUndefined();
    expect(received[0].body.toString('utf8')).toBe('{"events":[]}');
  });

  it('the local stack: unsigned, the browser’s authorization not forwarded', async () => {
    const server = await consoleFor({ local: true });
    await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, authorization: 'Basic from-browser' });
    expect(received).toHaveLength(1);
    expect(received[0].headers.authorization).toBeUndefined();
  });
});

describe('guards (nothing forwarded)', () => {
  it('a foreign Host (DNS rebinding) → 421', async () => {
    const server = await consoleFor({});
    const answer = await send(server.url, 'GET', '/v1/datasets', {
      ...CONSOLE,
      host: `evil.example:${new URL(server.url).port}`,
    });
    expect(answer.status).toBe(421);
    expect(received).toEqual([]);
  });

  it('localhost and 127.0.0.1 with the port are its own hosts', async () => {
    const server = await consoleFor({});
    const port = new URL(server.url).port;
    expect((await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, host: `localhost:${port}` })).status).toBe(200);
    expect((await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, host: `127.0.0.1:1${port}` })).status).toBe(
      421,
    );
  });

  it('a foreign Origin → 403 even on GET with the header; the own origin passes', async () => {
    const server = await consoleFor({});
    const foreign = await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(received).toEqual([]);
    const own = await send(server.url, 'GET', '/v1/datasets', { ...CONSOLE, origin: server.url });
    expect(own.status).toBe(200);
  });

  it('without x-affinity-console → 403; an OPTIONS preflight gets no CORS approval', async () => {
    const server = await consoleFor({});
    expect((await send(server.url, 'GET', '/v1/datasets', {})).status).toBe(403);
    expect(
      (await send(server.url, 'POST', '/v1/datasets/demo/events', { 'content-type': 'text/plain' }, 'x')).status,
    ).toBe(403);
    const preflight = await send(server.url, 'OPTIONS', '/v1/datasets', { 'access-control-request-method': 'GET' });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
    expect(received).toEqual([]);
  });

  it.each([
    '/v1/../admin',
    '/v1/%2e%2e/admin',
    '/v1/datasets/%2E%2E/%2e%2e/other',
    '//evil.example/v1/datasets',
    'http://evil.example/v1/datasets',
    '/v2/datasets',
    '/healthz',
    '/openapi.json',
  ])('path %s → 404', async (path) => {
    const server = await consoleFor({});
    const answer = await send(server.url, 'GET', path, CONSOLE);
    expect(answer.status).toBe(404);
    expect(received).toEqual([]);
  });

  it('upstreamUrl keeps the API origin and the two paths only', () => {
    expect(upstreamUrl('https://abc.execute-api.eu-west-1.amazonaws.com', '/v1/datasets?x=1')?.toString()).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/v1/datasets?x=1',
    );
    expect(upstreamUrl('https://abc.execute-api.eu-west-1.amazonaws.com', '@evil.example/v1/')).toBeUndefined();
    expect(upstreamUrl('https://abc.execute-api.eu-west-1.amazonaws.com', '/v1/a/./b')).toBeUndefined();
  });

  it('refuses to listen on a non-loopback address', async () => {
    await expect(consoleFor({}, '0.0.0.0')).rejects.toBeInstanceOf(UserInputError);
    await expect(consoleFor({}, '192.168.1.10')).rejects.toThrow(/loopback only/);
  });

  it('serves the console files under /console/', async () => {
    const server = await consoleFor({});
    const page = await send(server.url, 'GET', '/console/', {});
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>console</title>');
    expect((await send(server.url, 'GET', '/console/../index.html', {})).status).toBe(404);
  });
});

describe('upstream down', () => {
  it('no AWS credentials to sign with → 502 saying what to configure, nothing forwarded', async () => {
    const server = await startConsoleServer({
      target: { apiUrl: upstreamBase, bucket: 'unused', region: REGION, local: false },
      consoleDir: directory,
      port: 0,
      credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      log: () => {},
    });
    running.push(server);
    const answer = await send(server.url, 'GET', '/v1/datasets', CONSOLE);
    expect(answer.status).toBe(502);
    const problem = JSON.parse(answer.text);
    expect(problem.detail).toMatch(/Could not load credentials/);
    expect(problem.hint).toMatch(/execute-api:Invoke/);
    expect(received).toEqual([]);
  });

  it('→ 502 problem+json naming the URL and what to check', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const server = await consoleFor({ apiUrl: deadUrl });
    const answer = await send(server.url, 'GET', '/v1/datasets', CONSOLE);
    expect(answer.status).toBe(502);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(answer.text);
    expect(problem.detail).toContain(`${deadUrl}/v1/datasets`);
    expect(problem.where).toBe(deadUrl);
    expect(problem.hint).toMatch(/ApiUrl/);
  });
});
