/**
 * Errors as RFC 9457 problem details (`application/problem+json`), and the one place that decides which
 * failure becomes which status: user mistakes are 4xx with a message naming the field, store throttling is 429,
 * anything else from the store or the engine is 503 without internals, and a reply the service cannot put in
 * JSON (a non-finite number) is a logged 500. User input never becomes a 5xx.
 */
import { HTTPException } from 'hono/http-exception';
import { ConflictError, NotFoundError } from '../adapters/store-contract.js';
import { UserInputError } from '../engine/types.js';
import { NonFiniteScoreError } from '../engine/recommend/index.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Stable problem type identifiers (URNs: they identify, they are not meant to be dereferenced). */
export const ProblemType = {
  validation: 'urn:affinity:problem:validation',
  malformedBody: 'urn:affinity:problem:malformed-body',
  notFound: 'urn:affinity:problem:not-found',
  methodNotAllowed: 'urn:affinity:problem:method-not-allowed',
  conflict: 'urn:affinity:problem:conflict',
  modelNotBuilt: 'urn:affinity:problem:model-not-built',
  bodyTooLarge: 'urn:affinity:problem:body-too-large',
  unsupportedMediaType: 'urn:affinity:problem:unsupported-media-type',
  throttled: 'urn:affinity:problem:throttled',
  unavailable: 'urn:affinity:problem:service-unavailable',
  internal: 'urn:affinity:problem:internal',
} as const;

/** One validation failure: where it is (path, query, body), which field, and what is wrong. */
export interface FieldError {
  in: 'path' | 'query' | 'body';
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path that failed. */
  instance?: string;
  requestId?: string;
  /** How to fix it, when there is a clear fix. */
  hint?: string;
  errors?: FieldError[];
}

/** Thrown anywhere in the API to answer with a problem document. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    detail: string,
    readonly extras: { hint?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export const notFound = (detail: string, hint?: string): ProblemError =>
  new ProblemError(404, ProblemType.notFound, 'Not found', detail, hint ? { hint } : {});

/** The request is valid, but the active model version was built without the model kind it needs. */
export const modelNotBuilt = (detail: string, hint: string): ProblemError =>
  new ProblemError(409, ProblemType.modelNotBuilt, 'Model not built', detail, { hint });

export const validationProblem = (errors: FieldError[]): ProblemError =>
  new ProblemError(
    400,
    ProblemType.validation,
    'Invalid request',
    errors.map((error) => `${error.in} ${error.field}: ${error.message}`).join('; '),
    { errors },
  );

/**
 * A reply held a number JSON cannot carry (NaN, ±Infinity: `JSON.stringify` would write `null`). Inputs are
 * bounded, so only stored rows no build accepts today can cause it: a bug to log, answered 500, never a `null`.
 */
export class NonFiniteNumberError extends Error {
  override readonly name = 'NonFiniteNumberError';
  constructor(
    /** Where in the reply, e.g. `items[0].score` (enumerable, so it reaches the structured log). */
    readonly field: string,
    readonly value: string,
  ) {
    super(`The reply's ${field} is ${value}, which JSON cannot carry`);
  }
}

/** DynamoDB's names for "too many requests": the client should slow down and retry. */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** True when the error, or an error it wraps (`cause`), is a DynamoDB throttling error. */
export function isThrottling(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (THROTTLING_ERRORS.has(current.name)) return true;
    current = current.cause;
  }
  return false;
}

export type LogSeverity = 'none' | 'warn' | 'error';

/** The answer for any thrown error, and how loudly to log it (only unexpected failures are logged with a stack). */
export function classifyError(error: unknown): { problem: ProblemError; log: LogSeverity } {
  if (error instanceof ProblemError) return { problem: error, log: 'none' };
  if (error instanceof NotFoundError) return { problem: notFound(error.message), log: 'none' };
  if (error instanceof ConflictError) {
    return {
      problem: new ProblemError(409, ProblemType.conflict, 'Conflict', error.message, {
        hint: 'Another change to this dataset happened at the same time; read the dataset again and retry.',
      }),
      log: 'warn',
    };
  }
  if (error instanceof UserInputError) {
    const errors: FieldError[] = error.where ? [{ in: 'body', field: error.where, message: error.message }] : [];
    return {
      problem: new ProblemError(400, ProblemType.validation, 'Invalid request', error.message, {
        ...(error.hint ? { hint: error.hint } : {}),
        ...(errors.length ? { errors } : {}),
      }),
      log: 'none',
    };
  }
  if (error instanceof HTTPException) return { problem: fromHttpException(error), log: 'none' };
  // A non-finite score (engine guard) or number (reply check) can only come from stored values no build accepts now.
  if (error instanceof NonFiniteNumberError || error instanceof NonFiniteScoreError) {
    return {
      problem: new ProblemError(500, ProblemType.internal, 'Internal error', 'The service computed an invalid reply.', {
        hint: 'This is a bug in the service; quote the requestId to the operators.',
      }),
      log: 'error',
    };
  }
  if (isThrottling(error)) {
    return {
      problem: new ProblemError(
        429,
        ProblemType.throttled,
        'Too many requests',
        'The model store is throttling requests.',
        {
          hint: 'Retry after a short pause, with exponential back-off.',
          headers: { 'Retry-After': '1' },
        },
      ),
      log: 'warn',
    };
  }
  return {
    problem: new ProblemError(
      503,
      ProblemType.unavailable,
      'Service unavailable',
      'The recommendation service could not complete the request.',
      {
        hint: 'Retry later; if it persists, quote the requestId to the operators.',
      },
    ),
    log: 'error',
  };
}

/** Hono's own errors: malformed JSON (400), unsupported content type (415), body limit (413). */
function fromHttpException(error: HTTPException): ProblemError {
  switch (error.status) {
    case 400:
      return new ProblemError(
        400,
        ProblemType.malformedBody,
        'Malformed request body',
        error.message || 'The request body is not valid JSON.',
        {
          hint: 'Send a JSON document with Content-Type: application/json.',
        },
      );
    case 413:
      return bodyTooLarge();
    case 415:
      return unsupportedMediaType();
    default:
      return new ProblemError(
        error.status,
        ProblemType.validation,
        'Request failed',
        error.message || 'The request could not be processed.',
      );
  }
}

/** A request that can change state without `Content-Type: application/json` (see middleware.ts). */
export const unsupportedMediaType = (): ProblemError =>
  new ProblemError(
    415,
    ProblemType.unsupportedMediaType,
    'Unsupported media type',
    'Requests that can change state (POST) must be JSON.',
    { hint: 'Send Content-Type: application/json, with a JSON body (or none, where every field is optional).' },
  );

/** Request bodies above this many bytes are refused with 413 before being parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const bodyTooLarge = (): ProblemError =>
  new ProblemError(
    413,
    ProblemType.bodyTooLarge,
    'Request body too large',
    `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
    {
      hint: 'Send at most 1000 history entries and 1000 exclude/allow ids, with ids of at most 256 bytes.',
    },
  );

export function toProblemDetails(problem: ProblemError, instance: string, requestId: string): ProblemDetails {
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance,
    requestId,
    ...(problem.extras.hint ? { hint: problem.extras.hint } : {}),
    ...(problem.extras.errors ? { errors: problem.extras.errors } : {}),
  };
}
