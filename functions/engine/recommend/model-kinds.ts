/**
 * How each row kind is computed, and the one build loop over a model's row kinds. `InMemoryModel.build`, the file
 * pipeline (`engine/pipeline.ts`) and the evaluations all build through `computeModelBlocks`.
 *
 * The served model (a ModelSpec, engine/models/spec.ts) decides what the item rows hold: EASE weights (signed) for
 * `ease`, content cosines for `content`, the blend of hybrid-rows.ts for `hybrid`, else item-item similarities;
 * user rows always hold user-user similarities. Content and hybrid item rows are indexed by the row dictionary of
 * content/rows.ts (the matrix's items, then cold catalogue items), returned as `content`.
 *
 * Safety properties (tests in test/engine/model-build.test.ts, test/engine/content-model.test.ts):
 * - EASE item rows carry the kernel's signed weights unchanged, in the kernel's |weight| order;
 * - a spec's row kinds default to what it serves from (rowKindsOf); an explicit list that lacks them is refused;
 * - content item rows are contentNeighbourBlock over the row dictionary's vectors (computeContentNeighbours: on
 *   worker threads, the same rows for any thread count); a content or hybrid spec without catalogue entries is
 *   refused (UserInputError naming `model`).
 */
import type { CatalogueEntry } from '../catalogue/types.js';
import { computeContentNeighbours, contentRows, type ContentOptions, type ContentRows } from '../content/index.js';
import { computeApproximateEase, computeEase, type SignedNeighbourBlock } from '../ease/index.js';
import { resolveModelKinds, resolveSimilarityOptions } from '../model-config.js';
import { requireCatalogue } from '../models/candidates.js';
import {
  describeSpec,
  hybridContentWeightOf,
  rowKindsOf,
  sameSpec,
  servedKind,
  type EaseSpec,
  type ModelSpec,
} from '../models/spec.js';
import { computeNeighbours, type NeighbourRun } from '../similarity/index.js';
import { UserInputError, type ModelKind, type NeighbourBlock, type RatingMatrix } from '../types.js';
import { blendHybridRows } from './hybrid-rows.js';

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
  /**
   * `phase` is the rows' phase ('items', 'users', 'ease', 'content', 'hybrid'); done/total count rows (EASE
   * reports none). A hybrid's content rows report as 'content', its item-knn rows as 'hybrid'.
   */
  onProgress?(phase: string, done: number, total: number): void;
  /** The dataset's catalogue entries by item (the build's parsed catalogue): needed by content and hybrid. */
  catalogue?: ReadonlyMap<string, CatalogueEntry>;
  /** Work shared by several builds on the same matrix and catalogue (the validation's candidates). */
  cache?: ModelBuildCache;
}

/**
 * What builds on one matrix and catalogue may share: the content rows and their neighbours per content options
 * (the validation's content candidate and each hybrid's β need the same), and the item rows of one CF spec (the
 * validation keeps its best CF candidate's, which its hybrids blend).
 */
export interface ModelBuildCache {
  content: Map<string, ContentRows>;
  /** By the key of `content`; read only (a hybrid's blend writes a block of its own). */
  contentBlocks: Map<string, NeighbourBlock>;
  cf?: { spec: ModelSpec; block: NeighbourBlock };
}

export function newModelBuildCache(): ModelBuildCache {
  return { content: new Map(), contentBlocks: new Map() };
}

/** The content side of a content or hybrid model's item rows. */
export interface ItemContent extends ContentRows {
  /** Hybrid rows: 1 where a slot's content part is > 0 (absent: content rows, every slot has one). */
  contentSlots?: Uint8Array;
}

export interface ComputedBlocks {
  blocks: ModelBlocks;
  /** The model the rows serve. */
  spec: ModelSpec;
  /** Seconds per phase, in build order. */
  seconds: Record<string, number>;
  /** Content and hybrid models: the item rows' dictionary and vectors. */
  content?: ItemContent;
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
  const knn = spec.model === 'item-knn' || spec.model === 'user-knn' ? spec.similarity : similarity;
  const blocks: ModelBlocks = {};
  const seconds: Record<string, number> = {};
  let content: ItemContent | undefined;
  for (const kind of models) {
    const started = performance.now();
    const phase =
      kind === 'user' ? 'users' : spec.model === 'item-knn' || spec.model === 'user-knn' ? 'items' : spec.model;
    const run: NeighbourRun = {
      threads: options.threads,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(phase, done, total)),
    };
    if (kind === 'user') blocks.user = await computeNeighbours(matrix, 'users', knn, run);
    else if (spec.model === 'content' || spec.model === 'hybrid') {
      const catalogue = options.catalogue;
      requireCatalogue(spec.model, catalogue !== undefined && catalogue.size > 0);
      const rows = contentRowsCached(matrix, catalogue!, spec.content, options.cache);
      const contentBlock = await contentBlockCached(rows, spec.content, options);
      if (spec.model === 'content') {
        blocks.item = contentBlock;
        content = rows;
      } else {
        const cached = options.cache?.cf;
        const cf =
          cached && sameSpec(cached.spec, spec.cf) ? cached.block : await computeCfItemRows(matrix, spec.cf, run);
        const { indptr } = matrix.byItem;
        const interactions = (row: number): number => (row < matrix.items.size ? indptr[row + 1] - indptr[row] : 0);
        const hybrid = blendHybridRows(cf, contentBlock, interactions, spec.evidence, hybridContentWeightOf(spec));
        blocks.item = hybrid.block;
        content = { ...rows, contentSlots: hybrid.contentSlots };
      }
    } else blocks.item = await computeCfItemRows(matrix, spec, run);
    seconds[phase] = Math.round(performance.now() - started) / 1000;
  }
  return { blocks, spec, seconds, ...(content ? { content } : {}) };
}

/** The item rows of a CF spec: EASE weights, or item-item kNN. */
async function computeCfItemRows(matrix: RatingMatrix, spec: ModelSpec, run: NeighbourRun): Promise<NeighbourBlock> {
  if (spec.model === 'ease') return computeEaseRows(matrix, spec, run.threads);
  if (spec.model === 'item-knn' || spec.model === 'user-knn')
    return computeNeighbours(matrix, 'items', spec.similarity, run);
  throw new RangeError(`${spec.model} item rows are not CF rows`);
}

function contentRowsCached(
  matrix: RatingMatrix,
  catalogue: ReadonlyMap<string, CatalogueEntry>,
  options: ContentOptions,
  cache: ModelBuildCache | undefined,
): ContentRows {
  // Options come out of one zod schema, so equal options stringify alike.
  const key = JSON.stringify(options);
  const hit = cache?.content.get(key);
  if (hit) return hit;
  const rows = contentRows(matrix.items, catalogue, options);
  cache?.content.set(key, rows);
  return rows;
}

/** The content rows' neighbours (phase 'content'), computed once per cache and content options. */
async function contentBlockCached(
  rows: ContentRows,
  content: ContentOptions,
  options: BuildModelOptions,
): Promise<NeighbourBlock> {
  const key = JSON.stringify(content);
  const hit = options.cache?.contentBlocks.get(key);
  if (hit) return hit;
  const block = await computeContentNeighbours(rows.vectors, content.k, {
    threads: options.threads,
    onProgress: options.onProgress && ((done, total) => options.onProgress?.('content', done, total)),
  });
  options.cache?.contentBlocks.set(key, block);
  return block;
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
