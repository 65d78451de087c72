/**
 * API Gateway HTTP API (payload v2) -> the recommendations app. Same shape as ./build.ts: env parsed once, the
 * client and store built once per cold start and reused, the shared Powertools logger / metrics / tracer.
 * Env: TABLE_NAME (required), ROW_CACHE_MB, MANIFEST_CACHE_MS, the id hashing key (ID_HASH_KEY_SECRET_ARN in the
 * cloud, ID_HASH_KEY locally: adapters/id-hash-key.ts); the SDK reads AWS_ENDPOINT_URL_DYNAMODB itself
 * (local runs). The store is used through the API's read roles only (see ../adapters/store-contract.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { z } from 'zod';
import { createDynamoDocumentClient } from '../adapters/aws-clients.js';
import { DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
import { loadIdHashKey } from '../adapters/id-hash-key.js';
import { createApp } from '../api/app.js';
import { flushMetrics, logger, metrics } from '../observability.js';
import { parseEnvironment, TABLE_NAME } from './environment.js';

const environment = parseEnvironment(
  'API',
  z.object({
    TABLE_NAME,
    ROW_CACHE_MB: z.coerce
      .number({ error: 'is not a number' })
      .min(0, 'must be at least 0')
      .max(4096, 'must be at most 4096')
      .default(128)
      .describe('Megabytes of memory for caching immutable model rows across requests; 0 disables it (default 128).'),
    MANIFEST_CACHE_MS: z.coerce
      .number({ error: 'is not a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(60_000, 'must be at most 60000')
      .default(1000)
      .describe(
        'Milliseconds a manifest read is reused: new and rolled-back versions reach an instance within it (default 1000).',
      ),
  }),
);
const store = new DynamoModelStore(createDynamoDocumentClient(), environment.TABLE_NAME, {
  rowCacheBytes: environment.ROW_CACHE_MB * 2 ** 20,
  manifestCacheMs: environment.MANIFEST_CACHE_MS,
});

// The key of pseudonymised datasets' user ids, loaded once per cold start. The stack always provides it, so a
// missing or unreadable key fails the start with the loader's error, which names the variable (never a raw lookup).
const idHashKey = await loadIdHashKey(process.env);

export const app = createApp({ store, logger, metrics, idHashKey });
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
  try {
    // hono's own event/result types differ from @types/aws-lambda only in optional-field details.
    const gatewayEvent = { ...event, rawPath: reencodeRawPath(event.rawPath) } as unknown as LambdaEvent;
    return (await serve(gatewayEvent, context)) as APIGatewayProxyResultV2;
  } finally {
    flushMetrics(metrics); // the app flushes after each request; this catches anything recorded outside it
  }
};
