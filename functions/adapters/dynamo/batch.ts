/**
 * Resilient batch access: BatchWriteItem in chunks of 25 with bounded concurrency, BatchGetItem in chunks of
 * 100 (in parallel: one round). Unprocessed items/keys and retryable SDK errors are retried with exponential
 * backoff and full jitter; when the attempts are exhausted the call throws naming how many rows were not
 * written (or read). A row is never dropped silently.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const WRITE_CHUNK = 25;
export const GET_CHUNK = 100;

type Item = Record<string, unknown>;
/** A document-client write request: `{ PutRequest: { Item } }` or `{ DeleteRequest: { Key } }`. */
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

export interface RetryPolicy {
  /** Attempts per chunk, the first included. Default 8. */
  maxAttempts: number;
  /** Backoff before retry n (1-based) is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injectable for tests. */
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
});

export interface BatchOptions {
  /** Write chunks in flight at once. Default 4. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
}

/** Thrown when rows could not be written: `unwritten` counts them (including rows never sent after the failure). */
export class BatchWriteError extends Error {
  override readonly name = 'BatchWriteError';
  constructor(
    readonly unwritten: number,
    readonly tableName: string,
    /** Why, without the count. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${unwritten} row(s) were not written to table ${tableName}: ${detail}`, options);
  }
}

export class BatchGetError extends Error {
  override readonly name = 'BatchGetError';
  constructor(
    readonly unread: number,
    readonly tableName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${unread} key(s) could not be read from table ${tableName}: ${detail}`, options);
  }
}

const RETRYABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
]);

/** Throttling and server-side errors are worth retrying; validation errors are not. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (candidate.name && RETRYABLE_ERRORS.has(candidate.name)) return true;
  if (candidate.$retryable) return true;
  const status = candidate.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export function resolveRetry(retry?: Partial<RetryPolicy>): RetryPolicy {
  return { ...DEFAULT_RETRY, ...retry };
}

function backoff(policy: RetryPolicy, retryNumber: number): Promise<void> {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return policy.sleep(policy.random() * cap);
}

/** Writes up to 25 requests, retrying what DynamoDB leaves unprocessed; throws BatchWriteError when exhausted. */
export async function writeChunk(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: WriteRequest[],
  retry: RetryPolicy,
): Promise<void> {
  let pending = requests;
  let lastProblem = '';
  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (attempt > 1) await backoff(retry, attempt - 1);
    try {
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      const unprocessed = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (unprocessed.length === 0) return;
      pending = unprocessed;
      lastProblem = 'DynamoDB kept returning them as UnprocessedItems (throttled)';
      lastError = undefined;
    } catch (error) {
      if (!isRetryable(error)) {
        throw new BatchWriteError(pending.length, tableName, `${(error as Error).message}`, { cause: error });
      }
      lastProblem = `${(error as Error).name}: ${(error as Error).message}`;
      lastError = error;
    }
  }
  throw new BatchWriteError(pending.length, tableName, `${lastProblem}; gave up after ${retry.maxAttempts} attempts`, {
    cause: lastError,
  });
}

/**
 * Buffers write requests and sends them in chunks of 25, at most `concurrency` chunks in flight: `add` waits
 * when all slots are busy (bounded memory). After a failure `add` and `flush` throw a BatchWriteError whose
 * count covers every row not written, including the rows still buffered.
 */
export class BatchWriter {
  private buffer: WriteRequest[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;
  private failure: { error: unknown; unwritten: number } | undefined;
  private written = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: BatchOptions = {},
  ) {
    this.retry = resolveRetry(options.retry);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  get rowsWritten(): number {
    return this.written;
  }

  async add(request: WriteRequest): Promise<void> {
    this.buffer.push(request); // first, so that a failure counts this row too
    this.throwIfFailed();
    if (this.buffer.length >= WRITE_CHUNK) await this.dispatch(this.buffer.splice(0, WRITE_CHUNK));
  }

  /** Sends whatever is buffered and waits for every write; returns the number of rows written so far. */
  async flush(): Promise<number> {
    while (this.buffer.length > 0 && !this.failure) await this.dispatch(this.buffer.splice(0, WRITE_CHUNK));
    await Promise.allSettled([...this.inFlight]);
    this.throwIfFailed();
    return this.written;
  }

  private async dispatch(chunk: WriteRequest[]): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure) {
      this.failure.unwritten += chunk.length;
      this.throwIfFailed();
    }
    const write: Promise<void> = writeChunk(this.doc, this.tableName, chunk, this.retry).then(
      () => {
        this.written += chunk.length;
      },
      (error: unknown) => {
        const unwritten = error instanceof BatchWriteError ? error.unwritten : chunk.length;
        this.written += chunk.length - unwritten;
        if (this.failure) this.failure.unwritten += unwritten;
        else this.failure = { error, unwritten };
      },
    );
    const tracked = write.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private throwIfFailed(): void {
    if (!this.failure) return;
    // Rows still buffered will never be sent: they count as not written too.
    this.failure.unwritten += this.buffer.length;
    this.buffer = [];
    const { error, unwritten } = this.failure;
    const detail = error instanceof BatchWriteError ? error.detail : String(error);
    throw new BatchWriteError(unwritten, this.tableName, detail, { cause: error });
  }
}

/** Writes all requests (chunks of 25, bounded concurrency); returns how many were written or throws. */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchOptions = {},
): Promise<number> {
  const writer = new BatchWriter(doc, tableName, options);
  let offered = 0;
  try {
    for (const request of requests) {
      offered++;
      await writer.add(request);
    }
    return await writer.flush();
  } catch (error) {
    if (!(error instanceof BatchWriteError)) throw error;
    // Requests never offered to the writer were not written either.
    throw new BatchWriteError(error.unwritten + requests.length - offered, tableName, error.detail, {
      cause: error.cause,
    });
  }
}

export interface GetOptions {
  retry?: Partial<RetryPolicy>;
  consistentRead?: boolean;
  projection?: string;
  expressionAttributeNames?: Record<string, string>;
}

/** Reads the keys (chunks of 100 in parallel), retrying UnprocessedKeys; missing rows are simply absent. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: GetOptions = {},
): Promise<Item[]> {
  const retry = resolveRetry(options.retry);
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += GET_CHUNK) chunks.push(keys.slice(i, i + GET_CHUNK));
  const results = await Promise.all(chunks.map((chunk) => getChunk(doc, tableName, chunk, retry, options)));
  return results.flat();
}

async function getChunk(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: Item[],
  retry: RetryPolicy,
  options: GetOptions,
): Promise<Item[]> {
  const found: Item[] = [];
  let pending = keys;
  let lastProblem = '';
  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (attempt > 1) await backoff(retry, attempt - 1);
    try {
      const output = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: options.consistentRead,
              ProjectionExpression: options.projection,
              ExpressionAttributeNames: options.expressionAttributeNames,
            },
          },
        }),
      );
      found.push(...((output.Responses?.[tableName] ?? []) as Item[]));
      const unprocessed = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
      if (unprocessed.length === 0) return found;
      pending = unprocessed;
      lastProblem = 'DynamoDB kept returning them as UnprocessedKeys (throttled)';
      lastError = undefined;
    } catch (error) {
      if (!isRetryable(error))
        throw new BatchGetError(pending.length, tableName, (error as Error).message, { cause: error });
      lastProblem = `${(error as Error).name}: ${(error as Error).message}`;
      lastError = error;
    }
  }
  throw new BatchGetError(pending.length, tableName, `${lastProblem}; gave up after ${retry.maxAttempts} attempts`, {
    cause: lastError,
  });
}
