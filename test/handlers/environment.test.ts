// The handlers' shared environment parsing: defaults, empty means unset, and one clear message naming every bad
// variable with how to set it. A schema of the same kind as the handlers' (each handler parses at import).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserInputError } from '../../functions/engine/types.js';
import { parseEnvironment, TABLE_NAME } from '../../functions/handlers/environment.js';

const Schema = z.object({
  TABLE_NAME,
  CACHE_MB: z.coerce
    .number({ error: 'is not a number' })
    .min(0, 'must be at least 0')
    .default(128)
    .describe('Set it to a number of megabytes (default 128).'),
  THREADS: z.coerce
    .number({ error: 'is not a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .optional()
    .describe('Set it to 1 or more, or leave it unset.'),
});

function errorOf(environment: Record<string, string | undefined>): UserInputError {
  try {
    parseEnvironment('test', Schema, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected the environment to be rejected');
}

describe('parseEnvironment', () => {
  it('returns typed values and defaults; an empty variable counts as unset; other variables are ignored', () => {
    expect(
      parseEnvironment('test', Schema, { TABLE_NAME: 'affinity-Model_Table.1', CACHE_MB: '0', PATH: '/x' }),
    ).toEqual({ TABLE_NAME: 'affinity-Model_Table.1', CACHE_MB: 0 });
    expect(parseEnvironment('test', Schema, { TABLE_NAME: 'models', CACHE_MB: '', THREADS: ' 3 ' })).toEqual({
      TABLE_NAME: 'models',
      CACHE_MB: 128,
      THREADS: 3,
    });
  });

  it('names every bad variable at once, with its value, what is wrong and how to set it', () => {
    const error = errorOf({ TABLE_NAME: '  ', CACHE_MB: 'lots', THREADS: '2.5' });
    expect(error.message).toBe(
      [
        "The test function's environment is not valid:",
        '- TABLE_NAME is not set. Set it to the model table name (the CDK stack and the local stack set it).',
        '- CACHE_MB ("lots") is not a number. Set it to a number of megabytes (default 128).',
        '- THREADS ("2.5") must be a whole number. Set it to 1 or more, or leave it unset.',
      ].join('\n'),
    );
    expect(error.where).toBe('TABLE_NAME, CACHE_MB, THREADS');
    expect(error.hint).toMatch(/function configuration/);
  });

  it('holds both functions to DynamoDB’s table naming rule for TABLE_NAME', () => {
    for (const bad of ['ab', 'my table', 'tab/le', 'x'.repeat(256)])
      expect(errorOf({ TABLE_NAME: bad }).message).toContain(
        `- TABLE_NAME (${JSON.stringify(bad)}) is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -).`,
      );
    for (const good of ['abc', 'x'.repeat(255), 'Affinity-ModelTable1A2B3C_x.y'])
      expect(parseEnvironment('test', Schema, { TABLE_NAME: good }).TABLE_NAME).toBe(good);
  });
});
