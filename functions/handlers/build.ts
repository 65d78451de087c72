/**
 * S3 ObjectCreated (uploads/<dataset>/<file>) -> a new model version in DynamoDB. Thin: parse env, call
 * runBuild per record, log. Infrastructure failures are re-thrown so Lambda retries (then the DLQ).
 */
import type { S3Event } from 'aws-lambda';
import { z } from 'zod';
import { createDynamoClient, createS3Client } from '../adapters/aws-clients.js';
import { createDocumentClient } from '../adapters/dynamo/documents.js';
import { DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
import { runBuild, type BuildOutcome } from '../model-build/run-build.js';
import { createLogger } from '../observability.js';

const env = z
  .object({
    TABLE_NAME: z.string().min(3, 'TABLE_NAME must name the model table'),
    BUILD_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  })
  .parse(process.env);

const logger = createLogger();
const s3 = createS3Client();
const store = new DynamoModelStore(createDocumentClient(createDynamoClient()), env.TABLE_NAME);

export const handler = async (event: S3Event): Promise<BuildOutcome[]> => {
  const outcomes: BuildOutcome[] = [];
  const failures: unknown[] = [];
  for (const record of event.Records ?? []) {
    try {
      const outcome = await runBuild(record, { s3, store, logger, threads: env.BUILD_THREADS });
      if (outcome.status === 'ignored') logger.info('object ignored', { key: outcome.key, reason: outcome.reason });
      outcomes.push(outcome);
    } catch (error) {
      failures.push(error);
    }
  }
  // Every record was attempted; a retry re-delivers all of them, which is safe because builds are idempotent.
  if (failures.length > 0) throw failures[0];
  return outcomes;
};
