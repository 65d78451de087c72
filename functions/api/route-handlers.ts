/**
 * The route handlers: validated input (./routes.ts) -> RecommendationService -> JSON with its caching policy.
 * No logic beyond HTTP here; what each route does is in ./service.ts.
 */
import { MetricUnit, serviceName, type AppLogger, type AppMetrics } from '../observability.js';
import type { ApiApp } from './app-env.js';
import {
  datasetRoute,
  datasetsRoute,
  healthRoute,
  historyRecommendationsRoute,
  itemRoute,
  jobRoute,
  jobsRoute,
  popularRoute,
  rollbackRoute,
  similarItemsRoute,
  similarUsersRoute,
  userHistoryRoute,
  userRecommendationsRoute,
} from './routes.js';
import { finiteReply } from './finite-json.js';
import type { RecommendationService } from './service.js';
import type { CatalogueService } from './catalogue-service.js';
import type { RequestRules } from './request-filters.js';

/** The GET form of the rules: the `filter` string, the caps and diversity. */
export function queryRules({ filter, maxPerCategory, maxPerSeries, diversity }: QueryRules): RequestRules {
  const text = filter !== undefined ? { filter: { in: 'query' as const, text: filter } } : {};
  return { ...text, maxPerCategory, maxPerSeries, diversity };
}
export interface QueryRules {
  filter?: string;
  maxPerCategory?: number;
  maxPerSeries?: number;
  diversity?: number;
}

const PERSONALISED = { 'Cache-Control': 'no-store' };
/** Shared responses change only when a model is built or rolled back. */
const SHARED = { 'Cache-Control': 'public, max-age=60' };

export interface HandlerDependencies {
  service: RecommendationService;
  catalogue: CatalogueService;
  logger: AppLogger;
  metrics: AppMetrics;
}

export function registerRouteHandlers(app: ApiApp, { service, catalogue, logger, metrics }: HandlerDependencies): void {
  /** A ranking with the asked-for catalogue attributes of its items (from the version that ranked them). */
  const withFields = async <B extends { dataset: string; version: string; items: { item: string }[] }>(
    body: B,
    fields: Parameters<CatalogueService['withFields']>[4],
  ): Promise<B> => ({
    ...body,
    items: await catalogue.withFields(body.dataset, body.version, body.items, (entry) => entry.item, fields),
  });

  const served = (body: { fallback?: unknown; items: unknown[] }) => {
    metrics.addMetric('RecommendationsServed', MetricUnit.Count, 1);
    metrics.addMetric('ItemsRecommended', MetricUnit.Count, body.items.length);
    if (body.fallback) metrics.addMetric('Fallbacks', MetricUnit.Count, 1);
    return body;
  };

  app.openapi(userRecommendationsRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    const { limit, exclude, allow, algorithm, explain, fields, ...caps } = c.req.valid('query');
    const rules = queryRules(caps);
    const body = await withFields(
      await service.forUser(dataset, userId, algorithm, { limit, exclude, allow, explain, rules }),
      fields,
    );
    served(body);
    return c.json(finiteReply(body), 200, PERSONALISED);
  });

  app.openapi(historyRecommendationsRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const { history, limit, exclude, allow, explain, fields, filters, maxPerCategory, maxPerSeries, diversity } =
      c.req.valid('json');
    const entries = history.map(({ item, rating }) => ({ item, value: rating ?? 1 }));
    const rules: RequestRules = {
      ...(filters !== undefined ? { filter: { in: 'body', body: filters } } : {}),
      maxPerCategory,
      maxPerSeries,
      diversity,
    };
    const body = await withFields(
      await service.forHistory(dataset, entries, { limit, exclude, allow, explain, rules }),
      fields,
    );
    served(body);
    return c.json(finiteReply(body), 200, PERSONALISED);
  });

  app.openapi(similarItemsRoute, async (c) => {
    const { dataset, itemId } = c.req.valid('param');
    const { limit, fields, ...caps } = c.req.valid('query');
    const body = await service.similarItems(dataset, itemId, limit, { rules: queryRules(caps) });
    const similar = await catalogue.withFields(body.dataset, body.version, body.similar, (entry) => entry.id, fields);
    return c.json(finiteReply({ ...body, similar }), 200, SHARED);
  });

  app.openapi(similarUsersRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    return c.json(
      finiteReply(await service.similarUsers(dataset, userId, c.req.valid('query').limit)),
      200,
      PERSONALISED,
    );
  });

  app.openapi(userHistoryRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    const { limit, fields } = c.req.valid('query');
    const body = await service.userHistory(dataset, userId, limit);
    const history = await catalogue.withFields(body.dataset, body.version, body.history, (entry) => entry.item, fields);
    return c.json(finiteReply({ ...body, history }), 200, PERSONALISED);
  });

  app.openapi(popularRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const { limit, fields, ...caps } = c.req.valid('query');
    const body = await service.popular(dataset, limit, { rules: queryRules(caps) });
    return c.json(finiteReply(await withFields(body, fields)), 200, SHARED);
  });

  app.openapi(itemRoute, async (c) => {
    const { dataset, itemId } = c.req.valid('param');
    return c.json(finiteReply(await catalogue.item(dataset, itemId)), 200, SHARED);
  });

  app.openapi(datasetsRoute, async (c) => {
    const { limit, nextToken } = c.req.valid('query');
    return c.json(finiteReply(await service.datasets(limit, nextToken)), 200, PERSONALISED);
  });

  app.openapi(datasetRoute, async (c) => {
    return c.json(finiteReply(await service.dataset(c.req.valid('param').dataset)), 200, PERSONALISED);
  });

  app.openapi(jobRoute, async (c) => {
    const { dataset, jobId } = c.req.valid('param');
    return c.json(finiteReply(await service.job(dataset, jobId)), 200, PERSONALISED);
  });

  app.openapi(jobsRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    return c.json(finiteReply(await service.jobs(dataset, c.req.valid('query').limit)), 200, PERSONALISED);
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
    return c.json(finiteReply(body), 200, PERSONALISED);
  });

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, service: serviceName() }, 200));
}
