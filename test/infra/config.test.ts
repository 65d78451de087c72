/** Reading deploy settings from CDK context: defaults, command-line strings, cdk.json JSON, and clear errors. */
import { describe, expect, test } from 'vitest';
import { readAffinityConfig } from '../../infra/config.js';
import { UserInputError } from '../../functions/engine/types.js';

const contextOf = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });
const read = (values: Record<string, unknown> = {}) => readAffinityConfig(contextOf(values));

function errorOf(values: Record<string, unknown>): UserInputError {
  try {
    read(values);
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(values)}`);
}

describe('defaults (no context)', () => {
  test('are secure and documented', () => {
    const config = read();
    expect(config).toMatchObject({
      stackName: 'Affinity',
      auth: 'iam',
      allowPublicApi: false,
      corsOrigins: [],
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      reportRetentionDays: 90,
      noncurrentVersionRetentionDays: 30,
      pointInTimeRecoveryDays: 35,
      logRetentionDays: 30,
      removalPolicy: 'retain',
      api5xxThreshold: 5,
      logLevel: 'INFO',
      build: { memoryMb: 3008, timeoutMinutes: 15, ephemeralStorageMb: 2048, retryAttempts: 2, maxEventAgeHours: 6 },
      api: { memoryMb: 1024, timeoutSeconds: 10 },
    });
    expect(config.alarmEmail).toBeUndefined();
  });
});

describe('values', () => {
  test('command-line strings and cdk.json JSON mean the same', () => {
    const fromCli = read({
      throttleRateLimit: '10',
      throttleBurstLimit: '20',
      corsOrigins: 'https://a.example, https://b.example',
      allowPublicApi: 'false',
      auth: 'IAM',
    });
    const fromJson = read({
      throttleRateLimit: 10,
      throttleBurstLimit: 20,
      corsOrigins: ['https://a.example', 'https://b.example'],
      allowPublicApi: false,
      auth: 'iam',
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  test('an empty string is the same as unset', () => {
    expect(read({ alarmEmail: '', corsOrigins: '', buildMemoryMb: '' })).toEqual(read());
  });
});

describe('mistakes are reported with the key, the value and a fix', () => {
  test('auth=none needs the explicit allowPublicApi opt-in', () => {
    const error = errorOf({ auth: 'none' });
    expect(error.message).toMatch(/anyone on the internet/);
    expect(error.hint).toMatch(/allowPublicApi=true/);
    expect(read({ auth: 'none', allowPublicApi: 'true' }).auth).toBe('none');
  });

  test('auth=jwt needs an https issuer and an audience', () => {
    expect(errorOf({ auth: 'jwt' }).where).toBe('context authIssuer');
    expect(errorOf({ auth: 'jwt', authIssuer: 'http://insecure.example', authAudience: 'x' }).where).toBe(
      'context authIssuer',
    );
    expect(errorOf({ auth: 'jwt', authIssuer: 'https://issuer.example' }).where).toBe('context authAudience');
  });

  test.each([
    ['auth', 'cognito', /one of iam, jwt, none/],
    ['buildMemoryMb', '64', /whole number from 128 to 10240/],
    ['buildTimeoutMinutes', '16', /from 1 to 15/],
    ['buildRetryAttempts', '3', /from 0 to 2/],
    ['pointInTimeRecoveryDays', '36', /from 1 to 35/],
    ['pointInTimeRecoveryDays', '0', /from 1 to 35/],
    ['throttleRateLimit', '12.5', /whole number/],
    ['logRetentionDays', '10', /periods CloudWatch Logs accepts/],
    ['removalPolicy', 'snapshot', /one of retain, destroy/],
    ['allowPublicApi', 'yes', /true or false/],
    ['alarmEmail', 'ops-at-example', /e-mail address/],
    ['corsOrigins', 'https://app.example.com/path', /scheme and host/],
    ['stackName', '1bad', /a letter/],
  ])('%s=%s', (key, value, expected) => {
    const error = errorOf({ [key]: value });
    expect(error.message).toContain(`${key}=${JSON.stringify(value)}`);
    expect(error.message).toMatch(expected);
    expect(error.where).toBe(`context ${key}`);
    expect(error.hint).toContain(`-c ${key}=`);
  });

  test('a burst below the steady rate', () => {
    const error = errorOf({ throttleRateLimit: 100, throttleBurstLimit: 50 });
    expect(error.message).toMatch(/throttleBurstLimit \(50\) is below throttleRateLimit \(100\)/);
  });
});
