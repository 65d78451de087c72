/**
 * The recommendations HTTP API as a Hono app with its dependencies injected, so the Lambda handler, the local
 * server and the tests all run the same code. This file only composes the parts, in the order they apply:
 * middleware (./middleware.ts) -> route handlers (./route-handlers.ts, routes and validation from ./routes.ts) ->
 * the OpenAPI document (./openapi.ts); failures become problem+json in ./problem-responses.ts.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { JobReader, ModelReader } from '../adapters/store-contract.js';
import type { ErasureRequests } from '../adapters/erasure-contract.js';
import { createPseudonymizer } from '../engine/privacy/index.js';
import { logger as sharedLogger, metrics as sharedMetrics, type AppLogger, type AppMetrics } from '../observability.js';
import type { ApiApp, AppEnv } from './app-env.js';
import { registerRouteHandlers } from './route-handlers.js';
import { apiRoutes } from './routes.js';
import { limitBodySize, requestContext, requireJsonBody } from './middleware.js';
import { serveOpenApiDocument } from './openapi.js';
import { errorHandler, methodNotAllowedResponse, routeNotFound } from './problem-responses.js';
import { DEFAULT_HISTORY_CAP } from './schemas.js';
import { RecommendationService } from './service.js';
import { CatalogueService } from './catalogue-service.js';
import { throwValidationProblem } from './validation.js';
import { ErasureService } from './erasure-service.js';
import { registerErasureHandlers } from './erasure-routes.js';

/** What the API does to the store: reads, rollback's manifest write, and erasures (the API function's grants). */
export type ApiStore = ModelReader & JobReader & ErasureRequests;

export interface AppDependencies {
  store: ApiStore;
  /**
   * The id hashing key (handlers/api.ts: loadIdHashKey, once per cold start), asked for only when a user id must
   * be hashed: a DELETE or GET of a user's erasure, or serving a dataset that has erased users.
   */
  idHashKey?: () => Promise<Uint8Array>;
  /** Default: the shared Powertools logger. */
  logger?: AppLogger;
  /** Default: the shared Powertools metrics (EMF on stdout, flushed after every request). */
  metrics?: AppMetrics;
  /** Clock for latency measurement. */
  now?: () => Date;
  /** Most recent history entries that score candidates (default 200). */
  historyCap?: number;
}

export function createApp(dependencies: AppDependencies): ApiApp {
  const logger = dependencies.logger ?? sharedLogger;
  const metrics = dependencies.metrics ?? sharedMetrics;
  const now = dependencies.now ?? (() => new Date());
  const historyCap = dependencies.historyCap ?? DEFAULT_HISTORY_CAP;
  if (!Number.isInteger(historyCap) || historyCap < 1)
    throw new RangeError(`historyCap must be a positive integer, got ${historyCap}`);
  const pseudonymizer = lazyPseudonymizer(dependencies.idHashKey);
  const service = new RecommendationService(dependencies.store, historyCap, pseudonymizer);

  const app = new OpenAPIHono<AppEnv>({ defaultHook: throwValidationProblem });
  // Outermost first: the request log and metrics see the final status, 405s included.
  app.use('*', requestContext({ logger, metrics, now }));
  app.use('*', methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  app.use('/v1/*', limitBodySize());
  // On the routes that take a body only, so that a wrong method or path still gets its 405 or 404.
  for (const route of apiRoutes) {
    if (route.method !== 'get') app.on(route.method.toUpperCase(), honoPath(route.path), requireJsonBody());
  }

  const catalogue = new CatalogueService(dependencies.store, (dataset) => service.activeModel(dataset));
  registerRouteHandlers(app, { service, catalogue, logger, metrics });
  registerErasureHandlers(app, { erasures: new ErasureService(dependencies.store, pseudonymizer), logger, metrics });
  serveOpenApiDocument(app);

  app.notFound(routeNotFound);
  app.onError(errorHandler(logger));
  return app;
}

/**
 * One pseudonymiser per app, made on first use. A key that cannot be loaded is the deployment's fault, never the
 * caller's (so not a 400): a plain error, answered 503 and logged; the next request tries again.
 */
function lazyPseudonymizer(idHashKey: (() => Promise<Uint8Array>) | undefined): () => Promise<(id: string) => string> {
  let pending: Promise<(id: string) => string> | undefined;
  return () =>
    (pending ??= (async () => {
      if (!idHashKey) throw new Error('this API was started without an id hashing key (idHashKey)');
      try {
        return createPseudonymizer(await idHashKey());
      } catch (error) {
        throw new Error(`the id hashing key could not be loaded: ${(error as Error).message}`, { cause: error });
      }
    })().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}

/** An OpenAPI path template (`/v1/datasets/{dataset}`) as a Hono route path (`/v1/datasets/:dataset`). */
function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}
