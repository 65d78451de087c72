/** The response parts every route definition is written with: a JSON body, and a problem+json error. */
import type { z } from '@hono/zod-openapi';
import { PROBLEM_CONTENT_TYPE } from './problems.js';
import { ProblemSchema } from './schemas.js';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});
