/**
 * Request validation failures as field errors: zod issues -> `{ in, field, message }` naming the field the way
 * a client wrote it (`history[3].rating`), so every 400 says exactly what to fix.
 */
import type { Hook, z } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';
import { OPENAPI_PATH } from './openapi.js';
import { validationProblem, type FieldError } from './problems.js';

const LOCATIONS = { param: 'path', query: 'query', json: 'body' } as const;

/** The OpenAPIHono defaultHook: throwing hands every validation failure to onError, which answers in one format. */
export const throwValidationProblem: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) throw validationProblem(fieldErrors(result.target, result.error.issues));
};

/** zod issues -> field errors that name the field the way a client wrote it (history[3].rating). */
export function fieldErrors(target: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const location: FieldError['in'] = LOCATIONS[target as keyof typeof LOCATIONS] ?? 'body';
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: location,
        field: fieldName([...issue.path, key]),
        message: `unknown ${location === 'body' ? 'field' : 'parameter'} ${JSON.stringify(key)}; see ${OPENAPI_PATH} for the accepted ones`,
      }));
    }
    return [{ in: location, field: fieldName(issue.path) || '(body)', message: issue.message }];
  });
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)),
    '',
  );
}
