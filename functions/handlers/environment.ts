/**
 * Environment variables of a Lambda handler, parsed once at cold start with one zod schema per function.
 *
 * The same rules for every function: a variable set to an empty string counts as unset (so a default or the
 * "not set" message applies); a bad environment fails the cold start with ONE message that lists every bad
 * variable, what is wrong with it and how to set it (each variable's `.describe()` text), never only the first.
 * Variables outside the schema are ignored.
 */
import { z } from 'zod';
import { UserInputError } from '../engine/types.js';

/** The model table, the same rule in both functions: DynamoDB's own naming rule, so a typo fails at cold start. */
export const TABLE_NAME = z
  .string({ error: 'is not set' })
  .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)')
  .describe('Set it to the model table name (the CDK stack and the local stack set it).');

export function parseEnvironment<Schema extends z.ZodObject>(
  functionName: string,
  schema: Schema,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): z.output<Schema> {
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = environment[name];
    values[name] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;

  const problems = new Map<string, string[]>();
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? '(environment)');
    problems.set(name, [...(problems.get(name) ?? []), issue.message]);
  }
  const lines = [...problems].map(([name, messages]) => {
    const value = values[name] === undefined ? '' : ` (${JSON.stringify(values[name])})`;
    const howToSet = (schema.shape[name] as z.ZodType | undefined)?.description;
    return `- ${name}${value} ${messages.join('; ')}.${howToSet ? ` ${howToSet}` : ''}`;
  });
  throw new UserInputError(
    `The ${functionName} function's environment is not valid:\n${lines.join('\n')}`,
    [...problems.keys()].join(', '),
    'Fix these variables in the function configuration (infra/constructs/) or, locally, in your shell.',
  );
}
