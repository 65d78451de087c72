/** The recommendations HTTP API: `createApp(dependencies)` builds the Hono app; handlers/api.ts serves it on Lambda. */
export { createApp, type AppDependencies } from './app.js';
export { OPENAPI_PATH, API_VERSION } from './openapi.js';
export { fieldErrors } from './validation.js';
export { RecommendationService, type FilterOptions } from './service.js';
export {
  classifyError,
  isThrottling,
  ProblemError,
  ProblemType,
  PROBLEM_CONTENT_TYPE,
  MAX_BODY_BYTES,
  type ProblemDetails,
  type FieldError,
} from './problems.js';
export { apiRoutes } from './routes.js';
export * as schemas from './schemas.js';
