/**
 * A local stand-in for an API Gateway HTTP API ($default route, Lambda proxy integration, payload format 2.0).
 * Each Node HTTP request becomes the event API Gateway would send, and the handler's result is turned back into
 * an HTTP response by API Gateway's rules, so the API handler runs locally exactly as deployed. Unlike API
 * Gateway it has no authentication, so it first refuses requests for other Host names and cross-site requests
 * that change state (./request-guard.ts).
 * Reference: docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { logSafePath } from '../log-redaction.js';
import { createLambdaContext } from './lambda-context.js';
import { configuredRegion } from './defaults.js';
import { allowedHosts, refuseRequest } from './request-guard.js';
import { CONSOLE_UPLOADS_PREFIX, isConsolePath, serveConsole } from './console-static.js';
import { API_GATEWAY_MAX_BODY_BYTES, readBody, sendProblem } from './http-replies.js';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Lambda's synchronous invocation quota, for the event and for the result. */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** HTTP APIs give up on an integration after 30 s. */
export const API_GATEWAY_TIMEOUT_MS = 30_000;

export interface ApiServerOptions {
  handler: ApiHandler;
  /** 0 (default) = ephemeral port. */
  port?: number;
  host?: string;
  region?: string;
  functionName?: string;
  /** Integration timeout; API Gateway answers 503 after it. */
  timeoutMs?: number;
  /** Handler errors and protocol violations are logged here (CloudWatch's role). */
  log?: (line: string) => void;
  /**
   * Host names the server answers to besides localhost, 127.0.0.1, [::1] and the address it listens on, each
   * with the server's port (e.g. a name from /etc/hosts). Requests for any other Host are refused (421).
   */
  allowedHosts?: readonly string[];
  /** A built web console (functions/console/build.ts) to serve under /console/, outside the API handler. */
  consoleDir?: string;
  /**
   * The console's upload route (functions/cli/console-uploads.ts), given by the caller so that this folder needs
   * no CLI code; it answers every path under /console/uploads/, after the Host and cross-site checks.
   */
  consoleUploads?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface RunningApiServer {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Media types API Gateway HTTP APIs pass as text; every other body arrives base64-encoded. */
const TEXT_MEDIA_TYPE = /^(text\/[^;]+|application\/(json|javascript|xml|[^;]*\+json|[^;]*\+xml))\s*(;|$)/i;

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const host = options.host ?? '127.0.0.1';
  const region = configuredRegion(options.region);
  const functionName = options.functionName ?? 'affinity-api';
  const timeoutMs = options.timeoutMs ?? API_GATEWAY_TIMEOUT_MS;
  const log = options.log ?? ((line: string) => console.error(line));
  const apiId = 'local';
  // Filled once the port is known (no request arrives before listen() has bound it).
  let hosts = new Set<string>();

  const server = createServer((req, res) => {
    const requestId = randomBytes(10).toString('base64');
    res.setHeader('apigw-requestid', requestId);
    handleRequest(req, res, requestId).catch((error: unknown) => {
      log(
        `API ${req.method} ${logSafePath(req.url ?? '')}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const refusal = refuseRequest(req, hosts);
    if (refusal) {
      log(`API ${req.method} ${logSafePath(req.url ?? '')} refused (${refusal.status}): ${refusal.detail}`);
      sendProblem(res, refusal.status, refusal.title, refusal.detail, {}, { type: refusal.type, hint: refusal.hint });
      return;
    }
    if (options.consoleUploads !== undefined && (req.url ?? '').startsWith(CONSOLE_UPLOADS_PREFIX)) {
      await options.consoleUploads(req, res);
      return;
    }
    if (options.consoleDir !== undefined && isConsolePath(req.url ?? '')) {
      serveConsole(req, res, options.consoleDir);
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      sendProblem(
        res,
        413,
        'Request Entity Too Large',
        `The request body exceeds API Gateway's ${API_GATEWAY_MAX_BODY_BYTES} byte limit. Send a smaller payload (upload large files to S3 instead).`,
      );
      return;
    }
    const event = toApiGatewayEvent(req, body, { requestId, apiId });
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_MAX_PAYLOAD_BYTES) {
      sendProblem(
        res,
        413,
        'Request Entity Too Large',
        `The request, as a Lambda event, exceeds Lambda's ${LAMBDA_MAX_PAYLOAD_BYTES} byte invocation limit (binary bodies grow by a third in base64). Send a smaller payload.`,
      );
      return;
    }
    const context = createLambdaContext({ functionName, timeoutMs, region });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let result: APIGatewayProxyResultV2 | 'timeout';
    try {
      result = await Promise.race([options.handler(event, context), timedOut]);
    } catch (error) {
      log(
        `API handler threw for ${event.requestContext.http.method} ${logSafePath(event.rawPath)} (request ${requestId}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      sendJson(res, 500, { message: 'Internal Server Error' });
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === 'timeout') {
      log(
        `API handler did not answer ${event.requestContext.http.method} ${logSafePath(event.rawPath)} within ${timeoutMs} ms`,
      );
      sendJson(res, 503, { message: 'Service Unavailable' });
      return;
    }
    const response = fromHandlerResult(result);
    if ('error' in response) {
      log(
        `API handler result for ${event.requestContext.http.method} ${logSafePath(event.rawPath)} rejected: ${response.error}`,
      );
      sendJson(res, 500, { message: 'Internal Server Error' });
      return;
    }
    res.statusCode = response.statusCode;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    if (response.cookies.length > 0) res.setHeader('set-cookie', response.cookies);
    res.end(req.method === 'HEAD' ? undefined : response.body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port, host, options.allowedHosts);
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/** The body, or 'too-large' (read to the end and discarded, so the client still gets the 413). */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  ids: { requestId: string; apiId: string; now?: Date },
): APIGatewayProxyEventV2 {
  const now = ids.now ?? new Date();
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

  const headerMap = new Map<string, string>();
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    const previous = headerMap.get(name);
    headerMap.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  // Headers API Gateway adds on its way to the integration.
  const forwardedFor = headerMap.get('x-forwarded-for');
  headerMap.set('x-forwarded-for', forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`);
  headerMap.set('x-forwarded-port', String(req.socket.localPort ?? ''));
  headerMap.set('x-forwarded-proto', 'http');
  headerMap.set(
    'x-amzn-trace-id',
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
  );
  const headers: Record<string, string> = Object.fromEntries(headerMap);

  const domainName = headers.host ?? `127.0.0.1:${req.socket.localPort}`;
  const hasBody = body.length > 0;
  const isText = TEXT_MEDIA_TYPE.test(headers['content-type'] ?? '') && !isCompressed(headers['content-encoding']);
  const queryStringParameters = parseQueryString(rawQueryString);

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: ids.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ids.requestId,
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !isText,
  };
}

/** Values are percent-decoded ('+' stays '+', as API Gateway leaves it); repeated names are comma-joined. */
function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  // A Map, then fromEntries: a parameter named __proto__ must stay a parameter.
  const parameters = new Map<string, string>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = percentDecode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : percentDecode(pair.slice(equals + 1));
    const previous = parameters.get(name);
    parameters.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return parameters.size > 0 ? Object.fromEntries(parameters) : undefined;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isCompressed(contentEncoding: string | undefined): boolean {
  return (
    contentEncoding !== undefined &&
    contentEncoding.trim().toLowerCase() !== 'identity' &&
    contentEncoding.trim() !== ''
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
function apiGatewayTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * API Gateway's reading of a payload 2.0 result: an object with `statusCode` is a structured response; anything
 * else (a string, an object without `statusCode`) is a 200 JSON body. Fields of payload 1.0 such as
 * `multiValueHeaders` are ignored, as API Gateway ignores them.
 */
export function fromHandlerResult(result: unknown): HttpResponseParts | { error: string } {
  const serialized = JSON.stringify(result) ?? 'null';
  if (Buffer.byteLength(serialized) > LAMBDA_MAX_PAYLOAD_BYTES) {
    return { error: `the result exceeds Lambda's ${LAMBDA_MAX_PAYLOAD_BYTES} byte response limit` };
  }
  const jsonHeaders = { 'content-type': 'application/json' };
  if (typeof result === 'string')
    return { statusCode: 200, headers: jsonHeaders, cookies: [], body: Buffer.from(result) };
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    return { statusCode: 200, headers: jsonHeaders, cookies: [], body: Buffer.from(serialized) };
  }
  const structured = result as Record<string, unknown>;
  const statusCode = structured.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { error: `statusCode ${JSON.stringify(statusCode)} is not an HTTP status code` };
  }
  const headers: Record<string, string> = {};
  if (structured.headers !== undefined && structured.headers !== null) {
    if (typeof structured.headers !== 'object') return { error: 'headers must be an object' };
    for (const [name, value] of Object.entries(structured.headers)) headers[name.toLowerCase()] = String(value);
  }
  const cookies = structured.cookies ?? [];
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) {
    return { error: 'cookies must be an array of strings' };
  }
  const body = structured.body ?? '';
  if (typeof body !== 'string') return { error: `body must be a string, got ${typeof body}` };
  return {
    statusCode,
    headers,
    cookies: cookies as string[],
    body: structured.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

function sendJson(res: ServerResponse, statusCode: number, payload: unknown): void {
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(payload));
}
