/** The trending route's response (the query is the popular route's, ./schemas.ts ItemListQuery). */
import { z } from '@hono/zod-openapi';
import { catalogueFieldSchemas } from './catalogue-schemas.js';
import { BackfillReasonSchema } from './schemas.js';

export const TrendingResponse = z
  .object({
    dataset: z.string(),
    version: z.string(),
    window: z
      .object({
        windowDays: z.number(),
        halfLifeDays: z.number(),
        now: z.string().openapi({
          description:
            'The end of the window: the newest interaction timestamp of the data the version was built from.',
        }),
      })
      .openapi({ description: 'How the version ranked its trending list (config `trending`).' }),
    items: z.array(
      z
        .object({
          item: z.string(),
          score: z.number().openapi({
            description:
              "Σ 0.5^(age / halfLifeDays) over the item's interactions in the window (0 for a backfilled item).",
          }),
          count: z.number().int().openapi({ description: 'Interactions with the item in the window.' }),
          because: z
            .array(BackfillReasonSchema)
            .optional()
            .openapi({ description: 'Only on an item filled in from popularity after a filter or caps left too few.' }),
          ...catalogueFieldSchemas,
        })
        .openapi('TrendingItem'),
    ),
  })
  .openapi('TrendingItems');

export type TrendingBody = z.infer<typeof TrendingResponse>;
