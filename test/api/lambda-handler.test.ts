// The Lambda entry point, driven by API Gateway HTTP API (payload v2) events built by hand, answers exactly as the
// app does under app.request(). The handler builds its own store from TABLE_NAME and AWS_ENDPOINT_URL_DYNAMODB.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTestStore, FILMS, HASH_ITEM, SPACE_ITEM, UNICODE_ITEM, writeModel } from './fixture.js';

type HandlerModule = typeof import('../../functions/handlers/api.js');
let handlerModule: HandlerModule;

beforeAll(async () => {
  const { store, tableName } = await createTestStore();
  await writeModel(store, 'films', 'v1', FILMS, '2024-05-01T10:00:00.000Z#1');
  vi.stubEnv('TABLE_NAME', tableName);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', inject('dynamoEndpoint'));
  vi.stubEnv('AWS_REGION', 'local');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('ID_HASH_KEY', Buffer.alloc(32, 7).toString('base64'));
  handlerModule = await import('../../functions/handlers/api.js');
});

let requestCounter = 0;

function gatewayEvent(
  method: string,
  rawPath: string,
  options: { rawQueryString?: string; body?: string; base64?: boolean; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const requestId = `gw-request-${++requestCounter}`;
  const body =
    options.body === undefined
      ? undefined
      : options.base64
        ? Buffer.from(options.body).toString('base64')
        : options.body;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: options.rawQueryString ?? '',
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'vitest', ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: '01/May/2024:10:00:00 +0000',
      timeEpoch: 1714557600000,
    },
    isBase64Encoded: options.base64 ?? false,
    ...(body === undefined ? {} : { body }),
  };
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'affinity-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:affinity-api',
  memoryLimitInMB: '512',
  awsRequestId: 'lambda-request-1',
  logGroupName: '/aws/lambda/affinity-api',
  logStreamName: '2024/05/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

async function invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handlerModule.handler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;
}

/** Status, content type and JSON body (minus the per-request id) of both paths must agree. */
async function expectSameAsApp(
  event: APIGatewayProxyEventV2,
  path: string,
  init?: RequestInit,
): Promise<APIGatewayProxyStructuredResultV2> {
  const result = await invoke(event);
  const direct = await handlerModule.app.request(path, init);
  expect(result.statusCode).toBe(direct.status);
  expect(result.headers?.['content-type']).toBe(direct.headers.get('content-type'));
  expect(result.headers?.['cache-control']).toBe(direct.headers.get('cache-control') ?? undefined);
  const { requestId: _ignored, ...viaLambda } = JSON.parse(result.body ?? '') as Record<string, unknown>;
  const { requestId: _alsoIgnored, ...viaApp } = (await direct.json()) as Record<string, unknown>;
  expect(viaLambda).toEqual(viaApp);
  return result;
}

describe('Lambda handler (API Gateway v2 events)', () => {
  it('GET recommendations with a query string', async () => {
    const result = await expectSameAsApp(
      gatewayEvent('GET', '/v1/datasets/films/users/u1/recommendations', { rawQueryString: 'limit=2&exclude=m4' }),
      '/v1/datasets/films/users/u1/recommendations?limit=2&exclude=m4',
    );
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body!) as { items: { item: string; score: number }[] };
    expect(body.items.map((item) => item.item)).toEqual(['m3', 'a/b']);
    expect(body.items[0].score).toBeCloseTo(0.5 * 5 + 0.6 * 3, 10);
    expect(result.headers?.['x-request-id']).toMatch(/^gw-request-/);
  });

  it('POST recommendations with a plain and a base64-encoded body', async () => {
    const payload = JSON.stringify({ history: [{ item: HASH_ITEM, rating: 2 }] });
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: payload };
    for (const base64 of [false, true]) {
      const event = gatewayEvent('POST', '/v1/datasets/films/recommendations', {
        body: payload,
        base64,
        headers: { 'content-type': 'application/json' },
      });
      const result = await expectSameAsApp(event, '/v1/datasets/films/recommendations', init);
      const body = JSON.parse(result.body!) as { items: { item: string; score: number }[] };
      expect(body.items.map((item) => [item.item, item.score])).toEqual([
        ['m4', 0.8 * 2],
        ['m5', 0.3 * 2],
      ]);
    }
  });

  it.each([HASH_ITEM, SPACE_ITEM, UNICODE_ITEM])(
    'ids in the path: %j percent-encoded (function URL) or decoded (HTTP API)',
    async (item) => {
      const path = `/v1/datasets/films/items/${encodeURIComponent(item)}/similar`;
      const encoded = await expectSameAsApp(gatewayEvent('GET', path), path);
      expect(encoded.statusCode).toBe(200);
      expect((JSON.parse(encoded.body!) as { item: string }).item).toBe(item);
      // HTTP APIs deliver rawPath percent-decoded: the handler re-encodes what would otherwise read as URL syntax.
      const decoded = await invoke(gatewayEvent('GET', `/v1/datasets/films/items/${item}/similar`));
      expect(decoded.statusCode).toBe(200);
      expect(JSON.parse(decoded.body!)).toEqual(JSON.parse(encoded.body!));
    },
  );

  it("problems: the same document, with API Gateway's request id", async () => {
    const event = gatewayEvent('GET', '/v1/datasets/films/users/u1/recommendations', { rawQueryString: 'limit=0' });
    const result = await expectSameAsApp(event, '/v1/datasets/films/users/u1/recommendations?limit=0');
    expect(result.statusCode).toBe(400);
    expect((JSON.parse(result.body!) as { requestId: string }).requestId).toBe(event.requestContext.requestId);
    await expectSameAsApp(gatewayEvent('GET', '/v1/datasets/nope/popular'), '/v1/datasets/nope/popular');
    await expectSameAsApp(gatewayEvent('GET', '/health'), '/health');
  });

  it('re-encodes only what a decoded path would misread', () => {
    const { reencodeRawPath } = handlerModule;
    expect(reencodeRawPath('/v1/datasets/films/items/c%23d/similar')).toBe('/v1/datasets/films/items/c%23d/similar');
    expect(reencodeRawPath('/v1/datasets/films/items/c#d?/similar')).toBe('/v1/datasets/films/items/c%23d%3F/similar');
    expect(reencodeRawPath('/a b/ü/50%/x%41')).toBe('/a%20b/%C3%BC/50%25/x%41');
  });
});
