/**
 * S3 ObjectCreated (uploads/<dataset>/<file>) -> a new model version in DynamoDB. Same shape as ./api.ts: env
 * parsed once, clients and store built once per cold start and reused, the shared Powertools logger / metrics /
 * tracer. Thin: runBuild per record, log. Infrastructure failures are re-thrown so Lambda retries (then the DLQ).
 * Env: TABLE_NAME (required), BUILD_THREADS, the ingest limits (./build-limits.ts); the bucket comes from each event record. The store is used through
 * the build's roles only (see ../adapters/store-contract.ts).
 */
import type { Context, S3Event } from 'aws-lambda';
import { z } from 'zod';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.js';
import { DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
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
    ...BUILD_LIMIT_VARIABLES,
  }),
);
const limits = deploymentLimits(environment);
const s3 = createS3Client();
const store = new DynamoModelStore(createDynamoDocumentClient(), environment.TABLE_NAME);

export const handler = async (event: S3Event, context: Context): Promise<BuildOutcome[]> => {
  logger.addContext(context);
  metrics.captureColdStartMetric(); // emitted once per execution environment
  try {
    const outcomes: BuildOutcome[] = [];
    const failures: unknown[] = [];
    for (const record of event.Records ?? []) {
      try {
        const outcome = await runBuild(record, { s3, store, logger, threads: environment.BUILD_THREADS, limits });
        if (outcome.status === 'ignored') logger.info('object ignored', { key: outcome.key, reason: outcome.reason });
        outcomes.push(outcome);
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
