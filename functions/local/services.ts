/**
 * Starts the local stand-ins for AWS services on loopback: dynalite (DynamoDB API) and s3rver (S3 API).
 * Only service start-up differs from the cloud: handlers and adapters talk to these through the normal
 * AWS SDK clients, pointed here by the standard AWS_ENDPOINT_URL_* variables.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { EventEmitter } from 'node:events';
import { makeObjectReplacementAtomic, type S3rverFilesystemStore } from './atomic-object-store.js';
import { decodeAwsChunkedRequests } from './aws-chunked.js';

const require = createRequire(import.meta.url);

export interface RunningService {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DynamoOptions {
  /** 0 = ephemeral port. */
  port?: number;
  /** Folder for persistent data; in memory when omitted. */
  directory?: string;
}

export async function startDynalite(options: DynamoOptions = {}): Promise<RunningService> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  // Table creation/deletion is instant locally; the cloud's latencies would only slow tests.
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => closeServer(server),
  };
}

export interface S3Options {
  port?: number;
  /** Folder where s3rver keeps buckets and objects. */
  directory: string;
  /** Buckets created at start-up (idempotent). */
  buckets?: string[];
  /**
   * Access keys s3rver accepts besides its built-in `S3RVER`: it rejects unknown key ids (InvalidAccessKeyId),
   * though it does not check SigV4 signatures. Pass whatever the local clients sign with.
   */
  accessKeys?: Array<{ accessKeyId: string; secretAccessKey: string }>;
}

export interface RunningS3 extends RunningService {
  /** s3rver's in-process event emitter: emits 'event' with an S3-shaped notification (raw, un-encoded key). */
  events: EventEmitter;
  /** ETag (unquoted) and size of a stored object, undefined when absent: s3rver's Copy events lack the ETag. */
  describeObject(bucket: string, key: string): Promise<{ eTag: string; size: number } | undefined>;
}

export async function startS3rver(options: S3Options): Promise<RunningS3> {
  const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => EventEmitter & {
    configureBuckets(): Promise<void>;
    callback(): RequestListener;
    close(): Promise<void>;
    httpServer?: Server;
    logger: { close(): void };
    store: S3rverFilesystemStore & {
      getMetadata(bucket: string, key: string): Promise<{ etag: string; 'content-length': number }>;
    };
  };
  mkdirSync(options.directory, { recursive: true });
  const accounts = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  for (const key of options.accessKeys ?? [])
    accounts.DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    // Path-style addressing on loopback; virtual-host buckets would need DNS.
    vhostBuckets: false,
  });
  // An upload replaces an object as on S3: reads under way keep their bytes, and an ETag matches its bytes.
  makeObjectReplacementAtomic(server.store);
  // s3rver.run() gives its HTTP server no 'error' listener, so a taken port would crash the process:
  // do what run() does, with the error turned into a rejection.
  await server.configureBuckets();
  const httpServer = createServer(decodeAwsChunkedRequests(server.callback()));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  httpServer.on('close', () => server.logger.close());
  server.httpServer = httpServer;
  const address = httpServer.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    events: server,
    describeObject: async (bucket, key) => {
      try {
        const metadata = await server.store.getMetadata(bucket, key);
        return { eTag: JSON.parse(metadata.etag) as string, size: Number(metadata['content-length']) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    stop: () => closeServer(httpServer),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
