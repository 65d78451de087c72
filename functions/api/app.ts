/**
 * The recommendations HTTP API as a Hono app with its dependencies injected, so the Lambda handler, the local
 * server and the tests all run the same code. This file only composes the parts, in the order they apply:
 * middleware (./middleware.ts) -> route handlers (./route-handlers.ts, routes and validation from ./routes.ts) ->
 * the OpenAPI document (./openapi.ts); failures become problem+json in ./problem-responses.ts.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { DatasetLister, JobReader, LiveEventWriter, ModelReader } from '../adapters/store-contract.js';
import type { ErasureRequests } from '../adapters/erasure-contract.js';
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
import { LiveEventService } from './live-service.js';
import { registerLiveEventHandlers } from './live-handlers.js';
import { registerTrendingHandlers } from './trending-routes.js';

/** What the API does to the store: reads, rollback's manifest write, live events and erasures (its grants). */
export type ApiStore = ModelReader & JobReader & LiveEventWriter & ErasureRequests & DatasetLister;

export interface AppDependencies {
  store: ApiStore;
  /** Default: the shared Powertools logger. */
  logger?: AppLogger;
  /** Default: the shared Powertools metrics (EMF on stdout, flushed after every request). */
  metrics?: AppMetrics;
  /** Clock for latency measurement. */
  now?: () => Date;
  /** Most recent history entries that score candidates (default 200). */
  historyCap?: number;
  /**
   * The deployment's id hashing key: the user ids of pseudonymised datasets are hashed with it (./user-ids.ts), and
   * erased users are matched by it (./tombstones.ts; only once some user is erased).
   */
  idHashKey?: Uint8Array;
}

export function createApp(dependencies: AppDependencies): ApiApp {
  const logger = dependencies.logger ?? sharedLogger;
  const metrics = dependencies.metrics ?? sharedMetrics;
  const now = dependencies.now ?? (() => new Date());
  const historyCap = dependencies.historyCap ?? DEFAULT_HISTORY_CAP;
  if (!Number.isInteger(historyCap) || historyCap < 1)
    throw new RangeError(`historyCap must be a positive integer, got ${historyCap}`);
  const service = new RecommendationService(dependencies.store, historyCap, dependencies.idHashKey);

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
  registerTrendingHandlers(app, { service, catalogue });
  const erasures = new ErasureService(dependencies.store, service.userSubject);
  registerErasureHandlers(app, { erasures, logger, metrics });
  const live = new LiveEventService(dependencies.store, service.userIdForStorage, now);
  registerLiveEventHandlers(app, { live, logger, metrics });
  serveOpenApiDocument(app);

  app.notFound(routeNotFound);
  app.onError(errorHandler(logger));
  return app;
}

/** An OpenAPI path template (`/v1/datasets/{dataset}`) as a Hono route path (`/v1/datasets/:dataset`). */
function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}
