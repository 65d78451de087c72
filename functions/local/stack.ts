/**
 * The whole service on one machine: dynalite + s3rver on loopback (data kept under `dataDir`), the bucket and
 * the table, the S3 -> build handler bridge and the HTTP -> API handler server. The handlers are the deployed
 * ones; they find the local services through the standard AWS SDK environment variables set here.
 *
 * Recovery on start (./upload-recovery.ts, tested in test/local/upload-recovery.test.ts and
 * test/cli/kill-recovery.test.ts): the event queue lives in memory, so before the API opens, jobs the last run
 * left 'running' are settled as interrupted and uploads no finished job built are queued for building again.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../adapters/dynamo/documents.js';
import { DynamoModelStore } from '../adapters/dynamo/dynamo-model-store.js';
import { ensureTable } from '../adapters/dynamo/table.js';
import { ensureIdHashKeyFile } from './id-hash-key-file.js';
import { recoverUnbuiltUploads } from './upload-recovery.js';
import { startApiServer, type ApiHandler, type ApiServerOptions, type RunningApiServer } from './api-gateway-server.js';
import { startS3EventBridge, type S3EventBridge, type S3EventHandler } from './s3-event-bridge.js';
import { UserInputError } from '../engine/types.js';
import { startDynalite, startS3rver, type RunningService } from './services.js';
import { configuredRegion, LOCAL_CREDENTIALS, LOCAL_LIVE_EVENT_SETTLE_MS } from './defaults.js';
import { UPLOADS_PREFIX } from '../adapters/bucket-layout.js';

export interface LocalStackOptions {
  /** Folder for all local data: `<dataDir>/dynamodb` and `<dataDir>/s3`. Reused data survives restarts. */
  dataDir: string;
  /** Ports on 127.0.0.1; 0 or omitted = ephemeral. */
  s3Port?: number;
  dynamoPort?: number;
  apiPort?: number;
  bucket?: string;
  table?: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** Only uploads under this prefix trigger a build, as in the deployed notification filter. Default 'uploads/'. */
  uploadPrefix?: string;
  buildHandler: S3EventHandler;
  apiHandler: ApiHandler;
  /** Settle jobs left running and rebuild uploads the last run did not build (default true). */
  recoverUploads?: boolean;
  /** Tuning for the S3 -> build handler delivery (tests shorten the retry delay). */
  bridge?: { concurrency?: number; maxRetries?: number; retryDelayMs?: number };
  log?: (line: string) => void;
  /** A built web console to serve under /console/ on the API's port (./console-static.ts). */
  consoleDir?: string;
  /** The console's upload route, passed to the API server (./api-gateway-server.ts). */
  consoleUploads?: ApiServerOptions['consoleUploads'];
}

export interface LocalStack {
  s3Endpoint: string;
  dynamoEndpoint: string;
  apiUrl: string;
  bucket: string;
  table: string;
  region: string;
  bridge: S3EventBridge;
  /** Stops the API, lets running builds finish, stops the services, restores the environment. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_LOCAL_NAME = 'affinity-local';
/** s3rver's built-in key pair, used when no credentials are configured. */

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const bucket = options.bucket ?? DEFAULT_LOCAL_NAME;
  const table = options.table ?? DEFAULT_LOCAL_NAME;
  const region = configuredRegion(options.region);
  const log = options.log ?? ((line: string) => console.error(line));
  const credentials = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID || LOCAL_CREDENTIALS.accessKeyId,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || LOCAL_CREDENTIALS.secretAccessKey,
  };

  // Everything started so far, stopped in reverse order on failure or on stop().
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not stop cleanly');
  };

  try {
    const [dynamo, s3] = await startBoth(
      () =>
        explainPortInUse(
          'DynamoDB (dynalite)',
          options.dynamoPort,
          startDynalite({ port: options.dynamoPort, directory: join(options.dataDir, 'dynamodb') }),
        ),
      () =>
        explainPortInUse(
          'S3 (s3rver)',
          options.s3Port,
          startS3rver({
            port: options.s3Port,
            directory: join(options.dataDir, 's3'),
            buckets: [bucket],
            accessKeys: [credentials],
          }),
        ),
    );
    stops.push(dynamo.stop, s3.stop);

    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
    try {
      await ensureTable(dynamoClient, table);
    } finally {
      dynamoClient.destroy();
    }

    const idHashKey = await ensureIdHashKeyFile(options.dataDir);
    const restoreEnvironment = setEnvironment({
      // The same key every start (its file lives beside the data it hashes); never a secret ARN locally.
      ID_HASH_KEY: idHashKey,
      ID_HASH_KEY_SECRET_ARN: '',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      TABLE_NAME: table,
      // In-process requests finish in well under this; the deployed stack sets its API timeout + 5 s.
      LIVE_EVENT_SETTLE_MS: process.env.LIVE_EVENT_SETTLE_MS ?? String(LOCAL_LIVE_EVENT_SETTLE_MS),
    });
    stops.push(async () => restoreEnvironment());

    const bridge = startS3EventBridge({
      source: s3.events,
      handler: options.buildHandler,
      region,
      filter: { prefix: options.uploadPrefix ?? UPLOADS_PREFIX },
      describeObject: s3.describeObject,
      log,
      ...options.bridge,
    });
    stops.push(() => bridge.stop());

    if (options.recoverUploads !== false) {
      const recoveryS3 = new S3Client({ endpoint: s3.endpoint, region, credentials, forcePathStyle: true });
      const recoveryDynamo = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
      try {
        await recoverUnbuiltUploads({
          s3: recoveryS3,
          store: new DynamoModelStore(createDocumentClient(recoveryDynamo), table),
          bucket,
          region,
          deliver: (record) => bridge.redeliver(record),
          log,
        });
      } catch (error) {
        // The stack is still useful without it; say so loudly, with what to do.
        log(`✖ recovery: could not look for unbuilt uploads (${String(error)}); upload them again to build them`);
      } finally {
        recoveryS3.destroy();
        recoveryDynamo.destroy();
      }
    }

    const api: RunningApiServer = await explainPortInUse(
      'the API',
      options.apiPort,
      startApiServer({
        handler: options.apiHandler,
        port: options.apiPort,
        region,
        log,
        consoleDir: options.consoleDir,
        consoleUploads: options.consoleUploads,
      }),
    );
    stops.push(api.stop);

    let stopping: Promise<void> | undefined;
    return {
      s3Endpoint: s3.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      apiUrl: api.url,
      bucket,
      table,
      region,
      bridge,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll().catch((stopError: unknown) => log(`while giving up on start-up: ${String(stopError)}`));
    throw error;
  }
}

/** Starts two services at once; if either fails, the other is stopped before the error propagates. */
async function startBoth<A extends RunningService, B extends RunningService>(
  startA: () => Promise<A>,
  startB: () => Promise<B>,
): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([startA(), startB()]);
  if (a.status === 'fulfilled' && b.status === 'fulfilled') return [a.value, b.value];
  await Promise.allSettled([a, b].flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])));
  throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
}

/** A taken port is a user mistake (another stack still running?), so say which and how to fix it. */
async function explainPortInUse<T>(service: string, port: number | undefined, starting: Promise<T>): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new UserInputError(
      `Port ${port} on 127.0.0.1, wanted for ${service}, is already in use`,
      `port ${port}`,
      'stop the other process (another local stack?) or choose a different port, or 0 for any free port',
    );
  }
}

/** Sets process.env values; returns a function that puts the previous values back. */
function setEnvironment(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
