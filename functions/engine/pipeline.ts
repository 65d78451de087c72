/**
 * File -> matrix -> neighbours -> in-memory model, with per-phase timings. The CLI, the benchmark and the build
 * Lambda all build models through here, so they agree on options, defaults and validation.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { loadRatings } from './ingest/index.js';
import type { IngestOptions, QualityReport } from './ingest/index.js';
import { InMemoryModel } from './recommend/index.js';
import { computeNeighbours, MAX_K, prestartWorkers, SIMILARITY_MEASURES } from './similarity/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, UserInputError, type NeighbourBlock, type SimilarityOptions } from './types.js';

/**
 * Per-dataset build options: the shape of `uploads/<dataset>/config.json` and of the CLI's build flags.
 * Unknown keys are rejected so that a typo ("neighbors") fails loudly instead of being ignored.
 */
export const modelConfigSchema = z
  .object({
    measure: z
      .enum(SIMILARITY_MEASURES as unknown as [string, ...string[]])
      .default(DEFAULT_SIMILARITY_OPTIONS.measure),
    k: z.number().int().min(1).max(MAX_K).default(DEFAULT_SIMILARITY_OPTIONS.k),
    shrinkage: z.number().min(0).max(1e6).default(DEFAULT_SIMILARITY_OPTIONS.shrinkage),
    minSupport: z.number().int().min(1).max(1e6).default(DEFAULT_SIMILARITY_OPTIONS.minSupport),
    implicit: z.boolean().default(false),
    /** Which neighbour rows to build: item-based (default), user-based, or both. */
    mode: z.enum(['item', 'user', 'both']).default('item'),
    /** Model versions kept for rollback, the active one included. */
    versionsKept: z.number().int().min(1).max(20).default(3),
    /** Parsing options for the uploaded files of this dataset. */
    input: z
      .object({
        format: z.enum(['auto', 'csv', 'tsv', 'dat', 'jsonl']).optional(),
        header: z.union([z.boolean(), z.literal('auto')]).optional(),
        delimiter: z.string().min(1).max(4).optional(),
        columns: z
          .object({
            user: z.union([z.string(), z.number().int().min(0)]).optional(),
            item: z.union([z.string(), z.number().int().min(0)]).optional(),
            rating: z.union([z.string(), z.number().int().min(0), z.null()]).optional(),
            timestamp: z.union([z.string(), z.number().int().min(0), z.null()]).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type ModelConfig = z.output<typeof modelConfigSchema>;

/** Validates a config object; every problem is named with its path and the allowed values. */
export function parseModelConfig(input: unknown, where = 'config'): ModelConfig {
  const result = modelConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UserInputError(
    `invalid model configuration: ${problems.join('; ')}`,
    where,
    'Fix the listed fields; allowed keys are measure, k, shrinkage, minSupport, implicit, mode, versionsKept, input.',
  );
}

export function similarityOptionsOf(config: ModelConfig): SimilarityOptions {
  return {
    measure: config.measure as SimilarityOptions['measure'],
    k: config.k,
    shrinkage: config.shrinkage,
    minSupport: config.minSupport,
    implicit: config.implicit,
  };
}

/** Inputs this large (about 1M ratings) take long enough that starting workers early pays off. */
const PRESTART_WORKERS_BYTES = 20e6;

export interface BuildModelOptions {
  config?: ModelConfig;
  /** File name for format detection and messages (when the source is a stream). */
  fileName?: string;
  threads?: number;
  onProgress?: (phase: 'parse' | 'items' | 'users', done: number, total: number) => void;
  /** Total bytes of the source, for parse progress. */
  totalBytes?: number;
}

export interface BuiltModel {
  model: InMemoryModel;
  report: QualityReport;
  config: ModelConfig;
  /** Seconds per phase: parse (file -> matrix), items, users (neighbour rows), total. */
  timings: Record<string, number>;
}

/** Reads ratings from a path or stream and computes the neighbour rows the config asks for. */
export async function buildModel(source: string | Readable, options: BuildModelOptions = {}): Promise<BuiltModel> {
  const config = options.config ?? parseModelConfig({});
  const started = performance.now();
  // A large input: let the similarity workers start up on the core the (single-threaded) parse leaves idle.
  const bytes =
    options.totalBytes ??
    (typeof source === 'string'
      ? await stat(source).then(
          (s) => s.size,
          () => 0,
        )
      : 0);
  if (bytes >= PRESTART_WORKERS_BYTES) prestartWorkers(options.threads);
  const ingestOptions: IngestOptions = {
    ...config.input,
    implicit: config.implicit || undefined,
    fileName: options.fileName,
    expectedBytes: options.totalBytes,
    onProgress: options.onProgress && ((bytes) => options.onProgress?.('parse', bytes, options.totalBytes ?? 0)),
  };
  const { matrix, report } = await loadRatings(source, ingestOptions);
  const timings: Record<string, number> = { parse: seconds(started) };

  // Neighbour blocks are computed here (not in InMemoryModel.build) so that each phase is timed on its own.
  const similarity = similarityOptionsOf(config);
  const blocks: { items?: NeighbourBlock; users?: NeighbourBlock } = {};
  for (const target of targetsOf(config)) {
    const phaseStart = performance.now();
    blocks[target] = await computeNeighbours(matrix, target, similarity, {
      threads: options.threads,
      onProgress: (done, total) => options.onProgress?.(target, done, total),
    });
    timings[target] = seconds(phaseStart);
  }
  const model = InMemoryModel.fromNeighbours(matrix, blocks);
  timings.total = seconds(started);
  return { model, report, config, timings };
}

function targetsOf(config: ModelConfig): ('items' | 'users')[] {
  if (config.mode === 'item') return ['items'];
  if (config.mode === 'user') return ['users'];
  return ['items', 'users'];
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}
