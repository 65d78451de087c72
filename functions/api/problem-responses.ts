/**
 * Problems (./problems.ts) as HTTP responses: the app's onError, notFound and method-not-allowed answers all go
 * through `problemResponse`, so every error has the same format, content type, no-store caching and requestId.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppLogger } from '../observability.js';
import type { AppEnv } from './app-env.js';
import { datasetOf } from './middleware.js';
import { OPENAPI_PATH } from './openapi.js';
import { classifyError, PROBLEM_CONTENT_TYPE, ProblemError, ProblemType, toProblemDetails } from './problems.js';

export function problemResponse(c: Context<AppEnv>, problem: ProblemError): Response {
  const details = toProblemDetails(problem, c.req.path, c.get('requestId') ?? 'unknown');
  return c.body(JSON.stringify(details), problem.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
    ...problem.extras.headers,
  });
}

/** Any thrown error -> its problem (classifyError decides which); unexpected failures are logged with their stack. */
export function errorHandler(logger: AppLogger): ErrorHandler<AppEnv> {
  return (error, c) => {
    const { problem, log } = classifyError(error);
    const context = {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: routePath(c, -1),
      dataset: datasetOf(c),
    };
    // The client only sees a generic problem and the requestId; the stack stays in the logs.
    if (log === 'error') logger.error('request failed', { ...context, error });
    else if (log === 'warn')
      logger.warn(problem.title, { ...context, detail: problem.message, errorName: (error as Error).name });
    return problemResponse(c, problem);
  };
}

export const routeNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(
    c,
    new ProblemError(404, ProblemType.notFound, 'Not found', `No route for ${c.req.method} ${c.req.path}.`, {
      hint: `See ${OPENAPI_PATH} for the routes.`,
    }),
  );

/** For hono/method-not-allowed: a known path asked with another method is a 405 problem with Allow, not a 404. */
export function methodNotAllowedResponse(c: Context<AppEnv>, allowedMethods: string[]): Response {
  const allow = allowedMethods.join(', ');
  return problemResponse(
    c,
    new ProblemError(405, ProblemType.methodNotAllowed, 'Method not allowed', `This path accepts ${allow} only.`, {
      headers: { Allow: allow },
    }),
  );
}
