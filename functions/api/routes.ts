/** Route definitions: path, parameters, body and responses, from which both validation and OpenAPI come. */
import { createRoute } from '@hono/zod-openapi';
import { json, problem } from './route-parts.js';
import {
  DatasetListQuery,
  DatasetListResponse,
  DatasetParams,
  DatasetResponse,
  HealthResponse,
  ItemListQuery,
  ItemParams,
  JobParams,
  JobSchema,
  JobsResponse,
  LimitQuery,
  PopularResponse,
  RecommendationsResponse,
  RecommendBody,
  RollbackBody,
  RollbackResponse,
  SimilarItemsResponse,
  SimilarUsersResponse,
  HistoryQuery,
  UserHistoryResponse,
  UserParams,
  UserRecommendationsQuery,
  MAX_HISTORY_ENTRIES,
  DEFAULT_HISTORY_CAP,
} from './schemas.js';
import { MAX_BODY_BYTES } from './problems.js';
import { ItemEntryResponse } from './catalogue-schemas.js';
import { liveEventsRoute } from './live-schemas.js';

/** Errors every store-backed route can answer with. */
const storeErrors = {
  400: problem('Invalid parameter or body; `errors` names each field.'),
  429: problem('The model store is throttling; retry with back-off (see Retry-After).'),
  500: problem('A bug: the reply held a number JSON cannot carry (never sent as null); quote the requestId.'),
  503: problem('The model store or service failed; retry later.'),
} as const;

/** For the routes that read a model kind's rows: the active version may have been built without it. */
const modelNotBuiltError = (needs: string) => ({
  409: problem(
    `The active model version was built without the ${needs} (problem type urn:affinity:problem:model-not-built); ` +
      'the hint names the build option that adds it.',
  ),
});

const personalisedNote =
  'Responses carry Cache-Control: no-store. Scores are Σ similarity × rating over the contributing history items ' +
  '(item-based) or similar users (user-based); `because` lists the largest contributions.';

export const userRecommendationsRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/users/{userId}/recommendations',
  operationId: 'recommendForUser',
  tags: ['recommendations'],
  summary: 'Recommendations for a known user',
  description:
    `Item-based (default) or user-based collaborative filtering on the user's stored rows. An unknown user gets popular ` +
    `items with \`fallback.reason = "unknown-user"\`. Item-based uses the ${DEFAULT_HISTORY_CAP} most recent history entries ` +
    `(\`historyCapped\` says when more existed); older ones are still excluded. ${personalisedNote}`,
  request: { params: UserParams, query: UserRecommendationsQuery },
  responses: {
    200: json(RecommendationsResponse, 'Recommendations, best first.'),
    ...storeErrors,
    ...modelNotBuiltError('model the algorithm needs (item or user)'),
    404: problem('Unknown dataset or no active model.'),
  },
});

export const historyRecommendationsRoute = createRoute({
  method: 'post',
  path: '/v1/datasets/{dataset}/recommendations',
  operationId: 'recommendForHistory',
  tags: ['recommendations'],
  summary: 'Recommendations for an anonymous / session history',
  description:
    `Item-based collaborative filtering on the posted history (most recent first, at most ${MAX_HISTORY_ENTRIES} entries, ` +
    `of which the first ${DEFAULT_HISTORY_CAP} score). An empty history, or one with no known items, gets popular items, flagged ` +
    `as a fallback. Bodies over ${MAX_BODY_BYTES} bytes are refused with 413. ${personalisedNote}`,
  request: {
    params: DatasetParams,
    body: { required: true, content: { 'application/json': { schema: RecommendBody } } },
  },
  responses: {
    200: json(RecommendationsResponse, 'Recommendations, best first.'),
    ...storeErrors,
    ...modelNotBuiltError('item model'),
    404: problem('Unknown dataset or no active model.'),
    413: problem(`Request body larger than ${MAX_BODY_BYTES} bytes.`),
    415: problem('The body is not JSON.'),
  },
});

export const similarItemsRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/items/{itemId}/similar',
  operationId: 'similarItems',
  tags: ['similarity'],
  summary: 'Items most similar to an item',
  request: { params: ItemParams, query: ItemListQuery },
  responses: {
    200: json(SimilarItemsResponse, 'Neighbours, most similar first (similarity desc, id asc).'),
    ...storeErrors,
    ...modelNotBuiltError('item model'),
    404: problem('Unknown dataset, no active model, or the item has no neighbour row.'),
  },
});

export const similarUsersRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/users/{userId}/similar',
  operationId: 'similarUsers',
  tags: ['similarity'],
  summary: 'Users most similar to a user',
  request: { params: UserParams, query: LimitQuery },
  responses: {
    200: json(SimilarUsersResponse, 'Neighbours, most similar first (similarity desc, id asc).'),
    ...storeErrors,
    ...modelNotBuiltError('user model'),
    404: problem('Unknown dataset, no active model, or the user has no neighbour row.'),
  },
});

export const userHistoryRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/users/{userId}/history',
  operationId: 'userHistory',
  tags: ['recommendations'],
  summary: "A user's history as the active version serves it",
  description:
    "The items that score the user's item-based recommendations, most recent first: live events the version does " +
    "not hold yet (`live: true`), then the stored history (capped at the build's history cap). Taken-down items are " +
    'left out; an erased user is unknown. With `fields`, each entry carries those catalogue attributes.',
  request: { params: UserParams, query: HistoryQuery },
  responses: {
    200: json(UserHistoryResponse, 'The history, most recent first.'),
    ...storeErrors,
    404: problem(
      'Unknown dataset, no active model, or a user the active version does not know and with no live events.',
    ),
  },
});

export const popularRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/popular',
  operationId: 'popularItems',
  tags: ['recommendations'],
  summary: 'Most popular items',
  description: 'Ranked by distinct users (count) desc, then mean rating desc, then item id.',
  request: { params: DatasetParams, query: ItemListQuery },
  responses: {
    200: json(PopularResponse, 'Popular items, most popular first.'),
    ...storeErrors,
    404: problem('Unknown dataset or no active model.'),
  },
});

export const itemRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/items/{itemId}',
  operationId: 'getItem',
  tags: ['catalogue'],
  summary: "An item's catalogue entry",
  description:
    "The entry from the dataset's catalogue (uploads/<dataset>/items.csv, .tsv or .jsonl) in the active version, " +
    'whether or not anyone interacted with the item. Long text is stored cut (`textLength` gives the full length).',
  request: { params: ItemParams },
  responses: {
    200: json(ItemEntryResponse, 'The catalogue entry.'),
    ...storeErrors,
    404: problem('Unknown dataset, no active model, or the item has no catalogue entry.'),
  },
});

export const datasetsRoute = createRoute({
  method: 'get',
  path: '/v1/datasets',
  operationId: 'listDatasets',
  tags: ['models'],
  summary: 'Every dataset: active version, size, model, last build job',
  description:
    'From the dataset directory (one row per dataset, no Scan), by dataset name (escaped as in the table keys: the ' +
    "name's own order for letters, digits and - _ . ~), a page at a time. A dataset is listed from its first build " +
    'job on; one whose builds all ran before the directory existed appears after its next build.',
  request: { query: DatasetListQuery },
  responses: {
    200: json(DatasetListResponse, 'A page of datasets; `nextToken` when more follow.'),
    ...storeErrors,
  },
});

export const datasetRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}',
  operationId: 'getDataset',
  tags: ['models'],
  summary: 'Active model version, kept versions with stats, latest build job',
  request: { params: DatasetParams },
  responses: {
    200: json(DatasetResponse, 'Model state.'),
    ...storeErrors,
    404: problem('The dataset has neither a model nor a build job.'),
  },
});

export const jobRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/jobs/{jobId}',
  operationId: 'getJob',
  tags: ['models'],
  summary: 'One build job',
  request: { params: JobParams },
  responses: { 200: json(JobSchema, 'The job.'), ...storeErrors, 404: problem('No such job.') },
});

export const jobsRoute = createRoute({
  method: 'get',
  path: '/v1/datasets/{dataset}/jobs',
  operationId: 'listJobs',
  tags: ['models'],
  summary: 'Build jobs, newest first',
  description: 'An unknown dataset has no jobs: the list is empty.',
  request: { params: DatasetParams, query: LimitQuery },
  responses: { 200: json(JobsResponse, 'Jobs, newest first.'), ...storeErrors },
});

export const rollbackRoute = createRoute({
  method: 'post',
  path: '/v1/datasets/{dataset}/rollback',
  operationId: 'rollback',
  tags: ['models'],
  summary: 'Re-activate a kept model version',
  description:
    'Without a body (or without `version`), re-activates the version before the active one. Atomic; a concurrent change gives 409.',
  request: {
    params: DatasetParams,
    body: { required: false, content: { 'application/json': { schema: RollbackBody } } },
  },
  responses: {
    200: json(RollbackResponse, 'The model state after the rollback.'),
    ...storeErrors,
    404: problem('Unknown dataset, or the version is not kept.'),
    409: problem('Another change to the dataset happened at the same time.'),
    415: problem('The body is not JSON.'),
  },
});

export const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'health',
  tags: ['service'],
  summary: 'Liveness (does not touch the model store)',
  responses: { 200: json(HealthResponse, 'The function is up.') },
});

export const apiRoutes = [
  userRecommendationsRoute,
  historyRecommendationsRoute,
  similarItemsRoute,
  similarUsersRoute,
  userHistoryRoute,
  popularRoute,
  itemRoute,
  datasetsRoute,
  datasetRoute,
  jobRoute,
  jobsRoute,
  rollbackRoute,
  liveEventsRoute,
  healthRoute,
] as const;
