/**
 * The build function's ingest limits from its environment: one optional variable per limit (the names in
 * engine/ingest/limits.ts DEPLOYMENT_SETTINGS, which infra/ sets from CDK context), each defaulting to what fits
 * the function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, which Lambda sets; 3008 MB, the stack's default, when
 * unset, as on the local stack). A dataset's config.json `limits` may only lower these.
 */
import { z } from 'zod';
import { limitsForMemory, type IngestLimits } from '../engine/ingest/index.js';

const DEFAULT_MEMORY_MB = 3008;

function limitVariable(what: string) {
  return z.coerce
    .number({ error: 'is not a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .optional()
    .describe(`${what}: a whole number >= 1; leave it unset for the default that fits the function's memory.`);
}

/** Spread into the build function's environment schema. */
export const BUILD_LIMIT_VARIABLES = {
  MAX_INPUT_BYTES: limitVariable('Largest upload in bytes after decompression'),
  MAX_INPUT_ROWS: limitVariable('Most data rows in one upload'),
  MAX_USERS: limitVariable('Most distinct users in one upload'),
  MAX_ITEMS: limitVariable('Most distinct items in one upload'),
  BUILD_MEMORY_BUDGET_MB: limitVariable("Memory a build may take by the engine's estimate, in MiB"),
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: z.coerce
    .number({ error: 'is not a number' })
    .int('must be a whole number')
    .min(128, 'must be at least 128')
    .optional()
    .describe('Set by Lambda: the memory of the function in MB.'),
};

export type BuildLimitEnvironment = z.output<z.ZodObject<typeof BUILD_LIMIT_VARIABLES>>;

/** The deployment's limits: each variable that is set, else the default for the function's memory. */
export function deploymentLimits(environment: BuildLimitEnvironment): Required<IngestLimits> {
  const defaults = limitsForMemory(environment.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? DEFAULT_MEMORY_MB);
  return {
    maxBytes: environment.MAX_INPUT_BYTES ?? defaults.maxBytes,
    maxRows: environment.MAX_INPUT_ROWS ?? defaults.maxRows,
    maxUsers: environment.MAX_USERS ?? defaults.maxUsers,
    maxItems: environment.MAX_ITEMS ?? defaults.maxItems,
    maxMemoryMb: environment.BUILD_MEMORY_BUDGET_MB ?? defaults.maxMemoryMb,
  };
}
