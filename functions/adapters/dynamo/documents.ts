/**
 * What every part of the DynamoDB store shares: the document client, the table it works on, the retry policy,
 * and small helpers for items (plain JSON in, every page of a query out).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RetryPolicy } from './batch.js';

export type Item = Record<string, unknown>;

/** The table one store works on; every part of the store gets the same one. */
export interface StoreTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly retry: RetryPolicy;
}

/** A document client that drops undefined attributes (the store also sanitises what it writes). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Every item the query matches, following LastEvaluatedKey through all pages. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Plain JSON data: drops undefined (DynamoDB rejects it) and turns NaN/Infinity into null. */
export function storable<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
