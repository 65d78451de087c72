/**
 * Middleware every request passes: a request id (API Gateway's when behind it), one structured log line and the
 * request metrics (flushed per request, as Lambda may freeze afterwards), the body-size limit, and the JSON rule
 * for requests with bodies.
 *
 * Safety: a request to a route that takes a body (every POST, the only ones that can change state) carries
 * `Content-Type: application/json` or is refused with 415 before the route runs. A browser sends that type cross-site only after a CORS preflight this API never approves, so no
 * web page can make a visitor's browser roll a model back (test: test/api/json-content-type.test.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { MAX_DATASET_BYTES } from '../adapters/bucket-layout.js';
import { logSafePath } from '../log-redaction.js';
import { flushMetrics, MetricUnit, type AppLogger, type AppMetrics } from '../observability.js';
import type { AppEnv } from './app-env.js';
import { bodyTooLarge, MAX_BODY_BYTES, unsupportedMediaType } from './problems.js';

/** Sets the request id (variable and X-Request-Id header); after the response, logs it and records its metrics. */
export function requestContext(options: {
  logger: AppLogger;
  metrics: AppMetrics;
  now: () => Date;
}): MiddlewareHandler<AppEnv> {
  const { logger, metrics, now } = options;
  return async (c, next) => {
    const started = now().getTime();
    const requestId = requestIdOf(c);
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    await next();
    const status = c.res.status;
    const latencyMs = now().getTime() - started;
    logger.info('request', {
      requestId,
      method: c.req.method,
      // An unmatched path may hold a user id (…/users/<id>/…): logged without it.
      route: routePath(c, -1) || logSafePath(c.req.path),
      dataset: datasetOf(c),
      status,
      latencyMs,
    });
    metrics.addMetric('RequestLatency', MetricUnit.Milliseconds, latencyMs);
    if (status >= 500) metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
    else if (status === 429) metrics.addMetric('Throttled', MetricUnit.Count, 1);
    else if (status >= 400) metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
    flushMetrics(metrics);
  };
}

/** Bodies over MAX_BODY_BYTES are refused with the 413 problem before anything parses them. */
export function limitBodySize(): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw bodyTooLarge();
    },
  });
}

/** `application/json`, with parameters such as charset (media types are case-insensitive). */
function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * For the routes that take a body (every POST): the request must be `application/json` (415 otherwise, even
 * without a body: a body-less cross-site POST is exactly what a web page can send). An empty JSON body reads as
 * `{}`, so a rollback without fields still needs no body.
 */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isJsonMediaType(c.req.header('content-type'))) throw unsupportedMediaType();
    // The body-size limit runs first, so this read of a copy is bounded; the routes read the original.
    const raw = c.req.raw;
    if (raw.body === null || (await raw.clone().text()).trim() === '') c.req.raw = new Request(raw, { body: '{}' });
    return next();
  };
}

/** API Gateway's request id when behind it (it is what clients and access logs see), else the caller's, else a new one. */
function requestIdOf(c: Context<AppEnv>): string {
  const fromGateway = c.env?.event?.requestContext?.requestId ?? c.env?.lambdaContext?.awsRequestId;
  const fromCaller = c.req.header('x-request-id');
  if (fromGateway) return fromGateway;
  if (fromCaller && /^[\w.:-]{1,128}$/.test(fromCaller)) return fromCaller;
  return crypto.randomUUID();
}

/** The dataset of the matched route, for logs; undefined when none or when it is not a valid name. */
export function datasetOf(c: Context<AppEnv>): string | undefined {
  try {
    const dataset = c.req.param('dataset') as string | undefined;
    return dataset && Buffer.byteLength(dataset) <= MAX_DATASET_BYTES ? dataset : undefined;
  } catch {
    return undefined;
  }
}
