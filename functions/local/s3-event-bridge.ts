/**
 * Turns s3rver's in-process notifications into real-shaped S3 events and invokes the build handler the way
 * Lambda invokes asynchronously: queued, bounded concurrency, retried twice on error, then recorded as failed
 * (Lambda would send it to a dead-letter destination). Nothing is dropped silently.
 *
 * s3rver emits the raw key and a few wrong fields; the event is rebuilt so that locally the handler sees
 * exactly what real S3 sends: URL-encoded key, `arn:aws:s3:::bucket`, increasing sequencer, eventVersion 2.1.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { decodeS3EventKey, encodeS3EventKey } from '../adapters/s3-event-keys.js';
import { createLambdaContext } from './lambda-context.js';
import { configuredRegion } from './defaults.js';

export type S3EventHandler = (event: S3Event, context: Context) => Promise<unknown>;

export interface S3EventBridgeOptions {
  /** s3rver instance (`RunningS3.events`): emits 'event' with an S3-shaped notification carrying the raw key. */
  source: EventEmitter;
  handler: S3EventHandler;
  region?: string;
  /** Only keys (raw, decoded) matching these are delivered, like a notification configuration's filter. */
  filter?: { prefix?: string; suffix?: string };
  /** Handler invocations running at once (Lambda reserved concurrency). Default 1. */
  concurrency?: number;
  /** Retries after the first failed attempt (Lambda async default: 2). */
  maxRetries?: number;
  /** Delay before the first retry; doubles for each further retry. Default 500 ms (Lambda waits minutes). */
  retryDelayMs?: number;
  /** Handler timeout given to the Lambda context (build function: 15 minutes). */
  timeoutMs?: number;
  functionName?: string;
  /** Copy events from s3rver carry no ETag; this looks it up (e.g. `RunningS3.describeObject`). */
  describeObject?: (bucket: string, key: string) => Promise<{ eTag: string; size: number } | undefined>;
  log?: (line: string) => void;
}

export interface FailedDelivery {
  event: S3Event;
  /** Decoded object key, for humans. */
  key: string;
  attempts: number;
  error: string;
}

export interface S3EventBridge {
  /** Events whose every attempt failed, or that were still queued when the bridge stopped. */
  readonly failed: readonly FailedDelivery[];
  /** Events the handler accepted (resolved) so far. */
  readonly delivered: number;
  /** Resolves once every received event has been delivered or recorded as failed. */
  idle(): Promise<void>;
  /** Stops listening, records queued and retry-waiting events as failed, waits for running invocations. */
  stop(): Promise<void>;
  /** Queues an event built elsewhere (uploads found unbuilt on start), delivered and retried like any other. */
  redeliver(record: S3EventRecord): void;
}

interface Delivery {
  event: S3Event;
  key: string;
  attempts: number;
}

/** s3rver's notification shape: an S3 event with the raw key and s3rver's own event names. */
interface S3rverNotification {
  Records: Array<{
    eventName: string;
    eventTime?: string;
    requestParameters?: { sourceIPAddress?: string };
    responseElements?: Record<string, string>;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  }>;
}

export function startS3EventBridge(options: S3EventBridgeOptions): S3EventBridge {
  const region = configuredRegion(options.region);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const functionName = options.functionName ?? 'affinity-build';
  const log = options.log ?? ((line: string) => console.error(line));
  const nextSequencer = sequencerSource();

  const queue: Delivery[] = [];
  const retryTimers = new Map<NodeJS.Timeout, Delivery>();
  const failed: FailedDelivery[] = [];
  let running = 0;
  let delivered = 0;
  /** Events being turned into deliveries (Copy events await an ETag look-up). */
  let preparing = 0;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  const isIdle = () => queue.length === 0 && running === 0 && retryTimers.size === 0 && preparing === 0;
  const settle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const recordFailure = (delivery: Delivery, error: string) => {
    failed.push({ event: delivery.event, key: delivery.key, attempts: delivery.attempts, error });
    log(
      `✖ S3 EVENT NOT DELIVERED: s3://${delivery.event.Records[0].s3.bucket.name}/${delivery.key} ` +
        `(${delivery.event.Records[0].eventName}) after ${delivery.attempts} attempt(s): ${error}`,
    );
  };

  const pump = () => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const delivery = queue.shift()!;
      running += 1;
      void attempt(delivery).finally(() => {
        running -= 1;
        pump();
        settle();
      });
    }
  };

  const attempt = async (delivery: Delivery) => {
    delivery.attempts += 1;
    const context = createLambdaContext({ functionName, timeoutMs, region });
    try {
      // A fresh copy per attempt: Lambda re-sends the same JSON, whatever the handler did to the last one.
      await options.handler(structuredClone(delivery.event), context);
      delivered += 1;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (delivery.attempts > maxRetries) {
        recordFailure(delivery, message);
        return;
      }
      if (stopped) {
        recordFailure(delivery, `bridge stopped before retry; last error: ${message}`);
        return;
      }
      const delay = retryDelayMs * 2 ** (delivery.attempts - 1);
      log(
        `S3 event for ${delivery.key}: attempt ${delivery.attempts} failed, retrying in ${delay} ms: ${firstLine(message)}`,
      );
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        queue.push(delivery);
        pump();
        settle();
      }, delay);
      retryTimers.set(timer, delivery);
    }
  };

  const onEvent = (notification: S3rverNotification) => {
    for (const record of notification.Records ?? []) {
      // Deletions build too: the dataset's next model no longer has the file's rows.
      if (!record.eventName.startsWith('ObjectCreated:') && !record.eventName.startsWith('ObjectRemoved:')) continue;
      const rawKey = record.s3.object.key;
      if (options.filter?.prefix && !rawKey.startsWith(options.filter.prefix)) continue;
      if (options.filter?.suffix && !rawKey.endsWith(options.filter.suffix)) continue;
      // The sequencer is taken now, in emission order, even if an ETag look-up delays the delivery.
      const sequencer = nextSequencer();
      preparing += 1;
      void buildRecord(record, rawKey, sequencer)
        .then((built) => {
          const delivery = { event: { Records: [built] }, key: rawKey, attempts: 0 };
          if (stopped) recordFailure(delivery, 'bridge stopped before delivery');
          else queue.push(delivery);
        })
        .catch((error: unknown) => {
          log(`✖ S3 EVENT NOT DELIVERED: could not build the event for ${rawKey}: ${String(error)}`);
        })
        .finally(() => {
          preparing -= 1;
          pump();
          settle();
        });
    }
  };

  const buildRecord = async (record: S3rverNotification['Records'][number], rawKey: string, sequencer: string) => {
    const bucket = record.s3.bucket.name;
    let { eTag, size } = record.s3.object;
    const removed = record.eventName.startsWith('ObjectRemoved:');
    if (eTag === undefined && options.describeObject && !removed) {
      // Deliver even when the look-up fails (object already gone?): an empty ETag beats a lost event.
      const described = await options.describeObject(bucket, rawKey).catch((error: unknown) => {
        log(`S3 event for ${rawKey}: could not look up its ETag: ${String(error)}`);
        return undefined;
      });
      eTag = described?.eTag;
      size ??= described?.size;
    }
    return s3EventRecord({
      bucket,
      key: rawKey,
      // S3's ObjectRemoved records carry neither ETag nor size.
      eTag: removed ? undefined : (eTag ?? ''),
      size: removed ? undefined : (size ?? 0),
      sequencer,
      eventTime: record.eventTime ?? new Date().toISOString(),
      eventName: realEventName(record.eventName),
      region,
      sourceIPAddress: record.requestParameters?.sourceIPAddress,
      requestId: record.responseElements?.['x-amz-request-id'],
      hostId: record.responseElements?.['x-amz-id-2'],
    });
  };

  const idle = () => (isIdle() ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));

  options.source.on('event', onEvent);

  return {
    get failed() {
      return failed;
    },
    get delivered() {
      return delivered;
    },
    idle,
    redeliver(record) {
      const delivery = { event: { Records: [record] }, key: decodeS3EventKey(record.s3.object.key), attempts: 0 };
      if (stopped) recordFailure(delivery, 'bridge stopped before delivery');
      else queue.push(delivery);
      pump();
      settle();
    },
    async stop() {
      if (stopped) return idle();
      stopped = true;
      options.source.off('event', onEvent);
      for (const [timer, delivery] of retryTimers) {
        clearTimeout(timer);
        recordFailure(delivery, 'bridge stopped while waiting to retry');
      }
      retryTimers.clear();
      for (const delivery of queue.splice(0)) recordFailure(delivery, 'bridge stopped before delivery');
      settle();
      await idle();
    },
  };
}

/** The fields of one ObjectCreated or ObjectRemoved record; the rest is filled in as real S3 fills it. */
export interface S3EventRecordFields {
  bucket: string;
  /** The raw (decoded) key: encoded here as S3 encodes it. */
  key: string;
  /** Absent for ObjectRemoved records (as S3 sends them). */
  eTag?: string;
  size?: number;
  sequencer: string;
  eventTime: string;
  versionId?: string;
  eventName?: string;
  region?: string;
  sourceIPAddress?: string;
  requestId?: string;
  hostId?: string;
}

/** An S3 event record shaped exactly as S3 sends it (URL-encoded key, bucket ARN, eventVersion 2.1). */
export function s3EventRecord(fields: S3EventRecordFields): S3EventRecord {
  const { bucket } = fields;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: configuredRegion(fields.region),
    eventTime: fields.eventTime,
    eventName: fields.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDALOCALAFFINITY' },
    requestParameters: { sourceIPAddress: fields.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': fields.requestId ?? randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': fields.hostId ?? randomBytes(32).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'affinity-local-build',
      bucket: { name: bucket, ownerIdentity: { principalId: 'A3LOCALAFFINITY' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(fields.key),
        ...(fields.size !== undefined ? { size: fields.size } : {}),
        ...(fields.eTag !== undefined ? { eTag: fields.eTag } : {}),
        sequencer: fields.sequencer,
        ...(fields.versionId ? { versionId: fields.versionId } : {}),
        // The type says every record has a size and ETag; S3's ObjectRemoved records have neither.
      } as S3EventRecord['s3']['object'],
    },
  };
}

/** s3rver reports multipart completions as Post; locally nothing uses browser form POST, so name it as S3 does. */
function realEventName(s3rverName: string): string {
  return s3rverName === 'ObjectCreated:Post' ? 'ObjectCreated:CompleteMultipartUpload' : s3rverName;
}

/**
 * Sequencers increase with every event, also across restarts (they start from the clock in microseconds),
 * as fixed-width upper-case hex so that string order is numeric order, like S3's.
 */
function sequencerSource(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 1000n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
