/**
 * How each row kind is computed, and the one build loop over a model's row kinds. `InMemoryModel.build`, the file
 * pipeline (`engine/pipeline.ts`) and the evaluations all build through `computeModelBlocks`.
 *
 * The served model (a ModelSpec, engine/models/spec.ts) decides what the item rows hold: EASE weights (signed) for
 * `ease`, else item-item similarities; user rows always hold user-user similarities.
 *
 * Safety properties (tests in test/engine/model-build.test.ts):
 * - EASE item rows carry the kernel's signed weights unchanged, in the kernel's |weight| order;
 * - a spec's row kinds default to what it serves from (rowKindsOf); an explicit list that lacks them is refused.
 */
import { computeApproximateEase, computeEase, type SignedNeighbourBlock } from '../ease/index.js';
import { resolveModelKinds, resolveSimilarityOptions } from '../model-config.js';
import { describeSpec, rowKindsOf, servedKind, type EaseSpec, type ModelSpec } from '../models/spec.js';
import { computeNeighbours, type NeighbourRun } from '../similarity/index.js';
import { UserInputError, type ModelKind, type NeighbourBlock, type RatingMatrix } from '../types.js';

export interface ModelKindRows {
  /** The entities the kind's rows belong to, i.e. the id dictionary that indexes them. */
  rows: 'items' | 'users';
  /** What its rows hold, for messages. */
  holds: string;
}

export const MODEL_KIND_ROWS: { readonly [kind in ModelKind]: ModelKindRows } = {
  item: { rows: 'items', holds: 'item rows (item-item neighbours or EASE weights)' },
  user: { rows: 'users', holds: 'user-user neighbours' },
};

/** The computed rows of a model, by kind; a kind that was not built has none. */
export type ModelBlocks = Partial<Record<ModelKind, NeighbourBlock>>;

export interface BuildModelOptions {
  /**
   * The served model. Default: item-knn with `similarity` (or user-knn when `models` lacks item rows), the model
   * before EASE existed.
   */
  spec?: ModelSpec;
  /** The row kinds to build, each at most once. Default: what the spec serves from (rowKindsOf). */
  models?: readonly ModelKind[];
  /** kNN options of item-knn / user-knn rows the spec does not describe itself. */
  similarity?: Parameters<typeof resolveSimilarityOptions>[0];
  threads?: number;
  /** `phase` is the rows' phase ('items', 'users', 'ease'); done/total count rows (EASE reports none). */
  onProgress?(phase: string, done: number, total: number): void;
}

export interface ComputedBlocks {
  blocks: ModelBlocks;
  /** The model the rows serve. */
  spec: ModelSpec;
  /** Seconds per phase, in build order. */
  seconds: Record<string, number>;
}

/** Computes the rows of each row kind, in the order given. Options are validated before any work. */
export async function computeModelBlocks(
  matrix: RatingMatrix,
  options: BuildModelOptions = {},
): Promise<ComputedBlocks> {
  const similarity = resolveSimilarityOptions(options.similarity);
  const explicit = options.models === undefined ? undefined : resolveModelKinds(options.models);
  const spec: ModelSpec = options.spec ?? {
    model: explicit === undefined || explicit.includes('item') ? 'item-knn' : 'user-knn',
    similarity,
  };
  const models = explicit ?? rowKindsOf(spec);
  if (!models.includes(servedKind(spec))) {
    throw new UserInputError(
      `model ${describeSpec(spec)} is served from ${servedKind(spec)} rows, which models (${models.join(', ')}) leaves out`,
      'models',
      `Add "${servedKind(spec)}" to models.`,
    );
  }
  const knn = spec.model === 'ease' ? similarity : spec.similarity;
  const blocks: ModelBlocks = {};
  const seconds: Record<string, number> = {};
  for (const kind of models) {
    const started = performance.now();
    const phase = kind === 'item' && spec.model === 'ease' ? 'ease' : kind === 'item' ? 'items' : 'users';
    const run: NeighbourRun = {
      threads: options.threads,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(phase, done, total)),
    };
    blocks[kind] =
      phase === 'ease'
        ? await computeEaseRows(matrix, spec as EaseSpec, options.threads)
        : await computeNeighbours(matrix, kind === 'item' ? 'items' : 'users', knn, run);
    seconds[phase] = Math.round(performance.now() - started) / 1000;
  }
  return { blocks, spec, seconds };
}

async function computeEaseRows(matrix: RatingMatrix, spec: EaseSpec, threads?: number): Promise<NeighbourBlock> {
  const options = { lambda: spec.lambda, k: spec.k };
  const signed =
    spec.method === 'exact'
      ? await computeEase(matrix, options, { threads })
      : await computeApproximateEase(matrix, options, { threads });
  return signedRows(signed);
}

/** EASE's signed rows as neighbour rows: the weight is the similarity (sign kept); no co-rater support. */
export function signedRows(block: SignedNeighbourBlock): NeighbourBlock {
  return {
    start: block.start,
    end: block.end,
    k: block.k,
    count: block.count,
    neighbour: block.neighbour,
    similarity: block.weight,
    support: new Uint32Array(block.neighbour.length),
  };
}
