/**
 * The options a model build takes, with one rule per field: the shape of `uploads/<dataset>/config.json`, of the
 * CLI's model flags, and of the similarity and model-kind options the engine's own entry points accept
 * (`resolveSimilarityOptions`, `InMemoryModel.build`). Every entry point validates with the zod schemas below, so
 * a field has the same default, range and message wherever it is given.
 *
 * Every rejection names the field, its rule and the value given: `k: must be an integer from 1 to 500 (got 0)`.
 */
import { z } from 'zod';
import { describeIssues, describeValue, type Problem } from './config-issues.js';
import { DEFAULT_MAX_REJECTED_SHARE } from './ingest/rejected-share.js';
import type { IngestOptions } from './ingest/types.js';
import { catalogueConfigSchema } from './catalogue/config.js';
import { contentOptionsSchema } from './content/config.js';
import { EASE_METHODS, MODEL_CHOICES, type ModelChoice } from './models/spec.js';
import {
  DEFAULT_SIMILARITY_OPTIONS,
  MAX_K,
  MODEL_KINDS,
  UserInputError,
  type ModelKind,
  type SimilarityMeasure,
  type SimilarityOptions,
} from './types.js';

export const SIMILARITY_MEASURES = [
  'cosine',
  'adjusted-cosine',
  'pearson',
  'jaccard',
] as const satisfies readonly SimilarityMeasure[];
export { MAX_K } from './types.js';
/** Generous bounds for the two counting options: beyond them a value is a typo, not a choice. */
const MAX_SHRINKAGE = 1e6;
const MAX_MIN_SUPPORT = 1e6;
const MAX_VERSIONS_KEPT = 20;
/** Event weights and decay (eventWeights, defaultEventWeight, halfLifeDays): bounds past which a value is a typo. */
const MAX_EVENT_WEIGHT = 1000;
const MAX_EVENT_TYPE_BYTES = 256;
const MAX_HALF_LIFE_DAYS = 36_500;
export const DEFAULT_MODELS: readonly ModelKind[] = ['item'];
/** EASE's λ: past these bounds a value is a typo (λ is in units of the squared interaction values). */
const MIN_EASE_LAMBDA = 1e-3;
const MAX_EASE_LAMBDA = 1e7;
/** The range EASE's λ is given or searched in. */
export const EASE_LAMBDA_BOUNDS = Object.freeze({ min: MIN_EASE_LAMBDA, max: MAX_EASE_LAMBDA });
/** EASE weights kept per item row when `ease.k` is not given (docs/BENCHMARKS.md, "EASE: K"). */
export const DEFAULT_EASE_K = 200;
/** Validation users of a build's evaluation: enough for a stable NDCG@10, few enough to stay cheap. */
export const DEFAULT_EVALUATION_USERS = 2000;
const MAX_EVALUATION_USERS = 100_000;
/** Trending (engine/filters/trending.ts): the window and half-life a build ranks its trending list with. */
export const DEFAULT_TRENDING = Object.freeze({ windowDays: 7, halfLifeDays: 2 });
const MAX_TRENDING_DAYS = 3650;

/** The rule of each field, as the sentence its errors and hints use. */
const RULES = {
  measure: `must be one of ${SIMILARITY_MEASURES.join(', ')}`,
  k: `must be an integer from 1 to ${MAX_K}`,
  shrinkage: `must be a finite number >= 0, at most ${MAX_SHRINKAGE} (0 turns shrinkage off)`,
  minSupport: `must be an integer >= 1, at most ${MAX_MIN_SUPPORT}`,
  implicit: 'must be true or false',
  models: `must be a non-empty list of model kinds (${MODEL_KINDS.join(', ')}), each at most once`,
  modelKind: `must be a model kind: one of ${MODEL_KINDS.join(', ')}`,
  versionsKept: `must be an integer from 1 to ${MAX_VERSIONS_KEPT}`,
  maxRejectedShare: 'must be a number from 0 to 1',
  limit: 'must be a whole number >= 1',
  eventType: `must be an event type of 1 to ${MAX_EVENT_TYPE_BYTES} characters`,
  eventWeight: `must be a finite number from -${MAX_EVENT_WEIGHT} to ${MAX_EVENT_WEIGHT} (negative: a signal against the item; 0: ignored)`,
  eventWeights: `must be an object mapping event types to weights, e.g. {"view": 1, "like": 4, "dislike": -4}`,
  halfLifeDays: `must be a number of days > 0, at most ${MAX_HALF_LIFE_DAYS}`,
  model: `must be one of ${MODEL_CHOICES.join(', ')}`,
  easeLambda: `must be a number from ${MIN_EASE_LAMBDA} to ${MAX_EASE_LAMBDA} (leave it out to let the build choose)`,
  easeK: `must be an integer from 1 to ${MAX_K}`,
  easeMethod: `must be one of auto, ${EASE_METHODS.join(', ')}`,
  evaluate: 'must be true or false',
  evaluationUsers: `must be an integer from 10 to ${MAX_EVALUATION_USERS}`,
  evaluationSeed: 'must be a whole number',
  maxNdcgDrop: 'must be a number from 0 to 1 (the share of the active version’s NDCG@10 a new version may lose)',
  pseudonymizeUsers: 'must be true or false',
  hybridEvidence: 'must be a number > 0, at most 1000000 (leave it out for the default, 2)',
  hybridContentWeight: 'must be a number > 0, at most 100 (leave it out to let the build choose from 0.1, 0.3, 1)',
  trendingWindowDays: `must be a number of days > 0, at most ${MAX_TRENDING_DAYS}`,
  trendingHalfLifeDays: `must be a number of days > 0, at most ${MAX_TRENDING_DAYS}`,
} as const;

/** The hybrid's evidence β: past this a pair needs a million interactions to weigh CF and content alike (a typo). */
const MAX_HYBRID_EVIDENCE = 1e6;
/** The hybrid's γ: past 100× the row's largest CF weight, CF would only break ties between content candidates. */
const MAX_HYBRID_CONTENT_WEIGHT = 100;

const eventWeightField = z
  .number(RULES.eventWeight)
  .min(-MAX_EVENT_WEIGHT, RULES.eventWeight)
  .max(MAX_EVENT_WEIGHT, RULES.eventWeight);

/** A per-dataset limit: a positive whole number (bytes, rows, ids or MiB); it may only lower the deployment's. */
const limitField = z.number(RULES.limit).int(RULES.limit).min(1, RULES.limit).optional();

const similarityFields = {
  measure: z.enum(SIMILARITY_MEASURES, RULES.measure).default(DEFAULT_SIMILARITY_OPTIONS.measure),
  k: z.number(RULES.k).int(RULES.k).min(1, RULES.k).max(MAX_K, RULES.k).default(DEFAULT_SIMILARITY_OPTIONS.k),
  shrinkage: z
    .number(RULES.shrinkage)
    .min(0, RULES.shrinkage)
    .max(MAX_SHRINKAGE, RULES.shrinkage)
    // No schema default: it depends on the measure (defaultShrinkage), filled in by the two functions below.
    .optional(),
  minSupport: z
    .number(RULES.minSupport)
    .int(RULES.minSupport)
    .min(1, RULES.minSupport)
    .max(MAX_MIN_SUPPORT, RULES.minSupport)
    .default(DEFAULT_SIMILARITY_OPTIONS.minSupport),
  implicit: z.boolean(RULES.implicit).default(DEFAULT_SIMILARITY_OPTIONS.implicit),
};

/** Similarity options alone (unknown keys rejected, so a typo such as `neighbours` fails loudly). */
export const similarityOptionsSchema = z.strictObject(similarityFields);

/** Which kinds of model to build (see MODEL_KINDS): rows are computed and stored for exactly these. */
export const modelKindsSchema = z
  .array(z.enum(MODEL_KINDS, RULES.modelKind), RULES.models)
  .min(1, RULES.models)
  .refine((kinds) => new Set(kinds).size === kinds.length, RULES.models)
  .default([...DEFAULT_MODELS]);

/**
 * Per-dataset build options: the shape of `uploads/<dataset>/config.json` and of the CLI's build flags.
 * Unknown keys are rejected so that a typo ("neighbors") fails loudly instead of being ignored.
 */
export const modelConfigSchema = z.strictObject({
  /**
   * The model the API serves (README "Models"): `auto` (the default) has the build's validation choose among ease,
   * item-knn and user-knn by NDCG@10, and content and hybrid when the dataset has a catalogue (they need one).
   * Absent with `models` given: the kNN model of those kinds, as before `model`.
   */
  model: z.enum(MODEL_CHOICES, RULES.model).optional(),
  /** kNN options (measure, k, shrinkage, minSupport, implicit): item-knn and user-knn rows. */
  ...similarityFields,
  /**
   * The row kinds to build (item, user), each at most once. Absent: what the model needs (item rows; user and item
   * rows for user-knn). Given without `model`: kNN rows of exactly these kinds.
   */
  models: modelKindsSchema.removeDefault().optional(),
  /** EASE options: λ (absent: chosen by the build's validation), K weights kept per item, exact or approximate. */
  ease: z
    .strictObject({
      lambda: z
        .number(RULES.easeLambda)
        .min(MIN_EASE_LAMBDA, RULES.easeLambda)
        .max(MAX_EASE_LAMBDA, RULES.easeLambda)
        .optional(),
      k: z.number(RULES.easeK).int(RULES.easeK).min(1, RULES.easeK).max(MAX_K, RULES.easeK).default(DEFAULT_EASE_K),
      method: z.enum(['auto', ...EASE_METHODS], RULES.easeMethod).default('auto'),
    })
    .default({ k: DEFAULT_EASE_K, method: 'auto' }),
  /** Every build scores its model (and, under auto, each candidate) on a held-out validation split; false skips it. */
  evaluate: z.boolean(RULES.evaluate).default(true),
  evaluation: z
    .strictObject({
      /** Validation users sampled (seeded) from those with at least 2 interactions. */
      users: z
        .number(RULES.evaluationUsers)
        .int(RULES.evaluationUsers)
        .min(10, RULES.evaluationUsers)
        .max(MAX_EVALUATION_USERS, RULES.evaluationUsers)
        .default(DEFAULT_EVALUATION_USERS),
      seed: z.number(RULES.evaluationSeed).int(RULES.evaluationSeed).default(1),
    })
    .default({ users: DEFAULT_EVALUATION_USERS, seed: 1 }),
  /**
   * Off unless given: a new version whose validation NDCG@10 is below the active version's model (retrained on
   * the same new data and scored on the same users) by more than `maxNdcgDrop` of it is kept but not activated.
   */
  promotionGate: z
    .strictObject({
      maxNdcgDrop: z.number(RULES.maxNdcgDrop).min(0, RULES.maxNdcgDrop).max(1, RULES.maxNdcgDrop),
    })
    .optional(),
  /** Model versions kept for rollback, the active one included. */
  versionsKept: z
    .number(RULES.versionsKept)
    .int(RULES.versionsKept)
    .min(1, RULES.versionsKept)
    .max(MAX_VERSIONS_KEPT, RULES.versionsKept)
    .default(3),
  /** Above this share of rejected data rows the build fails with its data-quality report (0..1). */
  maxRejectedShare: z
    .number(RULES.maxRejectedShare)
    .min(0, RULES.maxRejectedShare)
    .max(1, RULES.maxRejectedShare)
    .default(DEFAULT_MAX_REJECTED_SHARE),
  /**
   * Ingest limits of this dataset (see engine/ingest/limits.ts): each may only lower the deployment's limit of the
   * same name (the lower of the two applies).
   */
  limits: z
    .strictObject({
      maxBytes: limitField,
      maxRows: limitField,
      maxUsers: limitField,
      maxItems: limitField,
      maxMemoryMb: limitField,
    })
    .default({}),
  /** Parsing options for the uploaded files of this dataset. */
  input: z
    .strictObject({
      format: z.enum(['auto', 'csv', 'tsv', 'dat', 'jsonl']).optional(),
      header: z.union([z.boolean(), z.literal('auto')]).optional(),
      delimiter: z.string().min(1).max(4).optional(),
      columns: z
        .strictObject({
          user: z.union([z.string(), z.number().int().min(0)]).optional(),
          item: z.union([z.string(), z.number().int().min(0)]).optional(),
          rating: z.union([z.string(), z.number().int().min(0), z.null()]).optional(),
          timestamp: z.union([z.string(), z.number().int().min(0), z.null()]).optional(),
          type: z.union([z.string(), z.number().int().min(0)]).optional(),
        })
        .optional(),
    })
    .default({}),
  /**
   * Event types (README "Event types and time decay"): with `eventWeights` each row's `type` column picks its
   * weight (types not listed get `defaultEventWeight`, default 1; weight 0 = ignored) and a user's events on an item
   * are summed, then sign·log1p. `halfLifeDays`: each event's weight halves every that many days, age measured from
   * the newest timestamp in the dataset. Absent: rows are plain ratings and the latest one wins.
   */
  eventWeights: z
    .record(z.string().min(1, RULES.eventType).max(MAX_EVENT_TYPE_BYTES, RULES.eventType), eventWeightField, {
      error: RULES.eventWeights,
    })
    .optional(),
  defaultEventWeight: eventWeightField.optional(),
  halfLifeDays: z
    .number(RULES.halfLifeDays)
    .gt(0, RULES.halfLifeDays)
    .max(MAX_HALF_LIFE_DAYS, RULES.halfLifeDays)
    .optional(),
  /** How to read the dataset's item catalogue (uploads/<dataset>/items.csv|tsv|jsonl[.gz]); see engine/catalogue. */
  catalogue: catalogueConfigSchema,
  /**
   * Content-based item rows from the catalogue (model content, hybrid, and auto's content candidates): field
   * weights, term weighting, neighbours kept; see engine/content/config.ts.
   */
  content: contentOptionsSchema.prefault({}),
  /**
   * The hybrid's blend: CF weights are kept and a candidate with n interactions gets content added with weight
   * contentWeight·evidence / (n + evidence) of its row's largest CF weight (recommend/hybrid-rows.ts): contentWeight
   * is γ, evidence β. Absent: the build's validation chooses γ from a grid (models/candidates.ts
   * HYBRID_CONTENT_WEIGHT_GRID), β is 2.
   */
  hybrid: z
    .strictObject({
      evidence: z
        .number(RULES.hybridEvidence)
        .gt(0, RULES.hybridEvidence)
        .max(MAX_HYBRID_EVIDENCE, RULES.hybridEvidence)
        .optional(),
      contentWeight: z
        .number(RULES.hybridContentWeight)
        .gt(0, RULES.hybridContentWeight)
        .max(MAX_HYBRID_CONTENT_WEIGHT, RULES.hybridContentWeight)
        .optional(),
    })
    .default({}),
  /**
   * README "Pseudonymised user ids": true replaces every user id by its keyed pseudonym (`p_` + HMAC-SHA256 with
   * the deployment's key) right after the parse, so the table, the reports and the logs never hold a raw user id;
   * the API hashes the ids of requests the same way. Needs the key (the build fails without it, never builds raw).
   */
  pseudonymizeUsers: z.boolean(RULES.pseudonymizeUsers).default(false),
  /**
   * README "Trending": each build ranks items by their interactions in the last `windowDays` days, each weighted
   * 0.5^(age / halfLifeDays), age measured from the newest timestamp in the data (so a re-build of the same files
   * gives the same list). Data without timestamps gets no trending list.
   */
  trending: z
    .strictObject({
      windowDays: z
        .number(RULES.trendingWindowDays)
        .gt(0, RULES.trendingWindowDays)
        .max(MAX_TRENDING_DAYS, RULES.trendingWindowDays)
        .default(DEFAULT_TRENDING.windowDays),
      halfLifeDays: z
        .number(RULES.trendingHalfLifeDays)
        .gt(0, RULES.trendingHalfLifeDays)
        .max(MAX_TRENDING_DAYS, RULES.trendingHalfLifeDays)
        .default(DEFAULT_TRENDING.halfLifeDays),
    })
    .default({ ...DEFAULT_TRENDING }),
});

export type ModelConfig = z.output<typeof modelConfigSchema>;

/** The weight of event types no `eventWeights` entry names, unless `defaultEventWeight` says otherwise. */
export const DEFAULT_EVENT_WEIGHT = 1;

const CONFIG_KEYS = Object.keys(modelConfigSchema.shape).join(', ');

/** Validates a config object; every problem is named with its path, its rule and the value given. */
export function parseModelConfig(input: unknown, where = 'config'): ModelConfig {
  rejectReplacedMode(input, where);
  const result = modelConfigSchema.safeParse(input ?? {});
  if (result.success) return checkModelOptions(checkEventOptions(result.data, where), where);
  const problems = describeIssues(result.error, input).map(({ field, rule, got }) =>
    field === '' ? rule : `${field}: ${rule}${got}`,
  );
  throw new UserInputError(
    `invalid model configuration: ${problems.join('; ')}`,
    where,
    `Fix the listed fields; allowed keys are ${CONFIG_KEYS}.`,
  );
}

/** `defaultEventWeight` and `input.columns.type` mean something only with `eventWeights`: say so, never ignore them. */
function checkEventOptions(config: ModelConfig, where: string): ModelConfig {
  if (config.eventWeights !== undefined) return config;
  const field =
    config.defaultEventWeight !== undefined
      ? 'defaultEventWeight'
      : config.input.columns?.type !== undefined
        ? 'input.columns.type'
        : undefined;
  if (field === undefined) return config;
  throw new UserInputError(
    `invalid model configuration: ${field}: is read only together with eventWeights (eventWeights is not set)`,
    where,
    'Add "eventWeights": {"<type>": <weight>, ...} (it may be {} to give every type the default weight), or remove the field.',
  );
}

/** The model choice of a config: `model`, else the kNN model of a `models` list given alone, else auto. */
export function modelChoiceOf(config: Pick<ModelConfig, 'model' | 'models'>): ModelChoice {
  if (config.model !== undefined) return config.model;
  if (config.models !== undefined) return config.models.includes('item') ? 'item-knn' : 'user-knn';
  return 'auto';
}

/** Combinations that cannot mean what they say: refused with the fix, never half-applied. */
function checkModelOptions(config: ModelConfig, where: string): ModelConfig {
  const fail = (what: string, hint: string): never => {
    throw new UserInputError(`invalid model configuration: ${what}`, where, hint);
  };
  const choice = modelChoiceOf(config);
  if (choice === 'auto' && !config.evaluate)
    fail(
      'model "auto" chooses by the build\'s evaluation, but "evaluate" is false',
      'Name a model ("model": "ease", "item-knn" or "user-knn") to build without evaluating, or remove "evaluate": false.',
    );
  if (config.promotionGate !== undefined && !config.evaluate)
    fail(
      'promotionGate compares validation scores, but "evaluate" is false',
      'Remove "evaluate": false, or remove promotionGate.',
    );
  for (const field of ['evidence', 'contentWeight'] as const)
    if (config.hybrid[field] !== undefined && choice !== 'auto' && choice !== 'hybrid')
      fail(
        `hybrid.${field} is read only with model "hybrid" or "auto", but model is "${choice}"`,
        `Set "model": "hybrid" (or "auto"), or remove hybrid.${field}.`,
      );
  if (config.models !== undefined && choice !== 'auto') {
    const needs = choice === 'user-knn' ? 'user' : 'item';
    if (!config.models.includes(needs))
      fail(
        `model "${choice}" is served from ${needs} rows, but "models" (${config.models.join(', ')}) does not build them`,
        `Add "${needs}" to "models", or remove "models" to build what the model needs.`,
      );
  }
  return config;
}

/** The ingest options of a config's event types and decay (absent: plain ratings, the latest one wins). */
export function eventOptionsOf(config: ModelConfig): Pick<IngestOptions, 'events' | 'halfLifeDays'> {
  const options: Pick<IngestOptions, 'events' | 'halfLifeDays'> = {};
  if (config.eventWeights !== undefined) {
    options.events = {
      weights: config.eventWeights,
      defaultWeight: config.defaultEventWeight ?? DEFAULT_EVENT_WEIGHT,
    };
  }
  if (config.halfLifeDays !== undefined) options.halfLifeDays = config.halfLifeDays;
  return options;
}

/**
 * Shrinkage λ for the centred measures (pearson, adjusted-cosine) when none is given. Their similarity carries no
 * sign of how many users a pair shares: two items with 2 co-raters that happen to agree score near 1, so without
 * shrinkage the top-K rows fill with such noise pairs of rarely rated items (docs/BENCHMARKS.md, "Centred
 * measures"). λ = 100 is the value of Koren (KDD 2008) for shrunk Pearson; cosine and jaccard grow with the
 * co-rater count already and keep 0. An explicit `shrinkage` (0 included) always wins.
 */
export const CENTRED_MEASURE_SHRINKAGE = 100;

export function defaultShrinkage(measure: SimilarityMeasure): number {
  return measure === 'pearson' || measure === 'adjusted-cosine'
    ? CENTRED_MEASURE_SHRINKAGE
    : DEFAULT_SIMILARITY_OPTIONS.shrinkage;
}

/** The similarity options of a config. */
export function similarityOptionsOf(config: ModelConfig): SimilarityOptions {
  return {
    measure: config.measure,
    k: config.k,
    shrinkage: config.shrinkage ?? defaultShrinkage(config.measure),
    minSupport: config.minSupport,
    implicit: config.implicit,
  };
}

/**
 * Fills defaults and validates similarity options given directly (not in a config file). The first invalid
 * field throws a UserInputError whose `where` is the option name.
 */
export function resolveSimilarityOptions(options: Partial<SimilarityOptions> = {}): SimilarityOptions {
  const result = similarityOptionsSchema.safeParse(options ?? {});
  if (result.success)
    return { ...result.data, shrinkage: result.data.shrinkage ?? defaultShrinkage(result.data.measure) };
  throw optionError('similarity option', describeIssues(result.error, options)[0]);
}

/** Validates a list of model kinds given directly (undefined: the default, item only). */
export function resolveModelKinds(models: unknown): ModelKind[] {
  const result = modelKindsSchema.safeParse(models);
  if (result.success) return result.data;
  // Named as the whole list, whichever entry is wrong: the rule is about the list.
  throw optionError('model option', { field: 'models', rule: RULES.models, got: ` (got ${describeValue(models)})` });
}

/**
 * `mode: item|user|both` was replaced by `models` (a list of kinds): say so and how to write it, rather than
 * report an unknown key.
 */
function rejectReplacedMode(input: unknown, where: string): void {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, 'mode')) return;
  const mode = (input as { mode: unknown }).mode;
  const models = mode === 'item' ? ['item'] : mode === 'user' ? ['user'] : ['item', 'user'];
  throw new UserInputError(
    `the option "mode" was replaced by "models", a list of model kinds (${MODEL_KINDS.join(', ')})`,
    where,
    `Write "models": ${JSON.stringify(models).replace(/,/g, ', ')} instead of "mode": ${JSON.stringify(mode)} ` +
      `(on the command line: --models ${models.join(',')}).`,
  );
}

function optionError(what: string, { field, rule, got }: Problem): UserInputError {
  return new UserInputError(
    field === '' ? `${what}s: ${rule}` : `${what} ${field} ${rule}${got}`,
    field || undefined,
    field === ''
      ? `Allowed options are ${Object.keys(similarityFields).join(', ')}.`
      : `Set ${field} to a value that ${rule.replace(/^must be/, 'is')}.`,
  );
}
