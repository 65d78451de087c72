/**
 * The recommendations HTTP API as a Hono app with its dependencies injected, so the Lambda handler, the local
 * server and the tests all run the same code. Routes, validation and the OpenAPI document come from ./routes.ts.
 */
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JobReader, ModelReader } from '../adapters/store-contract.js';
import {
  flushMetrics,
  logger as sharedLogger,
  metrics as sharedMetrics,
  MetricUnit,
  serviceName,
  type AppLogger,
  type AppMetrics,
} from '../observability.js';
import {
  bodyTooLarge,
  classifyError,
  MAX_BODY_BYTES,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  ProblemType,
  toProblemDetails,
  validationProblem,
  type FieldError,
} from './problems.js';
import {
  apiRoutes,
  datasetRoute,
  healthRoute,
  historyRecommendationsRoute,
  jobRoute,
  jobsRoute,
  popularRoute,
  rollbackRoute,
  similarItemsRoute,
  similarUsersRoute,
  userRecommendationsRoute,
} from './routes.js';
import { MAX_DATASET_BYTES } from '../adapters/bucket-layout.js';
import { DEFAULT_HISTORY_CAP } from './schemas.js';
import { RecommendationService } from './service.js';

export interface AppDependencies {
  store: ModelReader & JobReader;
  /** Default: the shared Powertools logger. */
  logger?: AppLogger;
  /** Default: the shared Powertools metrics (EMF on stdout, flushed after every request). */
  metrics?: AppMetrics;
  /** Clock for latency measurement. */
  now?: () => Date;
  /** Most recent history entries that score candidates (default 200). */
  historyCap?: number;
}

export const OPENAPI_PATH = '/openapi.json';
export const API_VERSION = '1.0.0';

type AppEnv = {
  Variables: { requestId: string };
  /** Set by hono/aws-lambda; absent under app.request() and the local server. */
  Bindings:
    { event?: { requestContext?: { requestId?: string } }; lambdaContext?: { awsRequestId?: string } } | undefined;
};

const PERSONALISED = { 'Cache-Control': 'no-store' };
/** Shared responses change only when a model is built or rolled back. */
const SHARED = { 'Cache-Control': 'public, max-age=60' };

export function createApp(dependencies: AppDependencies): OpenAPIHono<AppEnv> {
  const logger = dependencies.logger ?? sharedLogger;
  const metrics = dependencies.metrics ?? sharedMetrics;
  const now = dependencies.now ?? (() => new Date());
  const historyCap = dependencies.historyCap ?? DEFAULT_HISTORY_CAP;
  if (!Number.isInteger(historyCap) || historyCap < 1)
    throw new RangeError(`historyCap must be a positive integer, got ${historyCap}`);
  const service = new RecommendationService(dependencies.store, historyCap);

  const app = new OpenAPIHono<AppEnv>({
    // Throwing hands every validation failure to onError, which answers with one problem format.
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(fieldErrors(result.target, result.error.issues));
    },
  });

  app.use('*', async (c, next) => {
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
      route: routePath(c, -1) || c.req.path,
      dataset: datasetOf(c),
      status,
      latencyMs,
    });
    metrics.addMetric('RequestLatency', MetricUnit.Milliseconds, latencyMs);
    if (status >= 500) metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
    else if (status === 429) metrics.addMetric('Throttled', MetricUnit.Count, 1);
    else if (status >= 400) metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
    flushMetrics(metrics);
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw bodyTooLarge();
      },
    }),
  );

  const served = (body: { fallback?: unknown; items: unknown[] }) => {
    metrics.addMetric('RecommendationsServed', MetricUnit.Count, 1);
    metrics.addMetric('ItemsRecommended', MetricUnit.Count, body.items.length);
    if (body.fallback) metrics.addMetric('Fallbacks', MetricUnit.Count, 1);
    return body;
  };

  app.openapi(userRecommendationsRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    const { limit, exclude, algorithm, explain } = c.req.valid('query');
    const body = await service.forUser(dataset, userId, algorithm, { limit, exclude, explain });
    served(body);
    return c.json(body, 200, PERSONALISED);
  });

  app.openapi(historyRecommendationsRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const { history, limit, exclude, allow, explain } = c.req.valid('json');
    const entries = history.map(({ item, rating }) => ({ item, value: rating ?? 1 }));
    const body = await service.forHistory(dataset, entries, { limit, exclude, allow, explain });
    served(body);
    return c.json(body, 200, PERSONALISED);
  });

  app.openapi(similarItemsRoute, async (c) => {
    const { dataset, itemId } = c.req.valid('param');
    return c.json(await service.similarItems(dataset, itemId, c.req.valid('query').limit), 200, SHARED);
  });

  app.openapi(similarUsersRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    return c.json(await service.similarUsers(dataset, userId, c.req.valid('query').limit), 200, PERSONALISED);
  });

  app.openapi(popularRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    return c.json(await service.popular(dataset, c.req.valid('query').limit), 200, SHARED);
  });

  app.openapi(datasetRoute, async (c) => {
    return c.json(await service.dataset(c.req.valid('param').dataset), 200, PERSONALISED);
  });

  app.openapi(jobRoute, async (c) => {
    const { dataset, jobId } = c.req.valid('param');
    return c.json(await service.job(dataset, jobId), 200, PERSONALISED);
  });

  app.openapi(jobsRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    return c.json(await service.jobs(dataset, c.req.valid('query').limit), 200, PERSONALISED);
  });

  app.openapi(rollbackRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const { version } = c.req.valid('json');
    const body = await service.rollback(dataset, version);
    logger.info('rollback', {
      requestId: c.get('requestId'),
      dataset,
      from: body.previousVersion,
      to: body.activeVersion,
    });
    metrics.addMetric('Rollbacks', MetricUnit.Count, 1);
    return c.json(body, 200, PERSONALISED);
  });

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, service: serviceName() }, 200));

  app.doc(OPENAPI_PATH, {
    openapi: '3.0.3',
    info: {
      title: 'Affinity recommendations API',
      version: API_VERSION,
      description:
        'Explainable collaborative-filtering recommendations. Errors are RFC 9457 problem documents ' +
        '(application/problem+json). Path ids are percent-encoded once (e.g. "a/b" as a%2Fb); ids are at most 256 UTF-8 bytes.',
    },
    tags: [
      { name: 'recommendations', description: 'Top-N recommendations and popular items.' },
      { name: 'similarity', description: 'Nearest neighbours of an item or a user.' },
      { name: 'models', description: 'Model versions, build jobs, rollback.' },
      { name: 'service', description: 'Health.' },
    ],
  });

  // A known path with another method is 405 (with Allow), not 404. Registered last: only reached when no route answered.
  for (const [path, methods] of allowedMethods()) {
    app.all(path, () => {
      throw new ProblemError(
        405,
        ProblemType.methodNotAllowed,
        'Method not allowed',
        `This path accepts ${methods.join(', ')} only.`,
        {
          headers: { Allow: methods.join(', ') },
        },
      );
    });
  }

  app.notFound((c) =>
    problemResponse(
      c,
      new ProblemError(404, ProblemType.notFound, 'Not found', `No route for ${c.req.method} ${c.req.path}.`, {
        hint: `See ${OPENAPI_PATH} for the routes.`,
      }),
    ),
  );

  app.onError((error, c) => {
    const { problem, log } = classifyError(error);
    const context = {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: routePath(c, -1),
      dataset: datasetOf(c),
    };
    // Unexpected failures are logged with their stack; the client only sees a generic problem and the requestId.
    if (log === 'error') logger.error('request failed', { ...context, error });
    else if (log === 'warn')
      logger.warn(problem.title, { ...context, detail: problem.message, errorName: (error as Error).name });
    return problemResponse(c, problem);
  });

  return app;
}

function problemResponse(c: Context<AppEnv>, problem: ProblemError): Response {
  const details = toProblemDetails(problem, c.req.path, c.get('requestId') ?? 'unknown');
  return c.body(JSON.stringify(details), problem.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
    ...problem.extras.headers,
  });
}

/** Hono path -> methods it serves, from the route definitions (HEAD is served wherever GET is). */
function allowedMethods(): Map<string, string[]> {
  const byPath = new Map<string, string[]>([[OPENAPI_PATH, ['GET', 'HEAD']]]);
  for (const route of apiRoutes) {
    const path = route.getRoutingPath();
    const methods = byPath.get(path) ?? [];
    methods.push(route.method.toUpperCase());
    if (route.method === 'get') methods.push('HEAD');
    byPath.set(path, methods);
  }
  return byPath;
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
function datasetOf(c: Context<AppEnv>): string | undefined {
  try {
    const dataset = c.req.param('dataset') as string | undefined;
    return dataset && Buffer.byteLength(dataset) <= MAX_DATASET_BYTES ? dataset : undefined;
  } catch {
    return undefined;
  }
}

const LOCATIONS = { param: 'path', query: 'query', json: 'body' } as const;

/** zod issues -> field errors that name the field the way a client wrote it (history[3].rating). */
export function fieldErrors(target: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const location: FieldError['in'] = LOCATIONS[target as keyof typeof LOCATIONS] ?? 'body';
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: location,
        field: fieldName([...issue.path, key]),
        message: `unknown ${location === 'body' ? 'field' : 'parameter'} ${JSON.stringify(key)}; see ${OPENAPI_PATH} for the accepted ones`,
      }));
    }
    return [{ in: location, field: fieldName(issue.path) || '(body)', message: issue.message }];
  });
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)),
    '',
  );
}
