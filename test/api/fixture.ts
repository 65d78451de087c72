/**
 * A small hand-written model written through the real DynamoModelStore into the test dynalite, plus recorders
 * for logs and metrics. Every expected score in the API tests is computed by hand from the rows below.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import { ensureTable } from '../../functions/adapters/dynamo/table.js';
import type { JobRecord, VersionInfo } from '../../functions/adapters/store-contract.js';
import {
  DEFAULT_SIMILARITY_OPTIONS,
  MODEL_KINDS,
  type HistoryEntry,
  type ModelKind,
  type Neighbour,
  type PopularItem,
} from '../../functions/engine/types.js';
import type { AppLogger, AppMetrics } from '../../functions/observability.js';

export interface TestModel {
  itemNeighbours: Record<string, Neighbour[]>;
  userNeighbours: Record<string, Neighbour[]>;
  /** Most recent first. */
  histories: Record<string, HistoryEntry[]>;
  popularity: PopularItem[];
}

const n = (id: string, similarity: number, support = 1): Neighbour => ({ id, similarity, support });
const h = (item: string, value: number): HistoryEntry => ({ item, value });

/** Ids that need percent-encoding in a URL path. */
export const SLASH_ITEM = 'a/b';
export const HASH_ITEM = 'c#d';
export const SPACE_ITEM = 'with space';
export const UNICODE_ITEM = 'ünï©ødé 🎬';
export const ODD_USER = 'user #2/ü ?x';

export const FILMS: TestModel = {
  itemNeighbours: {
    m1: [n('m2', 0.9, 3), n('m3', 0.5, 2), n(SLASH_ITEM, 0.4)],
    m2: [n('m1', 0.9, 3), n('m3', 0.6, 2), n('m4', 0.2)],
    m3: [n('m2', 0.6, 2), n('m1', 0.5, 2)],
    [HASH_ITEM]: [n('m4', 0.8, 2), n('m5', 0.3)],
    [SPACE_ITEM]: [n('m2', 0.1)],
    [UNICODE_ITEM]: [n('m1', 0.7, 4)],
  },
  userNeighbours: {
    u1: [n('u2', 0.7, 2), n(ODD_USER, 0.3)],
    [ODD_USER]: [n('u1', 0.3)],
  },
  histories: {
    u1: [h('m1', 5), h('m2', 3)],
    u2: [h('m3', 4), h('m4', 2)],
    [ODD_USER]: [h(HASH_ITEM, 2), h('m1', 1)],
  },
  popularity: [
    { item: 'm4', count: 1, meanValue: 2 },
    { item: 'm1', count: 3, meanValue: 3 },
    { item: 'm2', count: 2, meanValue: 4 },
    { item: 'm3', count: 2, meanValue: 3.5 },
    { item: 'm5', count: 1, meanValue: 5 },
    { item: SLASH_ITEM, count: 1, meanValue: 1 },
  ],
};

export interface TestStore {
  client: DynamoDBClient;
  store: DynamoModelStore;
  tableName: string;
}

export async function createTestStore(): Promise<TestStore> {
  const client = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `api-${randomUUID()}`;
  await ensureTable(client, tableName);
  return { client, store: new DynamoModelStore(createDocumentClient(client), tableName), tableName };
}

export function versionInfo(
  dataset: string,
  version: string,
  sourceOrder: string,
  models: readonly ModelKind[] = MODEL_KINDS,
  rows: { itemRows: number; userRows: number } = { itemRows: 6, userRows: 2 },
): VersionInfo {
  return {
    version,
    createdAt: `2024-05-0${sourceOrder.slice(-1)}T10:00:00.000Z`,
    jobId: `job-${version}`,
    source: { bucket: 'uploads-bucket', key: `uploads/${dataset}/ratings.csv`, sourceOrder },
    stats: { users: 3, items: 6, ratings: 6, ...rows },
    options: { similarity: { ...DEFAULT_SIMILARITY_OPTIONS }, models: [...models], versionsKept: 3 },
  };
}

/**
 * Writes the rows of `model` as `version` and activates it. Like a real build, a version built without a model
 * kind has none of its neighbour rows (histories and popularity are always written).
 */
export async function writeModel(
  store: DynamoModelStore,
  dataset: string,
  version: string,
  model: TestModel,
  sourceOrder: string,
  models: readonly ModelKind[] = MODEL_KINDS,
): Promise<void> {
  const writer = store.createVersionWriter(dataset, version);
  const itemRows = models.includes('item') ? Object.entries(model.itemNeighbours) : [];
  const userRows = models.includes('user') ? Object.entries(model.userNeighbours) : [];
  for (const [item, neighbours] of itemRows) await writer.putItemNeighbours(item, neighbours);
  for (const [user, neighbours] of userRows) await writer.putUserNeighbours(user, neighbours);
  for (const [user, history] of Object.entries(model.histories)) await writer.putUserHistory(user, history);
  await writer.putPopularity(model.popularity);
  await writer.flush();
  const info = versionInfo(dataset, version, sourceOrder, models, {
    itemRows: itemRows.length,
    userRows: userRows.length,
  });
  const outcome = await store.activateVersion(dataset, info, 3);
  if (outcome !== 'activated') throw new Error(`fixture: version ${version} was ${outcome}`);
}

export function jobRecord(
  dataset: string,
  jobId: string,
  startedAt: string,
  status: JobRecord['status'] = 'succeeded',
): JobRecord {
  return {
    dataset,
    jobId,
    status,
    source: { bucket: 'uploads-bucket', key: `uploads/${dataset}/ratings.csv`, sourceOrder: startedAt },
    startedAt,
    updatedAt: startedAt,
    // A running build renews its lease; without a live one, readers show the job as interrupted.
    ...(status === 'running' ? { leaseUntil: '9999-12-31T00:00:00.000Z' } : {}),
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: unknown[];
}

export function recordingLogger(): AppLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (message: string, ...extra: unknown[]) =>
      void records.push({ level, message, extra });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function recordingMetrics(): AppMetrics & { published: Record<string, number>[] } {
  let stored: Record<string, number> = {};
  const published: Record<string, number>[] = [];
  return {
    published,
    addMetric(name, _unit, value) {
      stored[name] = (stored[name] ?? 0) + value;
    },
    hasStoredMetrics: () => Object.keys(stored).length > 0,
    publishStoredMetrics() {
      published.push(stored);
      stored = {};
    },
  };
}

/** `encodeURIComponent` for a path segment: '/', '#', '?', spaces and non-ASCII all escaped. */
export const segment = encodeURIComponent;
