/**
 * The dataset directory: one small row per dataset (`datasets` / `d#<dataset>`; layout in ./keys.ts), so that
 * every dataset can be listed with one paginated Query instead of a Scan of the table.
 *
 * Safety properties (test/adapters/dataset-directory.test.ts):
 * - Idempotent: `recordDataset` is one UpdateItem that sets `createdAt` only when absent, so a repeat (every
 *   claim of a first job, every activation) changes nothing and never moves `createdAt`.
 * - Complete: the store records a dataset when its first job is claimed and again on every activation, so a dataset
 *   that existed before the directory appears after its next build.
 * - Opaque, checked tokens: `nextToken` is base64url JSON `{ "after": <dataset> }`; anything else is a
 *   UserInputError naming `nextToken`, never a Query from an arbitrary key.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UserInputError } from '../../engine/types.js';
import {
  DATASET_PAGE_DEFAULT,
  DATASET_PAGE_MAX,
  type DatasetPage,
  type DatasetPageRequest,
} from '../store-contract.js';
import type { StoreTable } from './documents.js';
import { DATASET_DIRECTORY_PK, datasetDirectoryKey } from './keys.js';

export class DatasetDirectory {
  constructor(private readonly table: StoreTable) {}

  async recordDataset(dataset: string, at: Date): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: datasetDirectoryKey(dataset),
        UpdateExpression: 'SET dataset = :dataset, createdAt = if_not_exists(createdAt, :at)',
        ExpressionAttributeValues: { ':dataset': dataset, ':at': at.toISOString() },
      }),
    );
  }

  async listDatasets(request: DatasetPageRequest = {}): Promise<DatasetPage> {
    const limit = checkedLimit(request.limit);
    const after = request.nextToken === undefined ? undefined : decodeToken(request.nextToken);
    // One more than asked: a full page says whether another follows without an empty last page.
    const output = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': DATASET_DIRECTORY_PK },
        ProjectionExpression: 'dataset, createdAt',
        Limit: limit + 1,
        ...(after !== undefined ? { ExclusiveStartKey: datasetDirectoryKey(after) } : {}),
        ConsistentRead: true,
      }),
    );
    const rows = (output.Items ?? []).map((item) => ({
      dataset: item.dataset as string,
      createdAt: item.createdAt as string,
    }));
    const page = rows.slice(0, limit);
    // Rows are tiny, so a short page with a LastEvaluatedKey (the 1 MB cut) is all but impossible; still followed.
    const more = rows.length > limit || output.LastEvaluatedKey !== undefined;
    return more && page.length > 0
      ? { datasets: page, nextToken: encodeToken(page[page.length - 1].dataset) }
      : { datasets: page };
  }
}

function checkedLimit(limit: number | undefined): number {
  if (limit === undefined) return DATASET_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > DATASET_PAGE_MAX) {
    throw new UserInputError(
      `limit must be a whole number from 1 to ${DATASET_PAGE_MAX}, got ${limit}`,
      'limit',
      `Ask for 1 to ${DATASET_PAGE_MAX} datasets a page (default ${DATASET_PAGE_DEFAULT}).`,
    );
  }
  return limit;
}

export function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const bad = () =>
    new UserInputError(
      'nextToken is not a token this API gave out',
      'nextToken',
      'Pass the nextToken of the previous page unchanged, or leave it out to start from the first dataset.',
    );
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const after = (parsed as { after?: unknown } | null)?.after;
  if (typeof after !== 'string' || after === '' || Object.keys(parsed as object).length !== 1) throw bad();
  return after;
}
