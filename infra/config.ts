/**
 * Every deploy-time setting of the stack, read from CDK context (`-c key=value` on the command line, or the
 * "context" object of cdk.json) with a safe default. Command-line context values arrive as strings, cdk.json
 * values as JSON, so each setting accepts both. A bad value stops the synth with the key, the value and a fix.
 */
import {
  DEPLOYMENT_SETTINGS,
  LIMIT_NAMES,
  limitsForMemory,
  type IngestLimits,
  type LimitName,
} from '../functions/engine/ingest/limits.js';
import { UserInputError } from '../functions/engine/types.js';

export type AuthMode = 'iam' | 'jwt' | 'none';
export type RemovalMode = 'retain' | 'destroy';

export interface BuildFunctionSettings {
  memoryMb: number;
  timeoutMinutes: number;
  ephemeralStorageMb: number;
  /** Lambda's own retries of a failed asynchronous (S3) invocation before it goes to the dead-letter queue. */
  retryAttempts: number;
  maxEventAgeHours: number;
  /**
   * The deployment's ingest limits, set as the function's environment (DEPLOYMENT_SETTINGS names the variables):
   * by default what fits `memoryMb` (engine/ingest/limits.ts limitsForMemory); a dataset may only lower them.
   */
  limits: Required<IngestLimits>;
}

export interface ApiFunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
}

export interface AffinityConfig {
  stackName: string;
  auth: AuthMode;
  /** JWT issuer URL (auth=jwt). */
  authIssuer?: string;
  /** Accepted JWT audiences (auth=jwt). */
  authAudience: string[];
  /** The explicit opt-in that auth=none requires. */
  allowPublicApi: boolean;
  /** Browser origins allowed by CORS; empty = no CORS headers at all. */
  corsOrigins: string[];
  throttleRateLimit: number;
  throttleBurstLimit: number;
  reportRetentionDays: number;
  noncurrentVersionRetentionDays: number;
  /** Days DynamoDB point-in-time recovery can restore the table to (1–35; AWS's default is 35). */
  pointInTimeRecoveryDays: number;
  accessLogRetentionDays: number;
  /** CloudWatch Logs retention of the functions' and the API's log groups. */
  logRetentionDays: number;
  removalPolicy: RemovalMode;
  alarmEmail?: string;
  /** 5xx responses per 5 minutes that raise the API alarm. */
  api5xxThreshold: number;
  logLevel: string;
  metricsNamespace: string;
  serviceName: string;
  build: BuildFunctionSettings;
  api: ApiFunctionSettings;
}

/** The context keys, their defaults and meaning: the single source for README "Deploy" table. */
export const DEFAULTS = {
  stackName: 'Affinity',
  auth: 'iam' as AuthMode,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  reportRetentionDays: 90,
  noncurrentVersionRetentionDays: 30,
  pointInTimeRecoveryDays: 35,
  accessLogRetentionDays: 90,
  logRetentionDays: 30,
  removalPolicy: 'retain' as RemovalMode,
  api5xxThreshold: 5,
  logLevel: 'INFO',
  metricsNamespace: 'Affinity',
  serviceName: 'affinity',
  buildMemoryMb: 3008,
  buildTimeoutMinutes: 15,
  buildEphemeralStorageMb: 2048,
  buildRetryAttempts: 2,
  buildMaxEventAgeHours: 6,
  apiMemoryMb: 1024,
  apiTimeoutSeconds: 10,
} as const;

/** Retention periods CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/** Anything with `tryGetContext`: an App's or a Stack's node. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export function readAffinityConfig(context: ContextSource): AffinityConfig {
  const read = new ContextReader(context);
  const auth = read.choice('auth', ['iam', 'jwt', 'none'], DEFAULTS.auth);
  const buildMemoryMb = read.integer('buildMemoryMb', DEFAULTS.buildMemoryMb, 128, 10_240);
  const config: AffinityConfig = {
    stackName: read.string(
      'stackName',
      DEFAULTS.stackName,
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      'a letter, then letters, digits or hyphens',
    ),
    auth,
    authIssuer: read.optionalString('authIssuer'),
    authAudience: read.list('authAudience'),
    allowPublicApi: read.boolean('allowPublicApi', false),
    corsOrigins: read.list('corsOrigins'),
    throttleRateLimit: read.integer('throttleRateLimit', DEFAULTS.throttleRateLimit, 1, 10_000),
    throttleBurstLimit: read.integer('throttleBurstLimit', DEFAULTS.throttleBurstLimit, 1, 5_000),
    reportRetentionDays: read.integer('reportRetentionDays', DEFAULTS.reportRetentionDays, 1, 36_500),
    noncurrentVersionRetentionDays: read.integer(
      'noncurrentVersionRetentionDays',
      DEFAULTS.noncurrentVersionRetentionDays,
      1,
      36_500,
    ),
    pointInTimeRecoveryDays: read.integer('pointInTimeRecoveryDays', DEFAULTS.pointInTimeRecoveryDays, 1, 35),
    accessLogRetentionDays: read.integer('accessLogRetentionDays', DEFAULTS.accessLogRetentionDays, 1, 36_500),
    logRetentionDays: read.oneOf(
      'logRetentionDays',
      DEFAULTS.logRetentionDays,
      LOG_RETENTION_DAYS,
      'the periods CloudWatch Logs accepts',
    ),
    removalPolicy: read.choice('removalPolicy', ['retain', 'destroy'], DEFAULTS.removalPolicy),
    alarmEmail: read.optionalString('alarmEmail'),
    api5xxThreshold: read.integer('api5xxThreshold', DEFAULTS.api5xxThreshold, 1, 1_000_000),
    logLevel: read.choice('logLevel', LOG_LEVELS, DEFAULTS.logLevel),
    metricsNamespace: read.string(
      'metricsNamespace',
      DEFAULTS.metricsNamespace,
      /^[A-Za-z0-9._/#:-]{1,255}$/,
      'letters, digits and . _ / # : -',
    ),
    serviceName: read.string(
      'serviceName',
      DEFAULTS.serviceName,
      /^[A-Za-z0-9._-]{1,64}$/,
      'letters, digits and . _ -',
    ),
    build: {
      memoryMb: buildMemoryMb,
      timeoutMinutes: read.integer('buildTimeoutMinutes', DEFAULTS.buildTimeoutMinutes, 1, 15),
      ephemeralStorageMb: read.integer('buildEphemeralStorageMb', DEFAULTS.buildEphemeralStorageMb, 512, 10_240),
      retryAttempts: read.integer('buildRetryAttempts', DEFAULTS.buildRetryAttempts, 0, 2),
      maxEventAgeHours: read.integer('buildMaxEventAgeHours', DEFAULTS.buildMaxEventAgeHours, 1, 6),
      limits: readBuildLimits(read, buildMemoryMb),
    },
    api: {
      memoryMb: read.integer('apiMemoryMb', DEFAULTS.apiMemoryMb, 128, 10_240),
      timeoutSeconds: read.integer('apiTimeoutSeconds', DEFAULTS.apiTimeoutSeconds, 1, 29),
    },
  };
  if (config.throttleBurstLimit < config.throttleRateLimit) {
    throw new UserInputError(
      `throttleBurstLimit (${config.throttleBurstLimit}) is below throttleRateLimit (${config.throttleRateLimit})`,
      'context throttleBurstLimit',
      'Set the burst at least as high as the steady rate, e.g. -c throttleRateLimit=50 -c throttleBurstLimit=100.',
    );
  }
  checkAuth(config);
  if (config.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.alarmEmail)) {
    throw contextError('alarmEmail', config.alarmEmail, 'an e-mail address such as ops@example.com');
  }
  for (const origin of config.corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw contextError(
        'corsOrigins',
        origin,
        'origins like https://app.example.com (scheme and host, no path), comma-separated, or *',
      );
    }
  }
  return config;
}

/** Largest value each ingest limit takes from context: beyond these a value is a typo, not a choice. */
const LIMIT_MAXIMA: Record<LimitName, number> = {
  maxBytes: 1e13,
  maxRows: 1e10,
  maxUsers: 1e10,
  maxItems: 1e10,
  maxMemoryMb: 10_240,
};

function readBuildLimits(read: ContextReader, memoryMb: number): Required<IngestLimits> {
  const defaults = limitsForMemory(memoryMb);
  const limits = { ...defaults };
  for (const name of LIMIT_NAMES) {
    limits[name] = read.integer(DEPLOYMENT_SETTINGS[name].context, defaults[name], 1, LIMIT_MAXIMA[name]);
  }
  if (limits.maxMemoryMb > memoryMb) {
    throw new UserInputError(
      `buildMemoryBudgetMb (${limits.maxMemoryMb}) is above the build function's memory, buildMemoryMb (${memoryMb})`,
      'context buildMemoryBudgetMb',
      `Leave it unset (the default is ${defaults.maxMemoryMb}, 80% of the memory) or raise buildMemoryMb.`,
    );
  }
  return limits;
}

function checkAuth(config: AffinityConfig): void {
  if (config.auth === 'jwt') {
    if (!config.authIssuer || !/^https:\/\/\S+$/.test(config.authIssuer)) {
      throw new UserInputError(
        `auth=jwt needs the token issuer as an https URL (got ${config.authIssuer === undefined ? 'none' : JSON.stringify(config.authIssuer)})`,
        'context authIssuer',
        'Pass it, e.g. -c authIssuer=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123 -c authAudience=<app client id>.',
      );
    }
    if (config.authAudience.length === 0) {
      throw new UserInputError(
        'auth=jwt needs at least one accepted audience (the "aud" or, for Cognito access tokens, "client_id" claim)',
        'context authAudience',
        'Pass it, e.g. -c authAudience=<app client id> (comma-separate several).',
      );
    }
  }
  if (config.auth === 'none' && !config.allowPublicApi) {
    throw new UserInputError(
      'auth=none would let anyone on the internet call the API, including the rollback route',
      'context auth',
      'Keep the default (auth=iam) or use auth=jwt; if a public API is really intended, add -c allowPublicApi=true.',
    );
  }
}

function contextError(key: string, value: unknown, expected: string): UserInputError {
  return new UserInputError(
    `Context value ${key}=${JSON.stringify(value)} is not valid: expected ${expected}`,
    `context ${key}`,
    `Fix it on the command line (-c ${key}=...) or in the "context" object of cdk.json.`,
  );
}

class ContextReader {
  constructor(private readonly source: ContextSource) {}

  private raw(key: string): unknown {
    const value = this.source.tryGetContext(key);
    return value === '' || value === null ? undefined : value;
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw contextError(key, value, 'a string');
    return value.trim() || undefined;
  }

  string(key: string, fallback: string, pattern: RegExp, expected: string): string {
    const value = this.optionalString(key) ?? fallback;
    if (!pattern.test(value)) throw contextError(key, value, expected);
    return value;
  }

  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.optionalString(key) ?? fallback;
    const match = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
    if (match === undefined) throw contextError(key, value, `one of ${choices.join(', ')}`);
    return match;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isInteger(number) || number < min || number > max)
      throw contextError(key, value, `a whole number from ${min} to ${max}`);
    return number;
  }

  /** A whole number from a fixed set. */
  oneOf(key: string, fallback: number, allowed: readonly number[], why: string): number {
    const value = this.integer(key, fallback, Math.min(...allowed), Math.max(...allowed));
    if (!allowed.includes(value)) throw contextError(key, this.raw(key), `one of ${allowed.join(', ')} (${why})`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw contextError(key, value, 'true or false');
  }

  /** A JSON array of strings (cdk.json) or a comma-separated string (command line). */
  list(key: string): string[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
    if (!items || items.some((item) => typeof item !== 'string'))
      throw contextError(key, value, 'a comma-separated string or an array of strings');
    return (items as string[]).map((item) => item.trim()).filter((item) => item.length > 0);
  }
}
