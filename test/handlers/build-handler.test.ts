// The build Lambda entry point logs through the shared Powertools logger with the invocation's Lambda context,
// as the API handler does. An upload outside uploads/ is ignored without touching any AWS service.
import type { S3Event } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createLambdaContext } from '../../functions/local/lambda-context.js';
import { jsonLines, stdoutOf } from '../support/stdout.js';

type BuildHandlerModule = typeof import('../../functions/handlers/build.js');
let buildHandler: BuildHandlerModule['handler'];

beforeAll(async () => {
  vi.stubEnv('TABLE_NAME', 'build-handler-test');
  vi.stubEnv('AWS_REGION', 'local');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  // The shared logger reads its level when first imported.
  ({ handler: buildHandler } = await import('../../functions/handlers/build.js'));
});

function ignoredUpload(key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: '2024-05-01T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:TEST' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'R', 'x-amz-id-2': 'I' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'test',
          bucket: { name: 'models', ownerIdentity: { principalId: 'O' }, arn: 'arn:aws:s3:::models' },
          object: { key, size: 2, eTag: 'e', sequencer: '01' },
        },
      },
    ],
  };
}

describe('build handler', () => {
  it("adds the invocation's Lambda context to its log lines", async () => {
    for (const requestId of ['build-request-1', 'build-request-2']) {
      const context = createLambdaContext({
        functionName: 'affinity-build',
        timeoutMs: 60_000,
        region: 'local',
        awsRequestId: requestId,
      });
      let outcomes: unknown;
      const output = await stdoutOf(async () => {
        outcomes = await buildHandler(ignoredUpload('reports/r.json'), context);
      });
      expect(outcomes).toEqual([{ status: 'ignored', key: 'reports/r.json', reason: expect.any(String) as unknown }]);
      expect(jsonLines(output)).toContainEqual(
        expect.objectContaining({
          level: 'INFO',
          message: 'object ignored',
          key: 'reports/r.json',
          service: 'affinity',
          function_name: 'affinity-build',
          function_request_id: requestId,
          function_arn: context.invokedFunctionArn,
        }),
      );
    }
  });
});
