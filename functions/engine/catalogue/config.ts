/**
 * The `catalogue` section of a dataset config (engine/model-config.ts): which column holds each field, and which
 * custom columns to keep as attributes. Unknown keys are rejected, as everywhere in the config.
 */
import { z } from 'zod';
import { COLUMN_FIELDS, MAX_ATTRIBUTE_NAME_CHARS, MAX_ATTRIBUTES, type ColumnField } from './types.js';

const COLUMN_RULE = 'must be a column name (non-empty text)';
const ATTRIBUTES_RULE = `must be a list of at most ${MAX_ATTRIBUTES} distinct column names of at most ${MAX_ATTRIBUTE_NAME_CHARS} characters`;

const columnName = z.string(COLUMN_RULE).min(1, COLUMN_RULE).optional();

export const catalogueConfigSchema = z
  .strictObject({
    columns: z
      .strictObject(
        Object.fromEntries(COLUMN_FIELDS.map((field) => [field, columnName])) as Record<ColumnField, typeof columnName>,
      )
      .default({}),
    attributes: z
      .array(
        z.string(ATTRIBUTES_RULE).min(1, ATTRIBUTES_RULE).max(MAX_ATTRIBUTE_NAME_CHARS, ATTRIBUTES_RULE),
        ATTRIBUTES_RULE,
      )
      .max(MAX_ATTRIBUTES, ATTRIBUTES_RULE)
      .refine((names) => new Set(names).size === names.length, ATTRIBUTES_RULE)
      .default([]),
  })
  .default({ columns: {}, attributes: [] });
