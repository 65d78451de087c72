import { inject, describe, it, expect } from 'vitest';
import {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

describe('global setup', () => {
  it('serves a DynamoDB-compatible API that enforces DynamoDB validation', async () => {
    const client = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await expect(
      client.send(
        new CreateTableCommand({
          TableName: 'ab',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ),
    ).rejects.toThrow(/TableName/);
    await client.send(
      new CreateTableCommand({
        TableName: 'setup-check',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // dynalite turns a new table ACTIVE a moment after creating it (on a loaded machine, after the next request):
    // wait as any DynamoDB client must.
    await waitUntilTableExists(
      { client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: 'setup-check' },
    );
    const table = await client.send(new DescribeTableCommand({ TableName: 'setup-check' }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
  });
});
