/**
 * API Gateway HTTP API (payload v2) -> the recommendations app. The store, client and app are built once per
 * cold start and reused. Env: TABLE_NAME (required); the SDK reads AWS_ENDPOINT_URL_DYNAMODB itself (local runs).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { z } from 'zod';
import { createDocumentClient } from '../adapters/dynamo/documents.js';
import { DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
import { createApp } from '../api/app.js';
import { logger, metrics, tracer } from '../observability.js';

const ApiEnvironment = z.object({
  TABLE_NAME: z
    .string({ error: 'TABLE_NAME must be set to the model table name' })
    .min(1, 'TABLE_NAME must not be empty'),
  /** Memory for caching immutable model rows across requests (hot items stay in memory). 0 disables it. */
  ROW_CACHE_MB: z.coerce.number().min(0).max(4096).default(128),
  /** How long a manifest read is reused: new and rolled-back versions reach this instance within that time. */
  MANIFEST_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
});

const environment = ApiEnvironment.parse(process.env);
const client = tracer.captureAWSv3Client(new DynamoDBClient({}));
const store = new DynamoModelStore(createDocumentClient(client), environment.TABLE_NAME, {
  rowCacheBytes: environment.ROW_CACHE_MB * 2 ** 20,
  manifestCacheMs: environment.MANIFEST_CACHE_MS,
});

export const app = createApp({ store, logger, metrics });
const serve = handle(app);

/**
 * API Gateway HTTP APIs hand over `rawPath` already percent-decoded (REST APIs and function URLs do not). A decoded
 * '#', '?' or '%' would then be read as URL syntax, so those (and spaces, controls, non-ASCII) are re-encoded;
 * an encoded path contains none of them literally and passes unchanged. A decoded '/' cannot be told from a path
 * separator, so ids containing '/' only work where the path arrives encoded.
 */
export function reencodeRawPath(rawPath: string): string {
  // Anything outside printable ASCII, plus '#', '?' and a '%' that does not start an escape.
  return rawPath.replace(/%(?![0-9A-Fa-f]{2})|[#?]|[^!-~]/gu, encodePathCharacter);
}

function encodePathCharacter(character: string): string {
  try {
    return encodeURIComponent(character);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate: the replacement character, as a UTF-8 decoder would give
  }
}

export const handler = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  metrics.captureColdStartMetric(); // emitted once per execution environment
  // hono's own event/result types differ from @types/aws-lambda only in optional-field details.
  const gatewayEvent = { ...event, rawPath: reencodeRawPath(event.rawPath) } as unknown as LambdaEvent;
  return (await serve(gatewayEvent, context)) as APIGatewayProxyResultV2;
};
