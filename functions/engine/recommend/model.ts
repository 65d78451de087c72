import { sharedTerms } from '../content/index.js';
import { neighbourRow } from '../similarity/index.js';
import {
  DEFAULT_SIMILARITY_OPTIONS,
  MODEL_KINDS,
  UserInputError,
  type HistoryEntry,
  type IdDictionaryView,
  type ModelKind,
  type Neighbour,
  type NeighbourBlock,
  type NeighbourLookup,
  type PopularItem,
  type RatingMatrix,
  type RecommendationResult,
  type RecommendOptions,
} from '../types.js';
import { recommendFromItemNeighbours } from './item-based.js';
import {
  computeModelBlocks,
  MODEL_KIND_ROWS,
  type BuildModelOptions,
  type ItemContent,
  type ModelBlocks,
} from './model-kinds.js';
import { servedKind, type ModelSpec } from '../models/spec.js';
import { resolveRecommendOptions } from './options.js';
import { popularityRanking, recommendPopular } from './popularity.js';
import { similarFrom } from './similar.js';
import { recommendFromUserNeighbours } from './user-based.js';

export type ModelRecommendOptions = Partial<RecommendOptions> & { algorithm?: 'item' | 'user' };

/** Shared terms shown per content neighbour ("shares: jazz, live"). */
export const EXPLAINED_TERMS = 3;

/**
 * A matrix with the rows of its model kinds and its popularity, answering the same questions as the API but from
 * memory (CLI, evaluation, tests). Neighbour rows are turned into external-id lists on first use and cached.
 *
 * Content and hybrid models (`content` given) index their item rows by the content row dictionary (the matrix's
 * items, then cold catalogue items): rowIds('item') is that dictionary, so cold items have rows, similar items,
 * and can be recommended; popularity stays the matrix's. Their neighbours carry `terms`, the display values of the
 * pair's top shared terms (at most EXPLAINED_TERMS, repeated values once), where the content part is > 0.
 */
export class InMemoryModel {
  readonly popularity: PopularItem[];
  private readonly rowCache: Record<ModelKind, (readonly Neighbour[] | undefined)[]> = { item: [], user: [] };

  private constructor(
    readonly matrix: RatingMatrix,
    private readonly blocks: ModelBlocks,
    /** The model served: what the item rows hold, and which rows answer `recommendForUser` by default. */
    readonly spec: ModelSpec,
    private readonly content?: ItemContent,
    /** Whether content neighbours carry their shared terms (explanations); the validation, which lists none, not. */
    private readonly withSharedTerms = true,
  ) {
    this.popularity = popularityRanking(matrix);
  }

  /** Computes the rows of `options.models` (default item only); see computeModelBlocks. */
  static async build(matrix: RatingMatrix, options: BuildModelOptions = {}): Promise<InMemoryModel> {
    const { blocks, spec, content } = await computeModelBlocks(matrix, options);
    return new InMemoryModel(matrix, blocks, spec, content);
  }

  /**
   * A model from rows computed elsewhere (each block may cover any row range). `spec` says what they serve;
   * default: kNN rows with the default similarity, item-based when there are item rows. `content`: the item rows'
   * dictionary and vectors of a content or hybrid model (computeModelBlocks' `content`). `terms: false` leaves the
   * shared terms off its neighbours (a model scored without explanations need not compute them).
   */
  static fromNeighbours(
    matrix: RatingMatrix,
    blocks: ModelBlocks,
    spec?: ModelSpec,
    content?: ItemContent,
    { terms = true }: { terms?: boolean } = {},
  ): InMemoryModel {
    for (const kind of MODEL_KINDS) {
      const block = blocks[kind];
      const { rows: target } = MODEL_KIND_ROWS[kind];
      const rows = target === 'users' ? matrix.users.size : (content?.ids ?? matrix.items).size;
      if (block && (block.start > block.end || block.end > rows)) {
        throw new RangeError(
          `${kind} block covers rows [${block.start}, ${block.end}) but the matrix has ${rows} ${target}`,
        );
      }
    }
    const served: ModelSpec = spec ?? {
      model: blocks.item || !blocks.user ? 'item-knn' : 'user-knn',
      similarity: { ...DEFAULT_SIMILARITY_OPTIONS },
    };
    return new InMemoryModel(matrix, { ...blocks }, served, content, terms);
  }

  /** The model kinds this model has rows for. */
  get models(): ModelKind[] {
    return MODEL_KINDS.filter((kind) => this.blocks[kind] !== undefined);
  }

  /** The user's ratings as history entries (matrix order), or undefined for an unknown user. */
  readonly historyOf = (userId: string): HistoryEntry[] | undefined => {
    const user = this.matrix.users.indexOf(userId);
    if (user === undefined) return undefined;
    const { indptr, indices, values } = this.matrix.byUser;
    const history: HistoryEntry[] = [];
    for (let k = indptr[user]; k < indptr[user + 1]; k++)
      history.push({ item: this.matrix.items.idAt(indices[k]), value: values[k] });
    return history;
  };

  readonly itemNeighbours: NeighbourLookup = (itemId) => this.neighboursOf('item', itemId);
  readonly userNeighbours: NeighbourLookup = (userId) => this.neighboursOf('user', userId);

  recommendForUser(userId: string, options: ModelRecommendOptions = {}): RecommendationResult {
    const { algorithm = servedKind(this.spec), ...rest } = options;
    if (algorithm !== 'item' && algorithm !== 'user') {
      throw new UserInputError(
        `algorithm must be "item" or "user", got ${JSON.stringify(algorithm)}`,
        'algorithm',
        'Use "item" or "user".',
      );
    }
    const resolved = resolveRecommendOptions(rest);
    const history = this.historyOf(userId);
    if (algorithm === 'user') {
      this.requireBlock('user');
      return recommendFromUserNeighbours(
        history,
        this.userNeighbours(userId),
        this.historyOf,
        this.popularity,
        resolved,
      );
    }
    this.requireBlock('item');
    if (history === undefined) return recommendPopular(this.popularity, resolved, undefined, 'unknown-user');
    return recommendFromItemNeighbours(history, this.itemNeighbours, this.popularity, resolved);
  }

  /** Item-based recommendations for an ad-hoc history (items unknown to the model contribute nothing). */
  recommendForHistory(history: readonly HistoryEntry[], options?: Partial<RecommendOptions>): RecommendationResult {
    this.requireBlock('item');
    return recommendFromItemNeighbours(history, this.itemNeighbours, this.popularity, options);
  }

  /** undefined when the item is unknown; [] when it has no neighbours. */
  similarItems(itemId: string, limit = 10): Neighbour[] | undefined {
    this.requireBlock('item');
    if (this.rowIds('item').indexOf(itemId) === undefined) return undefined;
    return similarFrom(this.itemNeighbours(itemId), limit);
  }

  /** undefined when the user is unknown; [] when they have no neighbours. */
  similarUsers(userId: string, limit = 10): Neighbour[] | undefined {
    this.requireBlock('user');
    if (this.matrix.users.indexOf(userId) === undefined) return undefined;
    return similarFrom(this.userNeighbours(userId), limit);
  }

  /** The ids that index a kind's rows (items, with cold catalogue items for content and hybrid; or users). */
  rowIds(kind: ModelKind): IdDictionaryView {
    if (MODEL_KIND_ROWS[kind].rows === 'users') return this.matrix.users;
    return this.content?.ids ?? this.matrix.items;
  }

  /** A kind's row of `id`; undefined when the kind was not built, the id is unknown or outside the block. */
  neighboursOf(kind: ModelKind, id: string): readonly Neighbour[] | undefined {
    const block = this.blocks[kind];
    const ids = this.rowIds(kind);
    const row = ids.indexOf(id);
    if (block === undefined || row === undefined || row < block.start || row >= block.end) return undefined;
    const cache = this.rowCache[kind];
    return (cache[row] ??=
      kind === 'item' && this.content && this.withSharedTerms
        ? this.withTerms(block, row, this.content)
        : neighbourRow(block, row, ids));
  }

  /** A content or hybrid row with the shared terms of each pair whose content part is > 0. */
  private withTerms(block: NeighbourBlock, row: number, content: ItemContent): Neighbour[] {
    const neighbours = neighbourRow(block, row, content.ids);
    const base = (row - block.start) * block.k;
    neighbours.forEach((neighbour, slot) => {
      if (content.contentSlots !== undefined && content.contentSlots[base + slot] === 0) return;
      const terms = sharedTermValues(content, row, block.neighbour[base + slot]);
      if (terms.length > 0) neighbour.terms = terms;
    });
    return neighbours;
  }

  private requireBlock(kind: ModelKind): void {
    if (this.blocks[kind] === undefined) {
      throw new UserInputError(
        `this model has no ${MODEL_KIND_ROWS[kind].holds}: model kind "${kind}" was not built`,
        'models',
        `Build the model with "${kind}" among its model kinds, e.g. models: ["item", "user"].`,
      );
    }
  }
}

/** The distinct display values of the pair's top EXPLAINED_TERMS shared terms, largest contribution first. */
function sharedTermValues(content: ItemContent, a: number, b: number): string[] {
  return [...new Set(sharedTerms(content.vectors, a, b, EXPLAINED_TERMS).map((term) => term.value))];
}
