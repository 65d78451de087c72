/** The erasure routes' response: the record of one erasure (user) or takedown (item), with what it means. */
import { z } from '@hono/zod-openapi';

export const ErasureDeletionSchema = z
  .object({
    version: z.string(),
    rows: z.number().int().openapi({ description: 'Rows of the subject found and deleted in this version.' }),
    by: z.enum(['request', 'build']).openapi({
      description: 'request: the DELETE; build: a build that was running when the erasure arrived.',
    }),
    at: z.string(),
  })
  .openapi('ErasureDeletion');

export const ErasureResponse = z
  .object({
    dataset: z.string(),
    kind: z.enum(['user', 'item']),
    pseudonym: z.string().optional().openapi({
      description: 'kind user: the keyed hash the record is stored under (the raw user id is never stored).',
    }),
    item: z.string().optional().openapi({ description: 'kind item: the item taken down.' }),
    status: z.enum(['pending', 'completed']).openapi({
      description:
        'completed once every stored version was cleaned; pending if a DELETE stopped part-way (send it again).',
    }),
    requestedAt: z
      .string()
      .openapi({ description: 'When the first DELETE arrived; answers left the subject out from then.' }),
    completedAt: z.string().optional(),
    deleted: z.array(ErasureDeletionSchema).openapi({ description: 'Rows deleted, per model version.' }),
    rebuiltIn: z
      .object({ version: z.string(), at: z.string() })
      .optional()
      .openapi({ description: 'The first version built without the subject (its item rows recomputed).' }),
    note: z.string().openapi({ description: 'What was deleted when, what the next build recomputes, what stays.' }),
  })
  .openapi('Erasure');

export type ErasureBody = z.infer<typeof ErasureResponse>;
