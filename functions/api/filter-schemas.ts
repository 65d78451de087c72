/**
 * The request-time filter and caps in the route schemas (./schemas.ts composes them), so that the OpenAPI
 * document shows them and their shape is checked like every other parameter. What a filter means, and the checks
 * that need the version's catalogue (declared attributes, dates), are in engine/filters and ./request-filters.ts.
 */
import { z } from '@hono/zod-openapi';
import { filtersBodySchema, MAX_FILTER_CHARS } from '../engine/filters/index.js';

/** A cap of `limit` (at most 100) or more caps nothing; more is refused as a likely mistake. */
export const MAX_CAP = 100;

/**
 * Decimal digits only: `Number()` (what z.coerce uses) also reads hex, binary, exponents, signs and padding, so
 * `limit=0x10` would mean 16. Anything else stays a string and fails as "not a whole number".
 */
export const decimalWholeNumber = (value: unknown) =>
  typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

const capRule = (name: string) => `${name} must be a whole number from 1 to ${MAX_CAP}`;
const CAP_DESCRIPTIONS = {
  maxPerCategory: 'At most this many items of any one category (greedily in rank order; an item counts for each).',
  maxPerSeries: 'At most this many items of any one series.',
};
type CapName = keyof typeof CAP_DESCRIPTIONS;

const capNumber = (name: CapName, digits: boolean) =>
  z
    .number({ error: `${capRule(name)}${digits ? ', in decimal digits' : ''}` })
    .int(capRule(name))
    .min(1, capRule(name))
    .max(MAX_CAP, capRule(name));

export const capQuery = (name: CapName) =>
  z
    .preprocess(decimalWholeNumber, capNumber(name, true))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: MAX_CAP, description: CAP_DESCRIPTIONS[name] });

export const capBody = (name: CapName) =>
  capNumber(name, false).optional().openapi({ description: CAP_DESCRIPTIONS[name] });

export const filterQuery = z
  .string({ error: 'filter must be given once' })
  .min(1, 'filter must not be empty')
  .max(MAX_FILTER_CHARS, `filter is longer than ${MAX_FILTER_CHARS} characters; use the POST form`)
  .optional()
  .openapi({
    description:
      'Terms separated by ";": `category:a,b` (any of), `-category:a` (none of), likewise `language:`, `series:` and ' +
      '`attr.<name>:` (an attribute the catalogue declares); `publishedAfter:2026-01-01`; `available` ' +
      '(availableFrom ≤ now < availableUntil) and `now:<date>` to judge it at. Terms are ANDed. ' +
      'Example: category:jazz,live;-language:de;available. Needs a version built with a catalogue.',
    example: 'category:drama;-language:de',
  });

export const filtersBody = filtersBodySchema.optional().openapi({
  description:
    'The POST form of `filter`: { categories: { include, exclude }, language, series, attributes: { <name>: ' +
    '{ include, exclude } }, publishedAfter, available, now }. Needs a version built with a catalogue.',
});

const DIVERSITY_RULE = 'diversity must be a number from 0 to 1';
const DIVERSITY_DESCRIPTION =
  'MMR re-ranking by content similarity (the binary cosine of the catalogue entries: title and text words, tags, ' +
  'categories, series, attributes): 0 (the default) keeps the score order, 1 picks the item least like those ' +
  'already listed. Applied to the filtered scored items before the caps; backfilled items are not re-ranked. ' +
  'Deterministic. Above 0 it needs a version built with a catalogue.';

/** Decimal digits with an optional fraction (`0`, `0.25`, `1.0`); like decimalWholeNumber, nothing else is read. */
const decimalFraction = (value: unknown) =>
  typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value;

const diversityNumber = (digits: boolean) =>
  z
    .number({ error: `${DIVERSITY_RULE}${digits ? ', in decimal digits (e.g. 0.3)' : ''}` })
    .min(0, DIVERSITY_RULE)
    .max(1, DIVERSITY_RULE);

export const diversityQuery = z
  .preprocess(decimalFraction, diversityNumber(true))
  .optional()
  .openapi({ type: 'number', minimum: 0, maximum: 1, default: 0, description: DIVERSITY_DESCRIPTION, example: 0.3 });

export const diversityBody = diversityNumber(false)
  .optional()
  .openapi({ default: 0, description: DIVERSITY_DESCRIPTION, example: 0.3 });
