/**
 * File -> matrix -> model rows -> in-memory model, with per-phase timings. The CLI, the benchmark and the build
 * Lambda all build models through here, so they agree on options, defaults and validation (engine/model-config.ts).
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { combineLimits, DEFAULT_MEMORY_COST, loadRatings, loadSources } from './ingest/index.js';
import type {
  IngestLimits,
  IngestOptions,
  InteractionExclusion,
  InteractionSource,
  MemoryCost,
  QualityReport,
} from './ingest/index.js';
import type { SourceReport } from './ingest/index.js';
import {
  eventOptionsOf,
  modelChoiceOf,
  parseModelConfig,
  similarityOptionsOf,
  type ModelConfig,
} from './model-config.js';
import { computeModelBlocks, InMemoryModel, type BuildModelOptions } from './recommend/index.js';
import { validateModels, type ValidationOutcome, type ValidationReport } from './evaluate/index.js';
import {
  candidateSpecs,
  describeSpec,
  EASE_LAMBDA_WIDENING,
  hybridStageOf,
  requireCatalogue,
  rowKindsOf,
  type ModelSpec,
} from './models/index.js';
import type { CatalogueEntry } from './catalogue/types.js';
import { prestartWorkers } from './similarity/index.js';
import { pseudonymOf } from './privacy/index.js';
import { UserInputError, type RatingMatrix } from './types.js';

// Config parsing lives in model-config.ts; re-exported because building from a file starts with a config.
export { modelConfigSchema, parseModelConfig, similarityOptionsOf, type ModelConfig } from './model-config.js';

/** Inputs this large (about 1M ratings) take long enough that starting workers early pays off. */
const PRESTART_WORKERS_BYTES = 20e6;

/** The model kinds and similarity options come from `config`; threads and progress are as for InMemoryModel.build. */
export interface BuildFromSourceOptions extends Pick<BuildModelOptions, 'threads'> {
  /** Default: the default config (item rows only). */
  config?: ModelConfig;
  /** File name for format detection and messages (when the source is a stream). */
  fileName?: string;
  /**
   * `phase` is 'parse', 'evaluate' (candidates done of total), then each row kind's phase ('items', 'ease',
   * 'content', 'hybrid', 'users').
   */
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Total bytes of the source as stored (compressed, for a gzip): parse progress and the memory estimate. */
  totalBytes?: number;
  /**
   * The deployment's ingest limits (the build function's); the config's `limits` may only lower them. Absent
   * (the CLI): only the config's limits apply.
   */
  deploymentLimits?: IngestLimits;
  /** The active version's model: with the config's promotionGate, the validation scores it too (the gate). */
  activeModel?: ModelSpec;
  /** Erased users and taken-down items whose rows are dropped from every file (a list of files only). */
  exclude?: InteractionExclusion;
  /** The key of the keyed user-id hash: required when the config sets `pseudonymizeUsers`, unused otherwise. */
  idHashKey?: Uint8Array;
  /**
   * The dataset's catalogue entries by item (the build's parsed `catalogue.entries`): model content and hybrid
   * need them; under auto they add the content and hybrid candidates. Absent or empty: no catalogue.
   */
  catalogue?: ReadonlyMap<string, CatalogueEntry>;
}

export interface BuiltModel {
  model: InMemoryModel;
  /** With `sources` when built from several files (the per-file counts). */
  report: QualityReport & { sources?: SourceReport[] };
  config: ModelConfig;
  /** The model served, as chosen (auto) or named. */
  spec: ModelSpec;
  /** The build's validation (absent with evaluate: false, or when skipped: see `evaluationSkipped`). */
  validation?: ValidationReport;
  /** Why a named model was built without its evaluation (no user has 2 interactions to hold one out). */
  evaluationSkipped?: string;
  /** Seconds per phase: parse (file -> matrix), one per model kind built (items, users), total. */
  timings: Record<string, number>;
}

/** How a build reads each of the dataset's files (the config's input, implicit, event and rejection options). */
export function readOptionsOf(config: ModelConfig): IngestOptions {
  return {
    ...config.input,
    implicit: config.implicit || undefined,
    maxRejectedShare: config.maxRejectedShare,
    ...eventOptionsOf(config),
  };
}

/**
 * Reads ratings from a path, a stream or a list of files (a dataset's interaction files, in upload order: their
 * union, see ingest/load-sources.ts) and computes the rows of the model kinds the config lists.
 */
export async function buildModel(
  source: string | Readable | readonly InteractionSource[],
  options: BuildFromSourceOptions = {},
): Promise<BuiltModel> {
  const config = options.config ?? parseModelConfig({});
  const choice = modelChoiceOf(config);
  const catalogue = options.catalogue !== undefined && options.catalogue.size > 0 ? options.catalogue : undefined;
  // Before the parse: a content or hybrid model without a catalogue fails at once, never after minutes of work.
  if (choice === 'content' || choice === 'hybrid') requireCatalogue(choice, catalogue !== undefined);
  const pseudonymizeUsers = pseudonymizationOf(config, options.idHashKey);
  const started = performance.now();
  // A large input: let the similarity workers start up on the core the (single-threaded) parse leaves idle.
  const bytes =
    options.totalBytes ??
    (typeof source === 'string'
      ? await stat(source).then(
          (s) => s.size,
          () => 0,
        )
      : Array.isArray(source)
        ? source.reduce((sum: number, file: InteractionSource) => sum + (file.size ?? 0), 0)
        : 0);
  if (bytes >= PRESTART_WORKERS_BYTES) prestartWorkers(options.threads);
  const { limits, hint } = combineLimits(options.deploymentLimits, config.limits);
  const ingestOptions: IngestOptions = {
    ...readOptionsOf(config),
    limits,
    limitHint: hint,
    memoryCost: memoryCostOf(config),
    fileName: options.fileName,
    expectedBytes: options.totalBytes,
    onProgress: options.onProgress && ((bytes) => options.onProgress?.('parse', bytes, options.totalBytes ?? 0)),
    ...(options.exclude && { exclude: options.exclude }),
    ...(pseudonymizeUsers ? { pseudonymizeUsers } : {}),
  };
  if (options.exclude && !Array.isArray(source))
    throw new TypeError('exclude applies to a list of interaction files (the build), not to one file');
  const { matrix, report } = Array.isArray(source)
    ? await loadSources(source as readonly InteractionSource[], ingestOptions)
    : await loadRatings(source as string | Readable, ingestOptions);
  const timings: Record<string, number> = { parse: seconds(started) };

  const candidates = candidateSpecs(config, matrix, config.evaluate, catalogue !== undefined);
  let spec = candidates[0];
  let validation: ValidationReport | undefined;
  let evaluationSkipped: string | undefined;
  // With nobody to hold out there is nothing to score: say so in the report rather than fail the build. Under auto
  // every candidate would find no co-occurrence anyway, so the cheapest (item-knn, the first) is built.
  if (config.evaluate && !hasValidationUsers(matrix)) {
    // A named hybrid's list is its CF stage: without a validation, the hybrid a config without evaluation gets.
    if (choice === 'hybrid') spec = candidateSpecs(config, matrix, false, true)[0];
    evaluationSkipped =
      'no user has 2 or more interactions, so none can be held out to evaluate the model' +
      (choice === 'auto' ? `; auto built the first candidate, ${describeSpec(spec)}` : '');
  } else if (config.evaluate) {
    const validating = performance.now();
    const outcome = await validateConfigModels(matrix, config, {
      candidates,
      threads: options.threads,
      ...(catalogue ? { catalogue } : {}),
      ...(options.activeModel ? { activeModel: options.activeModel } : {}),
      onProgress: options.onProgress && ((done, total) => options.onProgress?.('evaluate', done, total)),
    });
    ({ report: validation, chosen: spec } = outcome);
    timings.evaluate = seconds(validating);
  }

  const {
    blocks,
    content,
    seconds: phases,
  } = await computeModelBlocks(matrix, {
    spec,
    models: config.models ?? rowKindsOf(spec),
    similarity: similarityOptionsOf(config),
    threads: options.threads,
    onProgress: options.onProgress,
    ...(catalogue ? { catalogue } : {}),
  });
  Object.assign(timings, phases);
  const model = InMemoryModel.fromNeighbours(matrix, blocks, spec, content);
  timings.total = seconds(started);
  return {
    model,
    report,
    config,
    spec,
    ...(validation ? { validation } : {}),
    ...(evaluationSkipped ? { evaluationSkipped } : {}),
    timings,
  };
}

/**
 * Neighbour rows (k slots of neighbour, similarity and support: 16 bytes) for each row of the kinds that may be
 * built: user rows when user-knn may be served (auto, user-knn, or listed), item rows always (EASE's K or kNN's k).
 * The dense EASE Gram is checked by the EASE kernel itself (ease/options.ts).
 */
function memoryCostOf(config: ModelConfig): MemoryCost {
  const knnOnly = config.model === 'item-knn' || config.model === 'user-knn';
  const itemRow =
    Math.max(config.k, knnOnly ? 0 : config.ease.k, knnOnly || config.model === 'ease' ? 0 : config.content.k) * 16;
  const userRows =
    config.models?.includes('user') ??
    (config.model === undefined || config.model === 'auto' || config.model === 'user-knn');
  return {
    perRow: DEFAULT_MEMORY_COST.perRow,
    perUser: DEFAULT_MEMORY_COST.perUser + (userRows ? config.k * 16 : 0),
    perItem: DEFAULT_MEMORY_COST.perItem + itemRow,
  };
}

/**
 * The validation a config asks for: its candidates (candidateSpecs), its evaluation users and seed, EASE's λ
 * searched past the grid's edge (EASE_LAMBDA_WIDENING), the hybrids after the CF stage (hybridStageOf) when there
 * is a catalogue, and the promotion gate against `activeModel` when configured.
 */
export function validateConfigModels(
  matrix: RatingMatrix,
  config: ModelConfig,
  options: {
    candidates?: ModelSpec[];
    threads?: number;
    activeModel?: ModelSpec;
    onProgress?: (done: number, total: number) => void;
    catalogue?: ReadonlyMap<string, CatalogueEntry>;
  } = {},
): Promise<ValidationOutcome> {
  const gate = config.promotionGate && options.activeModel && { ...config.promotionGate, active: options.activeModel };
  const hasCatalogue = options.catalogue !== undefined && options.catalogue.size > 0;
  const hybrid = hybridStageOf(config, hasCatalogue);
  return validateModels(matrix, {
    candidates: options.candidates ?? candidateSpecs(config, matrix, config.evaluate, hasCatalogue),
    ...(hasCatalogue ? { catalogue: options.catalogue } : {}),
    ...(hybrid ? { hybrid } : {}),
    widen: EASE_LAMBDA_WIDENING,
    users: config.evaluation.users,
    seed: config.evaluation.seed,
    threads: options.threads,
    ...(gate ? { gate } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** A pseudonymised config's key; never a build with raw ids when the key is missing. */
function pseudonymizationOf(config: ModelConfig, key: Uint8Array | undefined): { key: Uint8Array } | undefined {
  if (!config.pseudonymizeUsers) return undefined;
  if (key === undefined)
    throw new UserInputError(
      'the config sets pseudonymizeUsers, but no id hashing key was given: nothing is built with raw user ids',
      'pseudonymizeUsers',
      'Give the deployment key (ID_HASH_KEY, or ID_HASH_KEY_SECRET_ARN in the cloud; the CLI: --id-hash-key-file), or set pseudonymizeUsers to false.',
    );
  pseudonymOf(key, ''); // a short key fails here, before the parse, rather than after it
  return { key };
}

function hasValidationUsers(matrix: { byUser: { rows: number; indptr: Uint32Array } }): boolean {
  const { rows, indptr } = matrix.byUser;
  for (let u = 0; u < rows; u++) if (indptr[u + 1] - indptr[u] >= 2) return true;
  return false;
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}
