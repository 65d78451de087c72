import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { startApiServer, type ApiHandler, type RunningApiServer } from '../../functions/local/api-gateway-server.js';

let server: RunningApiServer | undefined;
let logs: string[] = [];

afterEach(async () => {
  await server?.stop();
  server = undefined;
  logs = [];
});

async function serve(handler: ApiHandler, timeoutMs?: number): Promise<string> {
  server = await startApiServer({ handler, timeoutMs, log: (line) => logs.push(line) });
  return server.url;
}

interface Received {
  event: APIGatewayProxyEventV2;
  context: Context;
}

/** Serves a handler that records what it receives and answers 204. */
async function serveRecorder(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const url = await serve(async (event, context) => {
    received.push({ event, context });
    return { statusCode: 204 };
  });
  return { url, received };
}

/** node:http rather than fetch: it can send repeated headers and exact request targets. */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: string[]; body?: Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // With raw (array) headers Node adds no Host header, which HTTP/1.1 requires.
    const headers = ['Host', new URL(url).host, ...(options.headers ?? [])];
    const req = request(`${url}${options.path}`, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP -> API Gateway v2 event', () => {
  it('passes method, raw path, query, headers and cookies the way API Gateway does', async () => {
    const { url, received } = await serveRecorder();
    const response = await rawRequest(url, {
      path: '/v1/items/a%20b/similar?x=1&x=2&y=%C3%BC&flag&plus=a+b',
      headers: ['X-Dup', 'one', 'x-dup', 'two', 'User-Agent', 'affinity-test/1', 'Cookie', 'a=1; b=2', 'Cookie', 'c=3'],
    });
    expect(response.status).toBe(204);
    expect(received).toHaveLength(1);
    const { event } = received[0];

    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/v1/items/a%20b/similar');
    expect(event.rawQueryString).toBe('x=1&x=2&y=%C3%BC&flag&plus=a+b');
    expect(event.queryStringParameters).toEqual({ x: '1,2', y: 'ü', flag: '', plus: 'a+b' });
    expect(event.headers['x-dup']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('affinity-test/1');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.pathParameters).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);

    const context = event.requestContext;
    expect(context.http).toEqual({
      method: 'GET',
      path: '/v1/items/a%20b/similar',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'affinity-test/1',
    });
    expect(context).toMatchObject({ routeKey: '$default', stage: '$default', domainName: url.replace('http://', '') });
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(context.timeEpoch - Date.now())).toBeLessThan(60_000);
    expect(response.headers['apigw-requestid']).toBe(context.requestId);
  });

  it('omits queryStringParameters and cookies when the request has none', async () => {
    const { url, received } = await serveRecorder();
    await rawRequest(url, { path: '/' });
    expect(received[0].event.rawQueryString).toBe('');
    expect('queryStringParameters' in received[0].event).toBe(false);
    expect('cookies' in received[0].event).toBe(false);
  });

  it('passes text bodies as UTF-8 and binary bodies as base64', async () => {
    const { url, received } = await serveRecorder();
    const json = JSON.stringify({ user: 'zoë', items: ['数据'] });
    await rawRequest(url, {
      method: 'POST',
      path: '/json',
      headers: ['Content-Type', 'application/json; charset=utf-8'],
      body: Buffer.from(json),
    });
    const bytes = Buffer.from([0, 255, 1, 2, 0xc3]);
    await rawRequest(url, {
      method: 'PUT',
      path: '/bin',
      headers: ['Content-Type', 'application/octet-stream'],
      body: bytes,
    });
    await rawRequest(url, {
      method: 'POST',
      path: '/gz',
      headers: ['Content-Type', 'text/csv', 'Content-Encoding', 'gzip'],
      body: bytes,
    });

    const [jsonEvent, binaryEvent, gzipEvent] = received.map((entry) => entry.event);
    expect(jsonEvent.requestContext.http.method).toBe('POST');
    expect(jsonEvent.isBase64Encoded).toBe(false);
    expect(jsonEvent.body).toBe(json);
    expect(binaryEvent.isBase64Encoded).toBe(true);
    expect(Buffer.from(binaryEvent.body!, 'base64')).toEqual(bytes);
    expect(gzipEvent.isBase64Encoded).toBe(true);
    expect(Buffer.from(gzipEvent.body!, 'base64')).toEqual(bytes);
  });

  it('gives the handler a Lambda context', async () => {
    const { url, received } = await serveRecorder();
    await rawRequest(url, { path: '/' });
    const { context } = received[0];
    expect(context.functionName).toBe('affinity-api');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
  });

  it('rejects bodies over API Gateway’s 10 MB limit with 413 problem+json, without calling the handler', async () => {
    const { url, received } = await serveRecorder();
    const response = await rawRequest(url, {
      method: 'POST',
      path: '/upload',
      headers: ['Content-Type', 'text/plain'],
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body.toString())).toMatchObject({ status: 413, title: 'Request Entity Too Large' });
    expect(received).toHaveLength(0);
  });

  it('rejects a request whose event would exceed Lambda’s 6 MB invocation limit', async () => {
    const { url, received } = await serveRecorder();
    // 5 MB of binary is 6.7 MB in base64.
    const response = await rawRequest(url, {
      method: 'POST',
      path: '/upload',
      headers: ['Content-Type', 'application/octet-stream'],
      body: Buffer.alloc(5 * 1024 * 1024, 1),
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString()).detail).toMatch(/Lambda/);
    expect(received).toHaveLength(0);
  });
});

describe('handler result -> HTTP response', () => {
  const answer = (result: APIGatewayProxyResultV2 | unknown) => serve(async () => result as APIGatewayProxyResultV2);

  it('sends status, headers, cookies and a base64 body as bytes', async () => {
    const bytes = Buffer.from([137, 80, 78, 71, 0, 255]);
    const url = await answer({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'X-Count': 3 },
      cookies: ['session=abc; HttpOnly', 'theme=dark'],
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const response = await rawRequest(url, { path: '/' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-count']).toBe('3');
    expect(response.headers['set-cookie']).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    expect(response.body).toEqual(bytes);
  });

  it('treats a string result as a 200 JSON body', async () => {
    const url = await answer('Hello from Lambda!');
    const response = await rawRequest(url, { path: '/' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body.toString()).toBe('Hello from Lambda!');
  });

  it('treats an object without statusCode as a 200 JSON body', async () => {
    const url = await answer({ message: 'hi', items: [1, 2] });
    const response = await rawRequest(url, { path: '/' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'hi', items: [1, 2] });
  });

  it('answers 500 Internal Server Error when the handler throws, and logs the error', async () => {
    const url = await serve(async () => {
      throw new Error('table not found: affinity-local');
    });
    const response = await rawRequest(url, { path: '/boom' });
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(logs.join('\n')).toContain('table not found: affinity-local');
  });

  it('answers 500 when the result is malformed', async () => {
    const url = await answer({ statusCode: 'ok', body: 'x' });
    const response = await rawRequest(url, { path: '/' });
    expect(response.status).toBe(500);
    expect(logs.join('\n')).toContain('statusCode "ok"');
  });

  it('answers 503 Service Unavailable when the handler outlives the integration timeout', async () => {
    const url = await serve(() => new Promise(() => {}), 50);
    const response = await rawRequest(url, { path: '/slow' });
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Service Unavailable' });
  });
});
