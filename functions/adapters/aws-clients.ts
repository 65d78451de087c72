/**
 * The one place AWS SDK clients are made for the functions, each traced (X-Ray subsegments per call through the
 * shared Powertools tracer; a no-op outside Lambda). Handlers call these once, at module scope, so a warm Lambda
 * reuses connections. In the cloud the clients use the Lambda's region and role; locally the standard
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB variables point them at s3rver and dynalite.
 *
 * One function per service, so a handler's bundle holds only the SDK it uses (the API function has no S3).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../observability.js';
import { createDocumentClient } from './dynamo/documents.js';

export function createS3Client(): S3Client {
  // Path-style addressing locally: bucket sub-domains of 127.0.0.1 do not resolve.
  const local = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  return tracer.captureAWSv3Client(new S3Client({ forcePathStyle: local }));
}

/** A document client over a traced DynamoDB client (tracing the base client covers every command sent). */
export function createDynamoDocumentClient(): DynamoDBDocumentClient {
  return createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({})));
}

/** For the id hashing key (./id-hash-key.ts), read once per cold start. */
export function createSecretsManagerClient(): SecretsManagerClient {
  return tracer.captureAWSv3Client(new SecretsManagerClient({}));
}
