/**
 * Starts the local stand-ins for AWS services on loopback: dynalite (DynamoDB API) and s3rver (S3 API).
 * Only service start-up differs from the cloud: handlers and adapters talk to these through the normal
 * AWS SDK clients, pointed here by the standard AWS_ENDPOINT_URL_* variables.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { EventEmitter } from 'node:events';

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
}

export interface RunningS3 extends RunningService {
  /** s3rver's in-process event emitter: emits 'event' with an S3-shaped notification (raw, un-encoded key). */
  events: EventEmitter;
}

export async function startS3rver(options: S3Options): Promise<RunningS3> {
  const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => EventEmitter & {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    // Path-style addressing on loopback; virtual-host buckets would need DNS.
    vhostBuckets: false,
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    events: server,
    stop: () => server.close(),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
