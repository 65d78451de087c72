/**
 * The catalogue's part of the API schemas: the `fields` parameter (GET query, POST body) and the attributes a
 * response item carries. Unknown field names fail validation with a 400 naming the allowed ones.
 */
import { z } from '@hono/zod-openapi';
import {
  CATALOGUE_FIELDS,
  MULTI_VALUE_SEPARATOR,
  STORED_TEXT_CHARS,
  type CatalogueField,
} from '../engine/catalogue/index.js';

const ALLOWED = CATALOGUE_FIELDS.join(', ');

const fieldName = z.enum(CATALOGUE_FIELDS, {
  error: (issue) => `unknown field ${JSON.stringify(issue.input)}: the allowed fields are ${ALLOWED} (comma-separated)`,
});

const FIELDS_DESCRIPTION =
  `Catalogue attributes to return with each item: any of ${ALLOWED}. An item without a catalogue entry ` +
  'comes without them; attributes the entry lacks are left out.';

/** Each name once, in the order given. */
const unique = (fields: CatalogueField[]) => [...new Set(fields)];

/** `fields=title,categories` or `fields=title&fields=categories`. */
export const fieldsQuery = z
  .preprocess((value) => {
    const list = typeof value === 'string' ? [value] : value;
    return Array.isArray(list)
      ? list.flatMap((part: unknown) => (typeof part === 'string' ? part.split(',') : [part])).filter((f) => f !== '')
      : list;
  }, z.array(fieldName).transform(unique))
  .optional()
  .openapi({ type: 'string', description: FIELDS_DESCRIPTION, example: 'title,categories' });

export const fieldsBody = z
  .array(fieldName, { error: `fields must be a list of field names: ${ALLOWED}` })
  .transform(unique)
  .optional()
  .openapi({ description: FIELDS_DESCRIPTION, example: ['title', 'categories'] });

/** The catalogue attributes of an item, as responses carry them (each only when asked for and present). */
export const catalogueFieldSchemas = {
  title: z.string().optional(),
  categories: z
    .array(z.string())
    .optional()
    .openapi({ description: `Multi-valued: \`${MULTI_VALUE_SEPARATOR}\`-separated in a CSV catalogue.` }),
  tags: z.array(z.string()).optional(),
  text: z
    .string()
    .optional()
    .openapi({ description: `At most ${STORED_TEXT_CHARS} characters; \`textLength\` says when it was cut.` }),
  textLength: z
    .number()
    .int()
    .optional()
    .openapi({
      description: `The full text's length in characters, present only when it was cut to ${STORED_TEXT_CHARS}.`,
    }),
  language: z.string().optional(),
  publishedAt: z.string().optional().openapi({ description: 'ISO-8601 instant (UTC).' }),
  availableFrom: z.string().optional().openapi({ description: 'ISO-8601 instant (UTC).' }),
  availableUntil: z.string().optional().openapi({ description: 'ISO-8601 instant (UTC).' }),
  series: z.string().optional(),
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .openapi({ description: 'The custom attributes the dataset config declares (catalogue.attributes).' }),
};

export const ItemEntryResponse = z
  .object({ dataset: z.string(), version: z.string(), item: z.string(), ...catalogueFieldSchemas })
  .openapi('CatalogueEntry');

export type ItemEntryBody = z.infer<typeof ItemEntryResponse>;
