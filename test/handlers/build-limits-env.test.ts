// The build function's ingest limits from its environment: every variable optional, each defaulting to what fits
// the function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, else 3008 MB); bad values named at cold start. The
// variable names are the ones the engine quotes in its hints and infra sets (DEPLOYMENT_SETTINGS).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEPLOYMENT_SETTINGS, LIMIT_NAMES, limitsForMemory } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { BUILD_LIMIT_VARIABLES, deploymentLimits } from '../../functions/handlers/build-limits.js';
import { parseEnvironment } from '../../functions/handlers/environment.js';

const schema = z.object(BUILD_LIMIT_VARIABLES);
const limitsOf = (environment: Record<string, string>) =>
  deploymentLimits(parseEnvironment('build', schema, environment));

describe('build limits from the environment', () => {
  it('has one variable per limit, named as the engine names them', () => {
    expect(LIMIT_NAMES.map((name) => DEPLOYMENT_SETTINGS[name].env).sort()).toEqual(
      Object.keys(BUILD_LIMIT_VARIABLES)
        .filter((name) => name !== 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
        .sort(),
    );
  });

  it('defaults to what fits 3008 MB, or the memory Lambda reports', () => {
    expect(limitsOf({})).toEqual(limitsForMemory(3008));
    expect(limitsOf({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' })).toEqual(limitsForMemory(1024));
    expect(limitsForMemory(1024)).toMatchObject({ maxMemoryMb: 819, maxRows: 10_000_000 });
  });

  it('each variable overrides its limit alone; empty means unset', () => {
    expect(limitsOf({ MAX_INPUT_ROWS: '5000', MAX_USERS: '', BUILD_MEMORY_BUDGET_MB: '512' })).toEqual({
      ...limitsForMemory(3008),
      maxRows: 5000,
      maxMemoryMb: 512,
    });
    expect(limitsOf({ MAX_INPUT_BYTES: '1000', MAX_ITEMS: '7', MAX_USERS: '9' })).toMatchObject({
      maxBytes: 1000,
      maxItems: 7,
      maxUsers: 9,
    });
  });

  it('names every bad value at once', () => {
    let error: unknown;
    try {
      limitsOf({ MAX_INPUT_ROWS: 'lots', MAX_ITEMS: '0', MAX_INPUT_BYTES: '1.5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    const message = (error as Error).message;
    expect(message).toContain('- MAX_INPUT_ROWS ("lots") is not a number.');
    expect(message).toContain('- MAX_ITEMS ("0") must be at least 1.');
    expect(message).toContain('- MAX_INPUT_BYTES ("1.5") must be a whole number.');
  });
});
