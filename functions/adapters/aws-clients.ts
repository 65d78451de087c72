/**
 * AWS SDK clients, configured once per process. In the cloud they use the Lambda's region and role; locally the
 * standard AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB variables point them at s3rver and dynalite. S3 needs
 * path-style addressing there, because bucket sub-domains of 127.0.0.1 do not resolve.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export function createS3Client(): S3Client {
  return new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) });
}

export function createDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({});
}
