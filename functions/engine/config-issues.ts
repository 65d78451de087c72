/**
 * Zod issues as the config's messages name them: the field's path (`k`, `models[0]`, `input.format`), its rule and
 * the value given (` (got 0)`). Shared by every entry point of engine/model-config.ts.
 */
import type { z } from 'zod';

export interface Problem {
  /** The field's path, e.g. `k`, `models[0]` or `input.format`; '' for the object itself (unknown keys). */
  field: string;
  rule: string;
  /** ` (got <value>)`, or '' when there is no single value to show. */
  got: string;
}

export function describeIssues(error: z.ZodError, input: unknown): Problem[] {
  return error.issues.map((issue) => {
    const field = issue.path.map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index ? '.' : ''}${String(key)}`,
    );
    return {
      field: field.join(''),
      rule: issue.message,
      got: issue.code === 'unrecognized_keys' ? '' : ` (got ${describeValue(valueAt(input, issue.path))})`,
    };
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}
