/**
 * S3 ObjectCreated (uploads/<dataset>/<file>) -> a new model version in DynamoDB. Same shape as ./api.ts: env
 * parsed once, clients and store built once per cold start and reused, the shared Powertools logger / metrics /
 * tracer. Thin: runBuild per record (it logs and counts). Infrastructure failures are re-thrown so Lambda retries
 * (then the DLQ). Env: TABLE_NAME (required), BUILD_THREADS, RETIRED_VERSION_GRACE_MS, LIVE_EVENT_SETTLE_MS,
 * LIVE_EVENT_DEDUPE_WINDOW_MS (../model-build/live-fold.ts), the ingest limits (./build-limits.ts), the id hashing
 * key (ID_HASH_KEY_SECRET_ARN in the cloud, ID_HASH_KEY locally: loaded once, by the first build that needs it); the
 * bucket comes from each event record. The store is used through the build's roles only
 * (see ../adapters/store-contract.ts).
 */
import type { Context, S3Event } from 'aws-lambda';
import { z } from 'zod';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.js';
import { DEFAULT_RETIRED_VERSION_GRACE_MS, DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
import { DEFAULT_LIVE_FOLD } from '../model-build/live-fold.js';
import { cachedIdHashKey } from '../adapters/id-hash-key-cache.js';
import { loadIdHashKey } from '../adapters/id-hash-key.js';
import { runBuild, type BuildOutcome } from '../model-build/run-build.js';
import { flushMetrics, logger, metrics } from '../observability.js';
import { BUILD_LIMIT_VARIABLES, deploymentLimits } from './build-limits.js';
import { parseEnvironment, TABLE_NAME } from './environment.js';

const environment = parseEnvironment(
  'build',
  z.object({
    TABLE_NAME,
    BUILD_THREADS: z.coerce
      .number({ error: 'is not a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(64, 'must be at most 64')
      .optional()
      .describe(
        "Worker threads for the similarity kernel, 1-64; leave it unset for the engine's choice (one per core, up to 4).",
      ),
    RETIRED_VERSION_GRACE_MS: z.coerce
      .number({ error: 'is not a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(86_400_000, 'must be at most 86400000 (one day)')
      .optional()
      .describe(
        `Milliseconds a retired version's rows outlive its retirement, so readers still on it finish; more than the API's MANIFEST_CACHE_MS plus its longest request (default ${DEFAULT_RETIRED_VERSION_GRACE_MS}).`,
      ),
    LIVE_EVENT_SETTLE_MS: z.coerce
      .number({ error: 'is not a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(3_600_000, 'must be at most 3600000 (one hour)')
      .optional()
      .describe(
        `Milliseconds a build's live-event fold stays behind its clock, so no event still being written is missed: more than the API function's timeout (default ${DEFAULT_LIVE_FOLD.settleMs}; the stack sets its timeout + 5 s).`,
      ),
    LIVE_EVENT_DEDUPE_WINDOW_MS: z.coerce
      .number({ error: 'is not a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(30 * 86_400_000, 'must be at most 2592000000 (30 days)')
      .optional()
      .describe(
        `Milliseconds folded live events stay in the table, so a late retry is still a duplicate and a rollback still has them (default ${DEFAULT_LIVE_FOLD.dedupeWindowMs}, 24 h).`,
      ),
    ...BUILD_LIMIT_VARIABLES,
  }),
);
const limits = deploymentLimits(environment);
const live = {
  ...(environment.LIVE_EVENT_SETTLE_MS !== undefined ? { settleMs: environment.LIVE_EVENT_SETTLE_MS } : {}),
  ...(environment.LIVE_EVENT_DEDUPE_WINDOW_MS !== undefined
    ? { dedupeWindowMs: environment.LIVE_EVENT_DEDUPE_WINDOW_MS }
    : {}),
};
const s3 = createS3Client();
const store = new DynamoModelStore(createDynamoDocumentClient(), environment.TABLE_NAME, {
  retiredVersionGraceMs: environment.RETIRED_VERSION_GRACE_MS,
});
// Loaded when a pseudonymised dataset first needs it, then kept for the life of this execution environment.
const idHashKey = cachedIdHashKey(() => loadIdHashKey(process.env));

export const handler = async (event: S3Event, context: Context): Promise<BuildOutcome[]> => {
  logger.addContext(context);
  metrics.captureColdStartMetric(); // emitted once per execution environment
  try {
    const outcomes: BuildOutcome[] = [];
    const failures: unknown[] = [];
    for (const record of event.Records ?? []) {
      try {
        outcomes.push(
          await runBuild(record, {
            s3,
            store,
            logger,
            metrics,
            threads: environment.BUILD_THREADS,
            limits,
            idHashKey,
            live,
          }),
        );
      } catch (error) {
        failures.push(error);
      }
    }
    // Every record was attempted; a retry re-delivers all of them, which is safe because builds are idempotent.
    if (failures.length > 0) throw failures[0];
    return outcomes;
  } finally {
    flushMetrics(metrics);
  }
};
