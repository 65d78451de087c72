// The deployment's ingest limits (issue 8 point 5): CDK context keys (buildMaxInputBytes, buildMaxInputRows,
// buildMaxUsers, buildMaxItems, buildMemoryBudgetMb), by default what fits buildMemoryMb, written explicitly into the
// build function's environment under the names its handler reads; and the live-event settle margin beside them.
import { describe, expect, test } from 'vitest';
import { DEPLOYMENT_SETTINGS, limitsForMemory } from '../../functions/engine/ingest/limits.js';
import { UserInputError } from '../../functions/engine/types.js';
import { readAffinityConfig } from '../../infra/config.js';
import { logicalIdOf, synthAffinity } from './synth.js';

const read = (values: Record<string, unknown> = {}) =>
  readAffinityConfig({ tryGetContext: (key: string) => values[key] });

describe('build limits from context', () => {
  test('default to what fits the build memory, and follow it', () => {
    expect(read().build.limits).toEqual(limitsForMemory(3008));
    expect(read({ buildMemoryMb: '10240' }).build.limits).toEqual(limitsForMemory(10_240));
  });

  test('each key sets its limit alone (strings from the command line, numbers from cdk.json)', () => {
    expect(read({ buildMaxInputRows: '5000', buildMaxUsers: 70 }).build.limits).toEqual({
      ...limitsForMemory(3008),
      maxRows: 5000,
      maxUsers: 70,
    });
    expect(DEPLOYMENT_SETTINGS.maxItems.context).toBe('buildMaxItems');
  });

  test('refuses a non-number and a memory budget above the memory', () => {
    expect(() => read({ buildMaxItems: 'many' })).toThrow(/buildMaxItems="many" is not valid: expected a whole number/);
    let error: unknown;
    try {
      read({ buildMemoryMb: 1024, buildMemoryBudgetMb: 2000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toBe(
      "buildMemoryBudgetMb (2000) is above the build function's memory, buildMemoryMb (1024)",
    );
  });
});

describe('the build function environment', () => {
  const { template } = synthAffinity({ buildMemoryMb: '4096', buildMaxInputRows: '123456' });
  const build =
    template.findResources('AWS::Lambda::Function')[
      logicalIdOf(template, 'AWS::Lambda::Function', 'BuildFunctionBuildFunction')
    ].Properties;

  test('holds every limit explicitly, the context value where given', () => {
    const defaults = limitsForMemory(4096);
    expect(build.Environment.Variables).toMatchObject({
      MAX_INPUT_BYTES: String(defaults.maxBytes),
      MAX_INPUT_ROWS: '123456',
      MAX_USERS: String(defaults.maxUsers),
      MAX_ITEMS: String(defaults.maxItems),
      BUILD_MEMORY_BUDGET_MB: String(defaults.maxMemoryMb),
    });
  });
});

describe('the build function: the live-event settle margin', () => {
  const settleOf = (context: Record<string, string>) => {
    const { template } = synthAffinity(context);
    return template.findResources('AWS::Lambda::Function')[
      logicalIdOf(template, 'AWS::Lambda::Function', 'BuildFunctionBuildFunction')
    ].Properties.Environment.Variables.LIVE_EVENT_SETTLE_MS as string;
  };

  test("is the API function's timeout + 5 s: every event a request takes in is written before a build's cut", () => {
    expect(settleOf({})).toBe('15000'); // the default apiTimeoutSeconds, 10
    expect(settleOf({ apiTimeoutSeconds: '29' })).toBe('34000');
  });
});
