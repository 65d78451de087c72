/**
 * Shared by the dynamo-store*.test.ts files: a store on its own table of the global setup's dynalite (one table per
 * test file: each file evaluates this module afresh), and versions to write to it.
 */
import { inject } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';
import type { VersionInfo } from '../../functions/adapters/store-contract.js';
import type { Neighbour } from '../../functions/engine/types.js';

export const raw = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'local',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
export const doc = createDocumentClient(raw);
export const TABLE = `dynamo-store-${process.pid}-${Date.now()}`;
export const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
export const store = new DynamoModelStore(doc, TABLE, { retry: fastRetry, consistentReads: true });

/** For each file's beforeAll: creates the table, twice (ensureTable must be idempotent). */
export async function createStoreTable(): Promise<void> {
  await ensureTable(raw, TABLE);
  await ensureTable(raw, TABLE); // idempotent
}

export function info(version: string, sourceOrder: string): VersionInfo {
  return {
    version,
    createdAt: '2024-01-01T00:00:00.000Z',
    jobId: `job-${version}`,
    source: { bucket: 'b', key: 'uploads/x/ratings.csv', sourceOrder },
    stats: { users: 2, items: 3, ratings: 4, itemRows: 3, userRows: 2 },
    options: {
      similarity: { measure: 'cosine', k: 50, shrinkage: 0, minSupport: 1, implicit: false },
      models: ['item', 'user'],
      versionsKept: 3,
    },
  };
}

export const ITEMS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'];

/** Every row of a version names the version, so a reader can tell which version each row came from. */
export function neighboursFor(version: string, item: string): Neighbour[] {
  return [
    { id: `${version}:${item}:a`, similarity: 0.9, support: 3 },
    { id: `${version}:${item}:b`, similarity: 0.4, support: 1 },
  ];
}

export async function writeVersion(dataset: string, version: string, items = ITEMS): Promise<number> {
  const writer = store.createVersionWriter(dataset, version);
  for (const item of items) await writer.putItemNeighbours(item, neighboursFor(version, item));
  await writer.putUserHistory('u1', [{ item: items[0], value: 5 }]);
  return (await writer.flush()).rowsWritten;
}
