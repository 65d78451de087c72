/**
 * The erasure routes: DELETE a user (erasure) or an item (takedown), and GET the record of either. Same
 * authorization as rollback (the stack's authorizer guards every route; these are writes). A DELETE takes no body,
 * so it needs no JSON content type: a browser cannot send one cross-site without a CORS preflight this API never
 * approves (and the local server refuses cross-site writes itself). What each does is in ./erasure-service.ts.
 */
import { createRoute } from '@hono/zod-openapi';
import { json, problem } from './route-parts.js';
import { MetricUnit, type AppLogger, type AppMetrics } from '../observability.js';
import type { ApiApp } from './app-env.js';
import { ErasureResponse } from './erasure-schemas.js';
import type { ErasureService } from './erasure-service.js';
import { finiteReply } from './finite-json.js';
import { ItemParams, UserParams } from './schemas.js';

const errors = {
  400: problem('Invalid parameter (an id over 256 UTF-8 bytes, …); `errors` names the field.'),
  429: problem('The model store is throttling; retry with back-off (see Retry-After).'),
  503: problem('The model store or service failed; retry (a DELETE is idempotent and finishes what is left).'),
} as const;
const PERSONAL = { 'Cache-Control': 'no-store' };

const deletedNote =
  'Answers after the erasure took effect: the record is written (later builds exclude the subject, a running build ' +
  'applies it before activating), the tombstone is set (no answer of any version names the subject: at once in the ' +
  'answering instance, within MANIFEST_CACHE_MS in the others), and the rows are deleted from every stored version. ' +
  'Idempotent: a repeat answers the same record.';

export const eraseUserRoute = createRoute({
  method: 'delete',
  path: '/v1/datasets/{dataset}/users/{userId}',
  operationId: 'eraseUser',
  tags: ['erasure'],
  summary: 'Erase a user: their rows and every mention of them, in every version',
  description: `${deletedNote} The record is kept under a keyed hash of the user id, never the id itself.`,
  request: { params: UserParams },
  responses: {
    200: json(ErasureResponse, 'The erasure record (status completed).'),
    ...errors,
    404: problem('Unknown dataset (no model and no build job).'),
  },
});

export const takeDownItemRoute = createRoute({
  method: 'delete',
  path: '/v1/datasets/{dataset}/items/{itemId}',
  operationId: 'takeDownItem',
  tags: ['erasure'],
  summary: 'Take an item down: out of every recommendation, similar list and popularity answer, in every version',
  description: deletedNote,
  request: { params: ItemParams },
  responses: {
    200: json(ErasureResponse, 'The takedown record (status completed).'),
    ...errors,
    404: problem('Unknown dataset (no model and no build job).'),
  },
});

export const userErasureRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/erasures/users/{userId}',
  operationId: 'getUserErasure',
  tags: ['erasure'],
  summary: "A user's erasure record: status, when, what was deleted, what the next build recomputes",
  request: { params: UserParams },
  responses: {
    200: json(ErasureResponse, 'The erasure record.'),
    ...errors,
    404: problem('The user has no erasure record in this dataset.'),
  },
});

export const itemErasureRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/erasures/items/{itemId}',
  operationId: 'getItemErasure',
  tags: ['erasure'],
  summary: "An item's takedown record",
  request: { params: ItemParams },
  responses: {
    200: json(ErasureResponse, 'The takedown record.'),
    ...errors,
    404: problem('The item has no takedown record in this dataset.'),
  },
});

export function registerErasureHandlers(
  app: ApiApp,
  { erasures, logger, metrics }: { erasures: ErasureService; logger: AppLogger; metrics: AppMetrics },
): void {
  app.openapi(eraseUserRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    const body = await erasures.eraseUser(dataset, userId);
    // The log names the pseudonym, never the user id.
    logger.info('user erased', { requestId: c.get('requestId'), dataset, pseudonym: body.pseudonym });
    metrics.addMetric('UserErasures', MetricUnit.Count, 1);
    return c.json(finiteReply(body), 200, PERSONAL);
  });

  app.openapi(takeDownItemRoute, async (c) => {
    const { dataset, itemId } = c.req.valid('param');
    const body = await erasures.takeDown(dataset, itemId);
    logger.info('item taken down', { requestId: c.get('requestId'), dataset, item: itemId });
    metrics.addMetric('ItemTakedowns', MetricUnit.Count, 1);
    return c.json(finiteReply(body), 200, PERSONAL);
  });

  app.openapi(userErasureRoute, async (c) => {
    const { dataset, userId } = c.req.valid('param');
    return c.json(finiteReply(await erasures.userErasure(dataset, userId)), 200, PERSONAL);
  });

  app.openapi(itemErasureRoute, async (c) => {
    const { dataset, itemId } = c.req.valid('param');
    return c.json(finiteReply(await erasures.itemErasure(dataset, itemId)), 200, PERSONAL);
  });
}
