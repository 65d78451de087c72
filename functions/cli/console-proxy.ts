/**
 * The proxy of `affinity console`: forwards a browser's `/v1/*` and `/health` requests to the stack's API and
 * streams the answer back (status, content-type and problem+json as they came). A deployed stack's requests are
 * SigV4-signed (service `execute-api`, ./api-client.ts `signRequest`) with the user's credentials, or carry
 * `authorization: Bearer <token>`; the local stack's go unsigned.
 *
 * Safety properties (test/console/console-server.test.ts):
 * - Only `/v1/…` and `/health` reach the API's origin: the upstream URL is the API URL plus the request's path,
 *   re-parsed, and refused unless it still has the API's origin and one of those paths (absolute-form targets,
 *   `..` or `%2e%2e` segments, `//host` tricks end as 404, nothing forwarded).
 * - The browser's own credentials never travel: only a few content headers are forwarded (no cookie, no
 *   authorization, no origin); the signature or token is added here.
 * - Upstream unreachable, or no AWS credentials to sign with: 502 problem+json naming what and what to check.
 * Signed bodies are read whole (SigV4 signs the payload's hash), up to API Gateway's 10 MB; others stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { signRequest, type SigningCredentials } from './api-client.js';
import { API_GATEWAY_MAX_BODY_BYTES, readBody, sendProblem } from '../local/http-replies.js';
import type { StackTarget } from './target.js';

const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'accept-language', 'if-none-match'];
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'etag',
  'retry-after',
  'allow',
  'content-language',
];

export function isProxiedPath(url: string): boolean {
  const path = url.split('?')[0];
  return path.startsWith('/v1/') || path === '/health';
}

/**
 * The upstream URL for a request target, or undefined when it would leave the API's origin or its two paths.
 * Exported for the tests of the rule itself.
 */
export function upstreamUrl(apiUrl: string, requestTarget: string): URL | undefined {
  if (!requestTarget.startsWith('/') || requestTarget.startsWith('//')) return undefined;
  let url: URL;
  try {
    url = new URL(`${apiUrl}${requestTarget}`);
  } catch {
    return undefined;
  }
  const api = new URL(apiUrl);
  const base = api.pathname.replace(/\/$/, '');
  const path = url.pathname.slice(base.length);
  if (url.origin !== api.origin || !url.pathname.startsWith(base)) return undefined;
  // The URL parser has applied `..` and `%2e%2e`; what is left must still be one of the two paths.
  if (!(path.startsWith('/v1/') || path === '/health')) return undefined;
  // A request target whose normalised form differs was rewritten by dot segments: refuse rather than guess.
  if (`${url.pathname}${url.search}` !== `${base}${requestTarget}`) return undefined;
  return url;
}

export interface ProxyOptions {
  target: StackTarget;
  /** Signing credentials for a deployed stack (tests give fixed ones); default: the AWS credential chain. */
  credentials?: SigningCredentials;
}

export async function proxyToApi(req: IncomingMessage, res: ServerResponse, options: ProxyOptions): Promise<void> {
  const { target } = options;
  const url = upstreamUrl(target.apiUrl, req.url ?? '');
  if (!url) {
    return sendProblem(res, 404, 'Not Found', 'The console forwards only /v1/… and /health to the API.');
  }
  const method = req.method ?? 'GET';
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const signed = !target.local && !target.token;
  let body: Buffer | Readable | undefined;
  if (hasBody && signed) {
    const bytes = await readBody(req);
    if (bytes === 'too-large') {
      return sendProblem(
        res,
        413,
        'Request Entity Too Large',
        `The request body exceeds API Gateway's ${API_GATEWAY_MAX_BODY_BYTES} byte limit.`,
      );
    }
    body = bytes;
  } else if (hasBody) {
    body = req;
  }
  let sendHeaders = headers;
  if (signed) {
    try {
      sendHeaders = await signRequest(
        url.toString(),
        method,
        headers,
        body as Buffer | undefined,
        target.region,
        options.credentials,
      );
    } catch (error) {
      return sendProblem(
        res,
        502,
        'AWS credentials unavailable',
        `The console could not sign the request to ${target.apiUrl} with your AWS credentials: ${(error as Error).message}`,
        {},
        {
          where: 'AWS credentials',
          hint: 'Configure credentials the AWS CLI would use (AWS_PROFILE, `aws sso login`, environment variables) with execute-api:Invoke on this API, or pass --token for a stack deployed with auth=jwt.',
        },
      );
    }
  } else if (!target.local && target.token) {
    sendHeaders = { ...headers, authorization: `Bearer ${target.token}` };
  }
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method,
      headers: sendHeaders,
      body: body instanceof Readable ? (Readable.toWeb(body) as ReadableStream) : body,
      // A streamed request body needs half-duplex in Node's fetch.
      ...(body instanceof Readable ? { duplex: 'half' } : {}),
      redirect: 'manual',
    } as RequestInit);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return sendProblem(
      res,
      502,
      'Bad Gateway',
      `The console could not reach the API at ${url.origin}${url.pathname}: ${cause}`,
      {},
      {
        where: target.apiUrl,
        hint: target.local
          ? 'Is the local stack running? Start it with `npm start`, or pass --stack-outputs for a deployed stack.'
          : 'Check the ApiUrl in the stack outputs (or --endpoint) and your network.',
      },
    );
  }
  const responseHeaders: Record<string, string> = {};
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) responseHeaders[name] = value;
  }
  res.writeHead(upstream.status, responseHeaders);
  if (!upstream.body || method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream), res);
}
