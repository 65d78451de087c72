/** The Hono environment every part of the API shares: what middleware stores per request, what the runtime binds. */
import type { OpenAPIHono } from '@hono/zod-openapi';

export type AppEnv = {
  Variables: { requestId: string };
  /** Set by hono/aws-lambda; absent under app.request() and the local server. */
  Bindings:
    { event?: { requestContext?: { requestId?: string } }; lambdaContext?: { awsRequestId?: string } } | undefined;
};

export type ApiApp = OpenAPIHono<AppEnv>;
