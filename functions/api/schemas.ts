/**
 * The API's zod schemas: the same objects validate requests and generate the OpenAPI document, so the
 * document cannot drift from what the code accepts. Response schemas document (they do not validate) replies.
 */
import { z } from '@hono/zod-openapi';
import { MAX_DATASET_BYTES } from '../adapters/bucket-layout.js';
import {
  BACKFILL_SOURCES,
  FALLBACK_ALGORITHMS,
  FALLBACK_REASONS,
  MAX_ABS_VALUE,
  MAX_ID_BYTES,
} from '../engine/types.js';
import { catalogueFieldSchemas, fieldsBody, fieldsQuery } from './catalogue-schemas.js';
import {
  capBody,
  capQuery,
  decimalWholeNumber,
  diversityBody,
  diversityQuery,
  filterQuery,
  filtersBody,
} from './filter-schemas.js';

// The model state, versions, validation and jobs (./model-schemas.ts), re-exported so routes find every schema here.
export {
  DatasetListQuery,
  DatasetListResponse,
  DatasetResponse,
  JobSchema,
  JobsResponse,
  RollbackResponse,
  VersionSchema,
  type DatasetBody,
  type DatasetListBody,
  type DatasetSummaryBody,
  type JobBody,
  type JobsBody,
  type RollbackBodyResponse,
} from './model-schemas.js';

export const DEFAULT_LIMIT = 10;
/** Most results one API request returns (the engine itself can rank up to MAX_TOP_N). */
export const MAX_RESULTS_PER_REQUEST = 100;
/** Entries a request may send in `history`, and ids in `exclude` / `allow`. */
export const MAX_HISTORY_ENTRIES = 1000;
export const MAX_FILTER_IDS = 1000;
/** Only the most recent entries of a history score candidates (older ones are still never recommended again). */
export const DEFAULT_HISTORY_CAP = 200;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** A non-empty string of at most `maxBytes` UTF-8 bytes. */
function boundedId(what: string, maxBytes: number, description: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .min(1, `${what} must not be empty`)
    .superRefine((value, ctx) => {
      const bytes = utf8Bytes(value);
      if (bytes > maxBytes)
        ctx.addIssue({ code: 'custom', message: `${what} is ${bytes} bytes in UTF-8; the limit is ${maxBytes} bytes` });
    })
    .openapi({
      description: `${description} Non-empty, at most ${maxBytes} UTF-8 bytes; percent-encode it in URLs.`,
      maxLength: maxBytes,
    });
}

export const DatasetId = boundedId(
  'dataset',
  MAX_DATASET_BYTES,
  'Dataset name (the folder under uploads/ the data came from).',
);
export const ItemId = boundedId('item id', MAX_ID_BYTES, 'Item id, as in the uploaded data.');
export const UserId = boundedId('user id', MAX_ID_BYTES, 'User id, as in the uploaded data.');
export const JobId = boundedId('job id', MAX_ID_BYTES, 'Build job id.');
export const VersionId = boundedId('version', MAX_ID_BYTES, 'Model version id.');

const limitQuery = (what: string) =>
  z
    .preprocess(
      decimalWholeNumber,
      z
        .number({ error: `limit must be a whole number from 1 to ${MAX_RESULTS_PER_REQUEST}, in decimal digits` })
        .int(`limit must be a whole number from 1 to ${MAX_RESULTS_PER_REQUEST}`)
        .min(1, `limit must be at least 1`)
        .max(MAX_RESULTS_PER_REQUEST, `limit must be at most ${MAX_RESULTS_PER_REQUEST}`),
    )
    .default(DEFAULT_LIMIT)
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: MAX_RESULTS_PER_REQUEST,
      default: DEFAULT_LIMIT,
      description: `How many ${what} to return (1-${MAX_RESULTS_PER_REQUEST} in decimal digits, default ${DEFAULT_LIMIT}).`,
    });

/**
 * `exclude=a,b` or `exclude=a&exclude=b`. A single occurrence is split on commas; repeated occurrences are taken
 * verbatim, so an id that contains a comma can be sent by repeating the parameter (an empty extra one will do).
 */
const idList = z
  .preprocess(
    (value) => {
      const list = typeof value === 'string' ? value.split(',') : value;
      return Array.isArray(list) ? list.filter((id) => id !== '') : list;
    },
    z.array(ItemId).max(MAX_FILTER_IDS, `at most ${MAX_FILTER_IDS} ids`),
  )
  .optional();
const idListQuery = idList.openapi({
  description:
    `Item ids never to return: comma-separated (exclude=a,b) or repeated (exclude=a&exclude=b). Repeated values are ` +
    `taken verbatim, so an id containing a comma can be sent by repeating the parameter. At most ${MAX_FILTER_IDS}.`,
});

// ---- path parameters --------------------------------------------------------------------------------------
export const DatasetParams = z.object({ dataset: DatasetId });
export const UserParams = z.object({ dataset: DatasetId, userId: UserId });
export const ItemParams = z.object({ dataset: DatasetId, itemId: ItemId });
export const JobParams = z.object({ dataset: DatasetId, jobId: JobId });

// ---- query strings (strict: a misspelt parameter is an error, not silently ignored) ----------------------------
export const UserRecommendationsQuery = z.strictObject({
  limit: limitQuery('recommendations'),
  exclude: idListQuery,
  allow: idList.openapi({
    description:
      `When given, only these items may be returned (comma-separated or repeated, as exclude; at most ` +
      `${MAX_FILTER_IDS}); fewer scored ones are backfilled from popularity.`,
  }),
  filter: filterQuery,
  maxPerCategory: capQuery('maxPerCategory'),
  maxPerSeries: capQuery('maxPerSeries'),
  diversity: diversityQuery,
  algorithm: z
    .enum(['item', 'user'], { error: 'algorithm must be "item" or "user"' })
    .optional()
    .openapi({
      description:
        "Which rows recommend: item (the item rows on the user's history: EASE weights or item-knn similarities), " +
        "user (user-based CF from similar users). Default: the active version's model (user for user-knn, else item).",
    }),
  explain: z
    .enum(['true', 'false'], { error: 'explain must be "true" or "false"' })
    .default('true')
    .transform((value) => value === 'true')
    .openapi({ description: 'false drops the `because` explanations (smaller, faster responses).' }),
  fields: fieldsQuery,
});
export const LimitQuery = z.strictObject({ limit: limitQuery('entries') });
/** A user's history: a limit and the catalogue fields to return with each entry. */
export const HistoryQuery = z.strictObject({ limit: limitQuery('entries'), fields: fieldsQuery });
/** Routes that list items: a limit and the catalogue fields to return with each. */
export const ItemListQuery = z.strictObject({
  limit: limitQuery('entries'),
  fields: fieldsQuery,
  filter: filterQuery,
  maxPerCategory: capQuery('maxPerCategory'),
  maxPerSeries: capQuery('maxPerSeries'),
  diversity: diversityQuery,
});

// ---- bodies ---------------------------------------------------------------------------------------------------
export const HistoryEntryBody = z.strictObject({
  item: ItemId,
  rating: z
    .number({ error: 'rating must be a finite number' })
    .min(-MAX_ABS_VALUE, `rating must be between -${MAX_ABS_VALUE} and ${MAX_ABS_VALUE}`)
    .max(MAX_ABS_VALUE, `rating must be between -${MAX_ABS_VALUE} and ${MAX_ABS_VALUE}`)
    .optional()
    .openapi({
      description: `The user's value for the item, from -${MAX_ABS_VALUE} to ${MAX_ABS_VALUE} (the bound uploads have too); 1 when omitted (implicit feedback).`,
    }),
});

export const RecommendBody = z
  .strictObject({
    history: z
      .array(HistoryEntryBody, {
        error: (issue) =>
          issue.input === undefined
            ? 'history is required'
            : 'history must be a list of { "item": "...", "rating": 4 } entries',
      })
      .max(MAX_HISTORY_ENTRIES, `history has more than ${MAX_HISTORY_ENTRIES} entries; send the most recent ones`)
      .openapi({
        description:
          `The session's interactions, most recent first, at most ${MAX_HISTORY_ENTRIES} entries. Only the first ` +
          `(most recent) ${DEFAULT_HISTORY_CAP} score candidates (the response says when this cap applied); every item in the ` +
          'history is still excluded from the results. A repeated item counts once, with its last rating.',
      }),
    limit: z
      .number({ error: `limit must be a whole number from 1 to ${MAX_RESULTS_PER_REQUEST}` })
      .int(`limit must be a whole number from 1 to ${MAX_RESULTS_PER_REQUEST}`)
      .min(1, 'limit must be at least 1')
      .max(MAX_RESULTS_PER_REQUEST, `limit must be at most ${MAX_RESULTS_PER_REQUEST}`)
      .default(DEFAULT_LIMIT),
    exclude: z
      .array(ItemId)
      .max(MAX_FILTER_IDS, `at most ${MAX_FILTER_IDS} ids`)
      .optional()
      .openapi({ description: 'Items never to return.' }),
    allow: z
      .array(ItemId)
      .max(MAX_FILTER_IDS, `at most ${MAX_FILTER_IDS} ids`)
      .optional()
      .openapi({
        description:
          'When given, only these items may be returned (e.g. what is licensed in a region); when fewer than ' +
          '`limit` scored items are allowed, the rest is backfilled from popularity, labelled.',
      }),
    filters: filtersBody,
    maxPerCategory: capBody('maxPerCategory'),
    maxPerSeries: capBody('maxPerSeries'),
    diversity: diversityBody,
    explain: z.boolean({ error: 'explain must be true or false' }).default(true),
    fields: fieldsBody,
  })
  .openapi('RecommendRequest');

export const RollbackBody = z.strictObject({ version: VersionId.optional() }).openapi('RollbackRequest', {
  description: 'version: a kept version to re-activate; default the one before the active one.',
});

// ---- responses ------------------------------------------------------------------------------------------------
const FallbackReasonSchema = z.enum(FALLBACK_REASONS);

export const ContributionSchema = z
  .object({
    id: z.string().openapi({ description: 'The history item (kind item) or the similar user (kind user).' }),
    kind: z.enum(['item', 'user']),
    similarity: z.number().openapi({
      description: 'The similarity (kNN) or the EASE weight between the history item and the recommended one.',
    }),
    value: z.number().openapi({ description: 'The rating behind this contribution.' }),
    share: z.number().openapi({ description: 'Fraction of the score this contribution explains.' }),
    terms: z
      .array(z.string())
      .optional()
      .openapi({
        description:
          'Content and hybrid models: the terms the recommended item shares with the history item (words, tags, ' +
          'categories, series), the largest part of their content similarity first — "shares: jazz, live; like X".',
      }),
  })
  .openapi('Contribution', {
    description: 'A reason from the model: one contributor (a history item or a similar user) to the score.',
  });

export const PopularityReasonSchema = z
  .object({
    kind: z.literal('popular'),
    interactions: z
      .number()
      .int()
      .openapi({ description: 'Distinct users who interacted with the item: its popularity, and its score.' }),
    fallback: FallbackReasonSchema.optional().openapi({
      description:
        "Why popular items were returned instead of the requested algorithm's (the response's fallback.reason).",
    }),
  })
  .openapi('PopularityReason', {
    description: 'Why a popularity-fallback item is recommended: how many users interacted with it, and why.',
  });

export const TrendingReasonSchema = z
  .object({
    kind: z.literal('trending'),
    score: z.number().openapi({
      description: "Σ 0.5^(age / halfLifeDays) over the item's interactions in the window: its trending score.",
    }),
    count: z.number().int().openapi({ description: 'Interactions with the item in the window.' }),
    windowDays: z.number().openapi({ description: 'The window, days before the newest timestamp of the data.' }),
    halfLifeDays: z.number(),
    fallback: FallbackReasonSchema.optional().openapi({
      description:
        "Why trending items were returned instead of the requested algorithm's (the response's fallback.reason).",
    }),
  })
  .openapi('TrendingReason', {
    description: "Why a trending-fallback item is recommended: its recent interactions in the version's window.",
  });

export const BackfillReasonSchema = z
  .object({
    kind: z.literal('backfill'),
    reason: z.enum(BACKFILL_SOURCES).openapi({ description: 'The ranking the item was filled in from.' }),
    value: z.number().openapi({
      description: "The item's value in that ranking: distinct users (popular) or its decayed recent count (trending).",
    }),
  })
  .openapi('BackfillReason', {
    description:
      'Why an item the model did not score is listed: filters or exclusions left fewer than `limit` scored items.',
  });

export const RecommendedItemSchema = z
  .object({
    item: z.string(),
    score: z.number(),
    because: z
      .array(
        z.discriminatedUnion('kind', [
          ContributionSchema,
          PopularityReasonSchema,
          TrendingReasonSchema,
          BackfillReasonSchema,
        ]),
      )
      .optional()
      .openapi({
        description:
          'Why the item is recommended, by `kind`: `item` / `user` entries are the largest contributions to a ' +
          'collaborative-filtering score, largest first; a popularity fallback item has one `popular` entry with ' +
          'its interaction count and the fallback reason (a trending fallback item one `trending` entry); an item filled in after filters, caps or `allow` has one ' +
          '`backfill` entry. Omitted when explain=false, except a `backfill` entry.',
      }),
    ...catalogueFieldSchemas,
  })
  .openapi('RecommendedItem');

export const RecommendationsResponse = z
  .object({
    dataset: z.string(),
    version: z.string(),
    userId: z.string().optional(),
    algorithm: z
      .enum(['item', 'user', 'popularity'])
      .openapi({ description: 'The algorithm that produced the items.' }),
    model: z.enum(['ease', 'item-knn', 'content', 'hybrid', 'user-knn', 'popularity']).openapi({
      description:
        "The model whose rows produced the items: the version's EASE, item-knn, content or hybrid rows (algorithm " +
        'item), user-knn rows (algorithm user), or popularity (a fallback).',
    }),
    fallback: z
      .object({
        reason: FallbackReasonSchema,
        algorithm: z.enum(FALLBACK_ALGORITHMS),
      })
      .optional()
      .openapi({
        description:
          'Present when the requested algorithm could not be used: popular items were returned (algorithm ' +
          "popularity), or for an unknown user or an empty history the version's trending items when it has them " +
          '(algorithm trending; README "Trending").',
      }),
    historyUsed: z.number().int().openapi({
      description: "History entries that scored candidates (for a user: their live events' items included).",
    }),
    liveEvents: z
      .number()
      .int()
      .optional()
      .openapi({
        description:
          "For a user: their live events (POST …/events) that the serving version's build had not folded in yet, added " +
          'to the stored history (their items scored and never recommended).',
      }),
    historyCapped: z.boolean().openapi({
      description: `True when the history was longer than ${DEFAULT_HISTORY_CAP} entries and only the most recent were used.`,
    }),
    items: z.array(RecommendedItemSchema),
  })
  .openapi('Recommendations');

export const SimilarEntrySchema = z
  .object({
    id: z.string(),
    similarity: z.number(),
    support: z
      .number()
      .int()
      .openapi({ description: 'Co-raters behind the similarity (content rows: the terms the two items share).' }),
    terms: z.array(z.string()).optional().openapi({
      description: 'Content and hybrid models: the top terms the two items share (words, tags, categories, series).',
    }),
  })
  .openapi('SimilarEntry');

export const SimilarItemsResponse = z
  .object({
    dataset: z.string(),
    version: z.string(),
    item: z.string(),
    similar: z.array(
      SimilarEntrySchema.extend({
        because: z
          .array(BackfillReasonSchema)
          .optional()
          .openapi({
            description:
              'Only on an item filled in from popularity after filters or caps left fewer than `limit` neighbours ' +
              '(its similarity and support are then 0).',
          }),
        ...catalogueFieldSchemas,
      }).openapi('SimilarItem'),
    ),
  })
  .openapi('SimilarItems');

export const SimilarUsersResponse = z
  .object({ dataset: z.string(), version: z.string(), userId: z.string(), similar: z.array(SimilarEntrySchema) })
  .openapi('SimilarUsers');

export const UserHistoryResponse = z
  .object({
    dataset: z.string(),
    version: z.string(),
    userId: z.string(),
    /** Most recent first: the live events after the version's cutoff, then the version's stored history. */
    history: z.array(
      z.object({
        item: z.string(),
        value: z.number(),
        live: z.boolean().openapi({ description: 'From a live event the active version does not hold yet.' }),
        ...catalogueFieldSchemas,
      }),
    ),
    total: z
      .number()
      .int()
      .openapi({ description: 'Entries in the whole history (the list shows the first `limit`).' }),
    liveEvents: z.number().int(),
  })
  .openapi('UserHistory');

export const PopularResponse = z
  .object({
    dataset: z.string(),
    version: z.string(),
    items: z.array(
      z.object({ item: z.string(), count: z.number().int(), meanValue: z.number(), ...catalogueFieldSchemas }),
    ),
  })
  .openapi('PopularItems');

export const HealthResponse = z.object({ status: z.literal('ok'), service: z.string() }).openapi('Health');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: 'Problem type URN, e.g. urn:affinity:problem:validation.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().openapi({ description: 'The request path.' }),
    requestId: z.string().optional(),
    hint: z.string().optional().openapi({ description: 'How to fix it.' }),
    errors: z
      .array(z.object({ in: z.enum(['path', 'query', 'body']), field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Validation failures, each naming its field.' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

export type RecommendationsBody = z.infer<typeof RecommendationsResponse>;
export type SimilarItemsBody = z.infer<typeof SimilarItemsResponse>;
export type SimilarUsersBody = z.infer<typeof SimilarUsersResponse>;
export type PopularBody = z.infer<typeof PopularResponse>;
export type UserHistoryBody = z.infer<typeof UserHistoryResponse>;
