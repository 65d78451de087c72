/**
 * The whole product for end-to-end tests: a local stack (dynalite + s3rver + S3 event bridge + HTTP API) running
 * the deployed build and API handlers, plus clients to drive it the way a customer and an operator would.
 *
 * The handlers are imported only after the stack has set the AWS endpoint environment, because they create
 * their SDK clients at module scope (as on Lambda). Vitest runs each test file in its own process, so each
 * file gets fresh handler modules bound to its own stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event } from 'aws-lambda';
import { createDocumentClient } from '../../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../../functions/adapters/dynamo/dynamo-model-store.js';
import {
  datasetPk,
  versionPartitions,
  versionRegistryKey,
  VERSION_SK_PREFIX,
} from '../../functions/adapters/dynamo/keys.js';
import type { BuildOutcome } from '../../functions/model-build/run-build.js';
import { LOCAL_CREDENTIALS } from '../../functions/local/defaults.js';
import { createLambdaContext } from '../../functions/local/lambda-context.js';
import { startLocalStack, type LocalStack } from '../../functions/local/stack.js';

/** What the stack's S3 notifications do: run the real build handler, or only record the event (tests replay it). */
export type DeliveryMode = 'build' | 'capture';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A build job as the API returns it (the fields the tests look at). */
export interface JobView {
  jobId: string;
  status: string;
  version: string;
  reportKey?: string;
  source: { key: string; bucket: string };
  report?: Record<string, unknown>;
  error?: { message: string; where?: string; hint?: string };
}

/** A dataset's build jobs through the API, newest first. */
export async function jobsOf(env: PipelineStack, dataset: string, limit = 50): Promise<JobView[]> {
  return (await env.api<{ jobs: JobView[] }>(`/v1/datasets/${seg(dataset)}/jobs?limit=${limit}`)).body.jobs;
}

export interface PipelineStack {
  stack: LocalStack;
  s3: S3Client;
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** A store on the stack's table with consistent reads (for assertions below the API). */
  store: DynamoModelStore;
  /** Events the bridge delivered (in both modes), in delivery order. */
  events: S3Event[];
  mode: DeliveryMode;
  /** Calls the deployed build handler directly, as Lambda would with this event. */
  build(event: S3Event): Promise<BuildOutcome[]>;
  /** Puts an object through the S3 API. */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Puts an object and waits until its S3 event (and any retry) has been handled. */
  upload(key: string, body: string | Uint8Array): Promise<void>;
  getJson(key: string): Promise<Record<string, unknown> | undefined>;
  /** GET (or POST with a JSON body) against the API over HTTP; `path` is already URL-encoded. */
  api<T = Record<string, unknown>>(path: string, init?: { method?: string; body?: unknown }): Promise<ApiResponse<T>>;
  /** Number of model rows a version still has in DynamoDB, plus whether its registry row exists. */
  versionRows(dataset: string, version: string): Promise<{ rows: number; registered: boolean }>;
  /** Versions with a registry row (written before a version's first model row, removed with its last). */
  registeredVersions(dataset: string): Promise<string[]>;
  stop(): Promise<void>;
}

const BUILD_CONTEXT = { functionName: 'affinity-build', timeoutMs: 15 * 60_000 };

export interface PipelineStackOptions {
  mode?: DeliveryMode;
  /**
   * How long a retired version's rows outlive its retirement (the build handler's RETIRED_VERSION_GRACE_MS).
   * Default 0: these tests assert that the next build deletes them; 'default' keeps the deployed grace.
   */
  retiredVersionGraceMs?: number | 'default';
  /** Build invocations running at once (Lambda runs many; the local default is 1). */
  bridgeConcurrency?: number;
}

export async function startPipelineStack(options: PipelineStackOptions = {}): Promise<PipelineStack> {
  // Read by Powertools when the handler modules are first imported (below, after the stack is up).
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  // One similarity thread: the suite shares 2 cores with other files, and tiny data gains nothing from workers.
  process.env.BUILD_THREADS = '1';
  // These tests assert what readers see right after each build or rollback, so the API re-reads the manifest on
  // every request; the deployed default (reuse for 1 s) is covered by the store's own tests.
  process.env.MANIFEST_CACHE_MS = '0';
  const grace = options.retiredVersionGraceMs ?? 0;
  if (grace === 'default') delete process.env.RETIRED_VERSION_GRACE_MS;
  else process.env.RETIRED_VERSION_GRACE_MS = String(grace);

  const dataDir = mkdtempSync(join(tmpdir(), 'affinity-pipeline-'));
  let buildModule: typeof import('../../functions/handlers/build.js') | undefined;
  let apiModule: typeof import('../../functions/handlers/api.js') | undefined;
  const events: S3Event[] = [];
  const state = { mode: options.mode ?? 'build' };

  // Direct calls (tests replaying an event) get a context like the bridge's, as Lambda always passes one.
  const runBuildHandler = async (event: S3Event, context = createLambdaContext(BUILD_CONTEXT)) => {
    buildModule ??= await import('../../functions/handlers/build.js');
    return buildModule.handler(event, context);
  };

  const stack = await startLocalStack({
    dataDir,
    s3Port: 0,
    dynamoPort: 0,
    apiPort: 0,
    buildHandler: async (event: S3Event, context: Context) => {
      events.push(structuredClone(event));
      if (state.mode === 'capture') return [];
      return runBuildHandler(event, context);
    },
    apiHandler: async (event, context) => {
      apiModule ??= await import('../../functions/handlers/api.js');
      return apiModule.handler(event, context);
    },
    bridge: { retryDelayMs: 50, concurrency: options.bridgeConcurrency },
    log: () => {},
  });

  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: stack.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  const raw = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const doc = createDocumentClient(raw);
  const store = new DynamoModelStore(doc, stack.table, {
    consistentReads: true,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });

  const put = async (key: string, body: string | Uint8Array) => {
    // A Buffer has a known length (a string body makes the SDK warn about streams of unknown length).
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: key,
        Body: typeof body === 'string' ? Buffer.from(body) : body,
      }),
    );
  };

  const countPartition = async (pk: string) => {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: stack.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  };

  return {
    stack,
    s3,
    raw,
    doc,
    store,
    events,
    get mode() {
      return state.mode;
    },
    set mode(mode: DeliveryMode) {
      state.mode = mode;
    },
    build: runBuildHandler,
    put,
    async upload(key, body) {
      await put(key, body);
      // The notification is emitted synchronously with the PUT's response; idle() then covers its delivery.
      await stack.bridge.idle();
    },
    async getJson(key) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
        return JSON.parse(await object.Body!.transformToString('utf-8')) as Record<string, unknown>;
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
      const method = init.method ?? 'GET';
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        // Like the CLI: every POST is JSON, with or without a body (the API refuses others with 415).
        headers: init.body === undefined && method === 'GET' ? {} : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    },
    async versionRows(dataset, version) {
      const counts = await Promise.all(versionPartitions(dataset, version).map(countPartition));
      const registry = await doc.send(
        new GetCommand({ TableName: stack.table, Key: versionRegistryKey(dataset, version), ConsistentRead: true }),
      );
      return { rows: counts.reduce((a, b) => a + b, 0), registered: registry.Item !== undefined };
    },
    async registeredVersions(dataset) {
      const page = await doc.send(
        new QueryCommand({
          TableName: stack.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': datasetPk(dataset), ':prefix': VERSION_SK_PREFIX },
          ConsistentRead: true,
        }),
      );
      return (page.Items ?? []).map((item) => item.version as string).sort();
    },
    async stop() {
      s3.destroy();
      raw.destroy();
      try {
        await stack.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** URL path segment for an id (the API's path parameters are percent-encoded, '/' included). */
export const seg = encodeURIComponent;
