/**
 * The options of content-based item rows, one zod schema that validates and documents them (house style of
 * engine/model-config.ts: every rule is a sentence, every rejection names the field, its rule and the value).
 *
 * Safety properties (test/engine/content-config.test.ts): unknown keys are rejected; a field weight outside
 * [0, MAX_FIELD_WEIGHT] or all weights 0 is rejected; `bm25` options with scheme `tfidf` are rejected (they would
 * be silently ignored); each rejection names the field, its rule and the value given.
 */
import { z } from 'zod';
import { describeIssues } from '../config-issues.js';
import { MAX_K, UserInputError } from '../types.js';

export const MAX_FIELD_WEIGHT = 100;
export const DEFAULT_CONTENT_K = 50;
export const DEFAULT_BM25 = Object.freeze({ k1: 1.2, b: 0.75 });
/** Default weight of each field: a title word counts double, since titles are short and say what an item is. */
export const DEFAULT_FIELD_WEIGHTS = Object.freeze({
  title: 2,
  text: 1,
  tags: 1,
  categories: 1,
  series: 1,
  attributes: 1,
});

const RULES = {
  weight: `must be a number from 0 to ${MAX_FIELD_WEIGHT} (0 leaves the field out)`,
  attributes: `must be a weight from 0 to ${MAX_FIELD_WEIGHT} for every attribute, or an object of attribute names to such weights (attributes not named are left out)`,
  fields: 'must give at least one field a weight above 0',
  scheme: 'must be tfidf or bm25',
  k1: 'must be a number from 0 to 10',
  b: 'must be a number from 0 to 1',
  k: `must be an integer from 1 to ${MAX_K}`,
  minDf: 'must be an integer >= 1 (terms in fewer items are dropped)',
  maxDfShare: 'must be a number > 0, at most 1 (terms in a larger share of the items are dropped)',
  bm25OnlyWithBm25: 'is read only with "scheme": "bm25"',
} as const;

const weight = z.number(RULES.weight).min(0, RULES.weight).max(MAX_FIELD_WEIGHT, RULES.weight);

export const contentOptionsSchema = z
  .strictObject({
    /**
     * Weight of each field's terms. Title and text words share one vocabulary, so a word weighs by where it
     * occurs; tags, categories, series and attributes are whole terms of their own (`cat:jazz`). `attributes`
     * is one weight for every declared attribute, or a weight per attribute name (others left out).
     */
    fields: z
      .strictObject({
        title: weight.default(DEFAULT_FIELD_WEIGHTS.title),
        text: weight.default(DEFAULT_FIELD_WEIGHTS.text),
        tags: weight.default(DEFAULT_FIELD_WEIGHTS.tags),
        categories: weight.default(DEFAULT_FIELD_WEIGHTS.categories),
        series: weight.default(DEFAULT_FIELD_WEIGHTS.series),
        attributes: z
          .union([weight, z.record(z.string().min(1), weight)], RULES.attributes)
          .default(DEFAULT_FIELD_WEIGHTS.attributes),
      })
      .default({ ...DEFAULT_FIELD_WEIGHTS })
      .refine(
        (fields) =>
          [fields.title, fields.text, fields.tags, fields.categories, fields.series].some((w) => w > 0) ||
          (typeof fields.attributes === 'number'
            ? fields.attributes > 0
            : Object.values(fields.attributes).some((w) => w > 0)),
        RULES.fields,
      ),
    /**
     * Term weights: `tfidf` = Σ_field weight·(1 + ln count) × (1 + ln((1 + items) / (1 + df))) (sublinear tf,
     * smoothed idf); `bm25` = idf·tf(k1 + 1) / (tf + k1(1 − b + b·len / avgLen)) with tf and len summed over
     * fields by weight and idf = ln(1 + (items − df + 0.5) / (df + 0.5)). Rows are L2-normalised either way.
     */
    scheme: z.enum(['tfidf', 'bm25'], RULES.scheme).default('tfidf'),
    bm25: z
      .strictObject({
        k1: z.number(RULES.k1).min(0, RULES.k1).max(10, RULES.k1).default(DEFAULT_BM25.k1),
        b: z.number(RULES.b).min(0, RULES.b).max(1, RULES.b).default(DEFAULT_BM25.b),
      })
      .optional(),
    /** Neighbours kept per item. */
    k: z.number(RULES.k).int(RULES.k).min(1, RULES.k).max(MAX_K, RULES.k).default(DEFAULT_CONTENT_K),
    /**
     * Terms in fewer items are dropped. Default 2: a term of one item links no pair, and dropping it keeps typos
     * and ids out of the vocabulary (it does change that item's normalisation).
     */
    minDf: z.number(RULES.minDf).int(RULES.minDf).min(1, RULES.minDf).default(2),
    /**
     * Terms in more than this share of the items are dropped: the catalogue's own stop words, and the cost bound
     * of the kernel (a term in d items costs d² pair updates).
     */
    maxDfShare: z.number(RULES.maxDfShare).gt(0, RULES.maxDfShare).max(1, RULES.maxDfShare).default(0.5),
  })
  .superRefine((options, context) => {
    if (options.bm25 !== undefined && options.scheme !== 'bm25')
      context.addIssue({ code: 'custom', path: ['bm25'], message: RULES.bm25OnlyWithBm25 });
  });

export type ContentOptions = z.output<typeof contentOptionsSchema>;
export type ContentOptionsInput = z.input<typeof contentOptionsSchema>;

const KEYS = 'fields, scheme, bm25, k, minDf, maxDfShare';

/** Validates content options (undefined: all defaults); every problem is named with its path, rule and value. */
export function resolveContentOptions(input: unknown, where = 'content'): ContentOptions {
  const result = contentOptionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = describeIssues(result.error, input).map(({ field, rule, got }) =>
    field === '' ? rule : `${field}: ${rule}${got}`,
  );
  throw new UserInputError(
    `invalid content options: ${problems.join('; ')}`,
    where,
    `Fix the listed fields; allowed keys are ${KEYS}.`,
  );
}

/** The BM25 constants of resolved options (defaults when `bm25` is absent). */
export function bm25Of(options: ContentOptions): { k1: number; b: number } {
  return options.bm25 ?? { ...DEFAULT_BM25 };
}
