/**
 * The API's schemas of the model state: versions (their model and validation), build jobs (their validation
 * table and the promotion gate's decision), rollback. Response schemas document (they do not validate) replies.
 */
import { z } from '@hono/zod-openapi';
import { DATASET_PAGE_DEFAULT, DATASET_PAGE_MAX } from '../adapters/store-contract.js';
import { MODEL_NAMES } from '../engine/models/index.js';
import { decimalWholeNumber } from './filter-schemas.js';

/** A validation table's rows: popularity (the baseline) and every model a build can compare. */
const MODEL_LABELS = ['popularity', ...MODEL_NAMES] as const;

const SimilaritySchema = z.object({
  measure: z.string(),
  k: z.number().int(),
  shrinkage: z.number(),
  minSupport: z.number(),
  implicit: z.boolean(),
});

const EaseSpecSchema = z.object({
  model: z.literal('ease'),
  lambda: z.number().openapi({ description: 'Ridge strength λ.' }),
  k: z.number().int().openapi({ description: 'Weights kept per item row, by |weight|.' }),
  method: z.enum(['exact', 'approximate']),
});
const ItemKnnSpecSchema = z.object({ model: z.literal('item-knn'), similarity: SimilaritySchema });
const ContentOptionsSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).openapi({ description: 'Weight of each catalogue field.' }),
    scheme: z.enum(['tfidf', 'bm25']),
    k: z.number().int().openapi({ description: 'Content neighbours kept per item.' }),
    minDf: z.number().int(),
    maxDfShare: z.number(),
  })
  .passthrough();

export const ModelSpecSchema = z
  .discriminatedUnion('model', [
    EaseSpecSchema,
    z.object({ model: z.enum(['item-knn', 'user-knn']), similarity: SimilaritySchema }),
    z.object({ model: z.literal('content'), content: ContentOptionsSchema }),
    z.object({
      model: z.literal('hybrid'),
      cf: z.discriminatedUnion('model', [EaseSpecSchema, ItemKnnSpecSchema]).openapi({
        description: 'The collaborative-filtering model blended in: the best item-row model of the validation.',
      }),
      content: ContentOptionsSchema,
      contentWeight: z.number().openapi({
        description:
          'γ of the blend: a cold candidate item gets content × γ × its row’s largest |CF| weight added to its CF ' +
          'weight. Chosen by the build’s validation from 0.1, 0.3, 1 unless the config sets hybrid.contentWeight. ' +
          'Absent in versions stored before it was recorded: those were built with 0.1.',
      }),
      evidence: z.number().openapi({
        description:
          'β of the blend: a candidate item with n interactions gets content weight γ·β / (n + β) of its row’s ' +
          'largest |CF| weight, the CF weight itself kept whole.',
      }),
    }),
  ])
  .openapi('ModelSpec', {
    description:
      'A model, fully resolved: EASE (λ, K, method), kNN (similarity options), content (catalogue term weights) or ' +
      'hybrid (its CF model, content options and blend constants γ and β).',
  });

const SourceSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  eTag: z.string().optional(),
  versionId: z.string().optional(),
  sequencer: z.string().optional(),
  sourceOrder: z.string(),
});

const MetricsFields = {
  ndcg: z.number().openapi({ description: 'NDCG@10 on the validation split.' }),
  recall: z.number().openapi({ description: 'Recall@10.' }),
  hitRate: z.number().openapi({ description: 'HitRate@10: validation users with a held-out item in their list.' }),
  coverage: z.number().openapi({ description: 'Distinct items recommended to the validation users / all items.' }),
};

export const GateSchema = z
  .object({
    passed: z.boolean(),
    maxNdcgDrop: z.number(),
    activeNdcg: z.number(),
    newNdcg: z.number(),
    message: z.string(),
  })
  .openapi('PromotionGate', {
    description:
      "The promotion gate's decision: the new model's validation NDCG@10 against the active model's, retrained on " +
      'the same data; a version that fails is kept, not activated.',
  });

const ValidationSplitSchema = z.object({
  kind: z.string().openapi({ description: 'time: each user’s latest interactions held out; random: a seeded share.' }),
  share: z.number(),
  users: z.number().int(),
  heldOut: z.number().int(),
});

export const ValidationSummarySchema = z
  .object({
    k: z.number().int(),
    chosen: z.string().openapi({ description: 'The candidate served (the best by NDCG@10 under model auto).' }),
    reason: z.string(),
    split: ValidationSplitSchema,
    candidates: z.array(z.object({ name: z.string(), model: z.enum(MODEL_LABELS), ...MetricsFields })),
    gate: GateSchema.optional(),
  })
  .openapi('ValidationSummary', {
    description: "The build's validation: each candidate model (and popularity) scored on a held-out split.",
  });

const CandidateScoreSchema = z
  .object({
    name: z.string(),
    spec: ModelSpecSchema.optional(),
    ...MetricsFields,
    fallbackUsers: z.number().int(),
    trainSeconds: z.number(),
    scoreSeconds: z.number(),
  })
  .openapi('CandidateScore');

export const ValidationReportSchema = z
  .object({
    k: z.number().int(),
    split: ValidationSplitSchema.extend({ seed: z.number(), trainInteractions: z.number().int() }),
    candidates: z.array(CandidateScoreSchema),
    chosen: z.string(),
    reason: z.string(),
    active: CandidateScoreSchema.optional().openapi({
      description: "The active version's model retrained on the same data (with a promotion gate).",
    }),
    gate: GateSchema.optional(),
  })
  .openapi('ValidationReport');

/**
 * The job's summary of the data-quality report (functions/model-build/build-report.ts `summarise`, plus the build's
 * counters); the full report is in S3 at reportKey. Documented fields are those a console draws; others pass through.
 * Nothing in it names a user (a pseudonymised dataset's report neither).
 */
const JobReportSchema = z
  .object({
    format: z.string().optional(),
    rowsRead: z.number().int().optional(),
    accepted: z.number().int().optional(),
    rejected: z
      .record(z.string(), z.object({ count: z.number().int(), example: z.string() }))
      .optional()
      .openapi({ description: 'Rejected rows by reason: how many, and the first message.' }),
    ratings: z.number().int().optional(),
    users: z.number().int().optional(),
    items: z.number().int().optional(),
    density: z.number().optional(),
    ratingHistogram: z
      .array(z.object({ value: z.string(), count: z.number().int() }))
      .optional()
      .openapi({ description: 'Ratings by value (≤ 20 distinct, ascending), else 10 equal-width bins "a–b".' }),
    eventTypes: z
      .object({
        types: z.array(z.object({ type: z.string(), weight: z.number(), rows: z.number().int() }).passthrough()),
        distinct: z.number().int(),
        ignoredRows: z.number().int(),
        defaultedRows: z.number().int(),
        defaultWeight: z.number(),
      })
      .optional()
      .openapi({ description: 'With typed events: rows per type (up to 50, most first) and the weight each got.' }),
    popularityCurve: z
      .array(z.object({ rank: z.number().int(), users: z.number().int() }))
      .optional()
      .openapi({
        description:
          'The popularity long tail: items sorted by distinct users, most first; the count at ranks 1, 2, 3, 5, 8, ' +
          '13, … (Fibonacci) and the last rank (the number of items). At most 64 points, ranks strictly increasing.',
      }),
    userActivity: z
      .array(z.object({ min: z.number().int(), max: z.number().int(), users: z.number().int() }))
      .optional()
      .openapi({
        description:
          'Users by the number of items they interacted with, in bins [1,1], [2,2], [3,4], [5,8], [9,16], …; every ' +
          'bin from the first to the last non-empty one, empty ones with users 0.',
      }),
    files: z
      .array(
        z.object({
          file: z.string(),
          rowsRead: z.number().int(),
          accepted: z.number().int(),
          rejected: z.number().int(),
        }),
      )
      .optional()
      .openapi({ description: 'Each source file of the build, in the order read: the first 100.' }),
    filesOmitted: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Source files past the first 100 (the S3 report lists every one).' }),
    warnings: z.array(z.string()).optional(),
  })
  .passthrough()
  .openapi('JobReport');

export const JobSchema = z
  .object({
    dataset: z.string(),
    jobId: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'superseded', 'duplicate']),
    source: SourceSchema,
    version: z.string().optional(),
    progress: z.object({ phase: z.string(), done: z.number(), total: z.number() }).optional(),
    timings: z.record(z.string(), z.number()).optional(),
    report: JobReportSchema.optional(),
    reportKey: z.string().optional(),
    error: z.object({ message: z.string(), where: z.string().optional(), hint: z.string().optional() }).optional(),
    message: z.string().optional().openapi({ description: 'Why a job that did not fail ended as it did.' }),
    validation: ValidationReportSchema.optional(),
    activated: z.literal(false).optional().openapi({
      description:
        'false: the build succeeded but its version was kept, not activated (the promotion gate; see message).',
    }),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
  })
  .openapi('Job');

export const VersionSchema = z
  .object({
    version: z.string(),
    active: z.boolean(),
    createdAt: z.string(),
    jobId: z.string(),
    source: SourceSchema,
    stats: z.object({
      users: z.number(),
      items: z.number(),
      ratings: z.number(),
      itemRows: z.number(),
      userRows: z.number(),
    }),
    options: z.record(z.string(), z.unknown()),
    model: z
      .object({
        name: z.enum(MODEL_NAMES),
        label: z.string().openapi({ description: 'e.g. "ease (λ 250, K 200, exact)".' }),
        spec: ModelSpecSchema,
      })
      .openapi({ description: 'The model this version serves.' }),
    validation: ValidationSummarySchema.optional(),
    reportKey: z.string().optional(),
    liveCutoff: z.string().optional().openapi({
      description:
        'Live events received before this time are in the version (folded by its build); the API adds later ones.',
    }),
    trending: z
      .object({
        windowDays: z.number(),
        halfLifeDays: z.number(),
        now: z.string().optional().openapi({ description: 'The end of the window: the newest timestamp of the data.' }),
        items: z.number().int().optional().openapi({ description: 'Trending items stored (at most 1,000).' }),
        none: z.literal('no-timestamps').optional().openapi({ description: 'The data had no timestamps: no list.' }),
      })
      .optional()
      .openapi({ description: "The version's trending list (GET …/trending; absent: built before trending)." }),
    catalogue: z
      .object({
        key: z.string(),
        eTag: z.string().optional(),
        versionId: z.string().optional(),
        size: z.number().optional(),
        rows: z.number().int(),
        items: z.number().int(),
        attributes: z
          .array(z.string())
          .optional()
          .openapi({ description: 'The custom attributes it declares, which filters may name (`attr.<name>`).' }),
      })
      .optional()
      .openapi({ description: 'The catalogue object this version carries (absent: none).' }),
    sources: z
      .object({
        files: z.number().int(),
        rows: z.number().int(),
        bytes: z.number(),
        digest: z.string(),
        listed: z.array(
          z.object({
            key: z.string(),
            eTag: z.string(),
            versionId: z.string().optional(),
            size: z.number(),
            rows: z.number().int().optional(),
          }),
        ),
        excluded: z.number().int().optional(),
      })
      .optional()
      .openapi({
        description:
          'The interaction files this version was built from: counts, a SHA-256 digest of every key and ETag, and ' +
          'the first 100 files (the version report in S3 lists all).',
      }),
    erasures: z
      .object({ through: z.string(), users: z.number().int(), items: z.number().int() })
      .optional()
      .openapi({
        description:
          "The erasures this version's input excluded: every one requested before `through` (users and items: how " +
          'many). Absent on versions built before erasure existed.',
      }),
  })
  .openapi('ModelVersion');

export const ModelStateSchema = z.object({
  dataset: z.string(),
  activeVersion: z
    .string()
    .nullable()
    .openapi({ description: 'null while the first build of the dataset has not succeeded.' }),
  revision: z.number().int(),
  updatedAt: z.string().nullable(),
  versions: z.array(VersionSchema).openapi({ description: 'Kept versions (for rollback), newest first.' }),
});

export const DatasetResponse = ModelStateSchema.extend({ latestJob: JobSchema.nullable() }).openapi('Dataset');
export const RollbackResponse = ModelStateSchema.extend({ previousVersion: z.string() }).openapi('Rollback');
export const JobsResponse = z.object({ dataset: z.string(), jobs: z.array(JobSchema) }).openapi('Jobs');

export type DatasetBody = z.infer<typeof DatasetResponse>;
export type RollbackBodyResponse = z.infer<typeof RollbackResponse>;
export type JobsBody = z.infer<typeof JobsResponse>;
export type JobBody = z.infer<typeof JobSchema>;

// ---- GET /v1/datasets: the dataset directory ---------------------------------------------------------------

export const DatasetListQuery = z.strictObject({
  limit: z
    .preprocess(
      decimalWholeNumber,
      z
        .number({ error: `limit must be a whole number from 1 to ${DATASET_PAGE_MAX}, in decimal digits` })
        .int(`limit must be a whole number from 1 to ${DATASET_PAGE_MAX}`)
        .min(1, 'limit must be at least 1')
        .max(DATASET_PAGE_MAX, `limit must be at most ${DATASET_PAGE_MAX}`),
    )
    .default(DATASET_PAGE_DEFAULT)
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: DATASET_PAGE_MAX,
      default: DATASET_PAGE_DEFAULT,
      description: `Datasets per page (1-${DATASET_PAGE_MAX} in decimal digits, default ${DATASET_PAGE_DEFAULT}).`,
    }),
  nextToken: z
    .string()
    .min(1, 'nextToken must not be empty')
    .max(2048, 'nextToken is longer than any token this API gives out')
    .optional()
    .openapi({ description: 'The `nextToken` of the previous page, unchanged (opaque).' }),
});

const JobOutlineSchema = z
  .object({
    jobId: z.string(),
    status: JobSchema.shape.status,
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    error: z.object({ message: z.string(), where: z.string().optional(), hint: z.string().optional() }).optional(),
  })
  .openapi('JobOutline', { description: 'The latest build job, in brief (GET …/jobs/{jobId} has it whole).' });

export const DatasetSummarySchema = z
  .object({
    dataset: z.string(),
    activeVersion: z.string().nullable().openapi({ description: 'null while no build of the dataset succeeded.' }),
    versions: z.number().int().openapi({ description: 'Kept versions (the active one included).' }),
    stats: z
      .object({ users: z.number().int(), items: z.number().int(), ratings: z.number().int() })
      .nullable()
      .openapi({ description: "The active version's counts; null without one." }),
    model: z.string().nullable().openapi({
      description: "The active version's model label, as GET /v1/datasets/{dataset} gives it (`model.label`).",
    }),
    updatedAt: z.string().nullable().openapi({ description: "The manifest's last change (ISO); null without one." }),
    lastJob: JobOutlineSchema.nullable(),
  })
  .openapi('DatasetSummary');

export const DatasetListResponse = z
  .object({
    datasets: z.array(DatasetSummarySchema).openapi({ description: 'By dataset name.' }),
    nextToken: z.string().optional().openapi({ description: 'Present when more datasets follow: pass it back.' }),
  })
  .openapi('DatasetList');

export type DatasetSummaryBody = z.infer<typeof DatasetSummarySchema>;
export type DatasetListBody = z.infer<typeof DatasetListResponse>;
