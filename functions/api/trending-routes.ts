/**
 * GET /v1/datasets/{dataset}/trending: the route (its query is the popular route's, so the same zod source
 * validates and documents `limit`, `fields`, `filter` and the caps) and its handler. What it does is in
 * ./trending-service.ts; the new-user fallback to trending is in ./trending-fallback.ts.
 */
import { createRoute } from '@hono/zod-openapi';
import type { ApiApp } from './app-env.js';
import type { CatalogueService } from './catalogue-service.js';
import { finiteReply } from './finite-json.js';
import { queryRules } from './route-handlers.js';
import { json, problem } from './route-parts.js';
import { DatasetParams, ItemListQuery } from './schemas.js';
import type { RecommendationService } from './service.js';
import { TrendingResponse } from './trending-schemas.js';

/** Shared responses change only when a model is built or rolled back. */
const SHARED = { 'Cache-Control': 'public, max-age=60' };

export const trendingRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/trending',
  operationId: 'trendingItems',
  tags: ['recommendations'],
  summary: 'Trending items: popularity over a recent window, with decay',
  description:
    "The version's trending list, ranked by the build over the interactions of the last `trending.windowDays` days " +
    'of the data (default 7), each weighted 0.5^(age / halfLifeDays) (default 2), age from the newest timestamp; ' +
    'score desc, then count desc, then item id. With a filter or caps, items are chosen among the first ' +
    'max(5 × limit, 100) trending ones, and when fewer than `limit` pass the rest is filled from popularity within ' +
    'the same filter, each labelled `because: [{kind: "backfill", reason: "popular"}]`, score 0.',
  request: { params: DatasetParams, query: ItemListQuery },
  responses: {
    200: json(TrendingResponse, 'Trending items, most trending first.'),
    400: problem('Invalid parameter; `errors` names each field.'),
    404: problem('Unknown dataset or no active model.'),
    409: problem(
      'The active version has no trending list: its data had no timestamps, or it was built before trending ' +
        '(problem type urn:affinity:problem:model-not-built; the hint says how to add timestamps).',
    ),
    429: problem('The model store is throttling; retry with back-off (see Retry-After).'),
    500: problem('A bug: the reply held a number JSON cannot carry (never sent as null); quote the requestId.'),
    503: problem('The model store or service failed; retry later.'),
  },
});

export function registerTrendingHandlers(
  app: ApiApp,
  { service, catalogue }: { service: RecommendationService; catalogue: CatalogueService },
): void {
  app.openapi(trendingRoute, async (c) => {
    const { dataset } = c.req.valid('param');
    const { limit, fields, ...caps } = c.req.valid('query');
    const body = await service.trending(dataset, limit, { rules: queryRules(caps) });
    const items = await catalogue.withFields(body.dataset, body.version, body.items, (entry) => entry.item, fields);
    return c.json(finiteReply({ ...body, items }), 200, SHARED);
  });
}
