/**
 * How each model kind's rows are computed, in one table, and the one build loop over the configured kinds.
 * `InMemoryModel.build`, the file pipeline (`engine/pipeline.ts`) and the evaluation all build through
 * `computeModelBlocks`; a new kind (e.g. `ease`, `content`) is one more entry in MODEL_KIND_ROWS.
 */
import { resolveModelKinds, resolveSimilarityOptions } from '../model-config.js';
import { computeNeighbours, type NeighbourRun } from '../similarity/index.js';
import type { ModelKind, NeighbourBlock, RatingMatrix, SimilarityOptions } from '../types.js';

export interface ModelKindRows {
  /** The entities the kind's rows belong to, i.e. the id dictionary that indexes them. */
  rows: 'items' | 'users';
  /** The progress phase and timing key of its computation. */
  phase: string;
  /** What its rows hold, for messages. */
  holds: string;
  compute(matrix: RatingMatrix, similarity: SimilarityOptions, run: NeighbourRun): Promise<NeighbourBlock>;
}

export const MODEL_KIND_ROWS: { readonly [kind in ModelKind]: ModelKindRows } = {
  item: {
    rows: 'items',
    phase: 'items',
    holds: 'item-item neighbours',
    compute: (matrix, similarity, run) => computeNeighbours(matrix, 'items', similarity, run),
  },
  user: {
    rows: 'users',
    phase: 'users',
    holds: 'user-user neighbours',
    compute: (matrix, similarity, run) => computeNeighbours(matrix, 'users', similarity, run),
  },
};

/** The computed rows of a model, by kind; a kind that was not built has none. */
export type ModelBlocks = Partial<Record<ModelKind, NeighbourBlock>>;

export interface BuildModelOptions {
  /** The kinds to build, each at most once. Default ['item']. */
  models?: readonly ModelKind[];
  similarity?: Partial<SimilarityOptions>;
  threads?: number;
  /** `phase` is the kind's phase ('items', 'users'); done/total count rows. */
  onProgress?(phase: string, done: number, total: number): void;
}

export interface ComputedBlocks {
  blocks: ModelBlocks;
  /** Seconds per phase, in build order. */
  seconds: Record<string, number>;
}

/** Computes the rows of each configured kind, in the order given. Options are validated before any work. */
export async function computeModelBlocks(
  matrix: RatingMatrix,
  options: BuildModelOptions = {},
): Promise<ComputedBlocks> {
  const models = resolveModelKinds(options.models);
  const similarity = resolveSimilarityOptions(options.similarity);
  const blocks: ModelBlocks = {};
  const seconds: Record<string, number> = {};
  for (const kind of models) {
    const { phase, compute } = MODEL_KIND_ROWS[kind];
    const started = performance.now();
    blocks[kind] = await compute(matrix, similarity, {
      threads: options.threads,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(phase, done, total)),
    });
    seconds[phase] = Math.round(performance.now() - started) / 1000;
  }
  return { blocks, seconds };
}
