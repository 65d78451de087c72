// The local API has no authentication, so the local HTTP server itself refuses what a web page could make a
// visitor's browser send it (issue 8, point 9): state-changing requests from another site (Origin /
// Sec-Fetch-Site), and any request whose Host is not this server (DNS rebinding: a page on evil.example whose name
// now resolves to 127.0.0.1 is same-origin with itself, so only the Host header gives it away). Same-origin
// requests and non-browser clients (curl, the CLI: neither header) pass. Real HTTP requests to the real app.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import type { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../../functions/api/app.js';
import { startApiServer, type ApiHandler, type RunningApiServer } from '../../functions/local/api-gateway-server.js';
import { createTestStore, FILMS, recordingLogger, recordingMetrics, writeModel } from '../api/fixture.js';

let store: DynamoModelStore;
let server: RunningApiServer;
let extraHosts: RunningApiServer;
const logs: string[] = [];

beforeAll(async () => {
  ({ store } = await createTestStore());
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  await writeModel(store, 'films', 'v2', FILMS, '2024-05-02T10:00:00.000Z#2');
  const serve = handle(createApp({ store, logger: recordingLogger(), metrics: recordingMetrics() }));
  const handler: ApiHandler = async (event, context) =>
    (await serve(event as unknown as LambdaEvent, context)) as APIGatewayProxyResultV2;
  server = await startApiServer({ handler, log: (line) => logs.push(line) });
  extraHosts = await startApiServer({ handler, allowedHosts: ['affinity.test'], log: (line) => logs.push(line) });
});
afterAll(async () => {
  await Promise.all([server?.stop(), extraHosts?.stop()]);
});

const activeVersion = async () => (await store.getManifest('films'))!.activeVersion;

/**
 * One HTTP/1.1 request written on a socket, so that Host, Origin and Sec-Fetch-* are exactly what a browser (or
 * an attacker's page) would send; `fetch` would set some of them itself.
 */
function send(
  target: RunningApiServer,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string; http10?: boolean },
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const headers: Record<string, string> = { host: `127.0.0.1:${target.port}`, ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  const lines = [
    `${request.method ?? 'GET'} ${request.path} HTTP/1.${request.http10 ? 0 : 1}`,
    ...Object.entries(headers)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}: ${value}`),
    'connection: close',
    '',
    request.body ?? '',
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, '127.0.0.1', () => socket.write(lines.join('\r\n')));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const parsed = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers: parsed, body: rest.join('\r\n\r\n') });
    });
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

function expectProblem(response: { status: number; headers: Record<string, string>; body: string }, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const problem = JSON.parse(response.body) as { type: string; title: string; status: number; detail: string };
  expect(problem.status).toBe(status);
  expect(problem.type).toMatch(/^urn:affinity:problem:/);
  expect(problem.title).toBeTruthy();
  return problem;
}

describe('cross-site requests that change state', () => {
  it.each([
    ['a no-cors fetch from another site', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['the same, as text/plain', { origin: 'http://evil.example', 'content-type': 'text/plain' }],
    ['a page on another port of this host', { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' }],
    ['a sandboxed or file:// page', { origin: 'null', ...JSON_TYPE }],
    ['only Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', ...JSON_TYPE }],
    ['only Origin, with JSON', { origin: 'https://evil.example', ...JSON_TYPE }],
    ['an Origin that is this server over https', { origin: 'https://127.0.0.1:PORT', ...JSON_TYPE }],
  ])('%s: 403 problem, the model stays', async (_name, headers: Record<string, string>) => {
    expect(await activeVersion()).toBe('v2');
    const withPort = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(server.port))]),
    );
    const problem = expectProblem(
      await send(server, { method: 'POST', path: '/v1/datasets/films/rollback', headers: withPort }),
      403,
    );
    expect(problem.detail).toMatch(/cross-site/);
    expect(await activeVersion()).toBe('v2');
  });

  it('a DELETE (erasure) from another site: 403, nothing recorded; from curl it needs no body or content type', async () => {
    const crossSite = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    expectProblem(
      await send(server, { method: 'DELETE', path: '/v1/datasets/films/items/m5', headers: crossSite }),
      403,
    );
    expect((await send(server, { path: '/v1/datasets/films/erasures/items/m5' })).status).toBe(404);
    expect((await send(server, { method: 'DELETE', path: '/v1/datasets/films/items/m5' })).status).toBe(200);
    expect((await send(server, { path: '/v1/datasets/films/erasures/items/m5' })).status).toBe(200);
  });

  it('reads from another site are answered (without CORS headers a page cannot read them)', async () => {
    const response = await send(server, {
      path: '/v1/datasets/films/popular',
      headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('requests that pass', () => {
  it('a same-origin page (Origin is this server, Sec-Fetch-Site same-origin)', async () => {
    for (const [host, version] of [
      [`127.0.0.1:${server.port}`, 'v1'],
      [`localhost:${server.port}`, 'v2'],
    ]) {
      const response = await send(server, {
        method: 'POST',
        path: '/v1/datasets/films/rollback',
        headers: { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin', ...JSON_TYPE },
        body: JSON.stringify({ version }),
      });
      expect(response.status).toBe(200);
      expect(await activeVersion()).toBe(version);
    }
  });

  it('a non-browser client (no Origin, no Sec-Fetch-*) must still send JSON: 415 from the API otherwise', async () => {
    expectProblem(await send(server, { method: 'POST', path: '/v1/datasets/films/rollback' }), 415);
    expect(await activeVersion()).toBe('v2');
  });

  it('Sec-Fetch-Site: none (typed by the user) is not cross-site', async () => {
    const response = await send(server, {
      method: 'POST',
      path: '/v1/datasets/films/rollback',
      headers: { 'sec-fetch-site': 'none', ...JSON_TYPE },
      body: '{"version":"v2"}',
    });
    expect(response.status).toBe(200);
  });
});

describe('the Host header (DNS rebinding)', () => {
  it.each([`evil.example:PORT`, 'evil.example', `127.0.0.1:1`, `localhost`, `127.0.0.1.nip.io:PORT`])(
    'Host %s: 421 problem for reads and writes, the handler is not called',
    async (host) => {
      const hostHeader = host.replace('PORT', String(server.port));
      for (const request of [
        { path: '/v1/datasets/films/popular' },
        { method: 'POST', path: '/v1/datasets/films/rollback', headers: JSON_TYPE, body: '{"version":"v1"}' },
      ]) {
        const problem = expectProblem(
          await send(server, { ...request, headers: { ...request.headers, host: hostHeader } }),
          421,
        );
        expect(problem.detail).toContain(hostHeader);
      }
      expect(await activeVersion()).toBe('v2');
    },
  );

  it('a request without Host (HTTP/1.0) is refused too', async () => {
    expectProblem(await send(server, { path: '/health', headers: { host: '' }, http10: true }), 421);
  });

  it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])(
    'Host %s is this server',
    async (host) => {
      const response = await send(server, {
        path: '/health',
        headers: { host: host.replace('PORT', String(server.port)) },
      });
      expect(response.status).toBe(200);
    },
  );

  it('more names can be allowed (allowedHosts), with the server port', async () => {
    const ok = await send(extraHosts, { path: '/health', headers: { host: `affinity.test:${extraHosts.port}` } });
    expect(ok.status).toBe(200);
    const wrongPort = await send(extraHosts, { path: '/health', headers: { host: 'affinity.test:1' } });
    expect(wrongPort.status).toBe(421);
    const sameOriginWrite = await send(extraHosts, {
      method: 'POST',
      path: '/v1/datasets/films/rollback',
      headers: {
        host: `affinity.test:${extraHosts.port}`,
        origin: `http://affinity.test:${extraHosts.port}`,
        ...JSON_TYPE,
      },
      body: '{"version":"v2"}',
    });
    expect(sameOriginWrite.status).toBe(200);
  });
});
