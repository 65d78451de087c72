import { computeNeighbours, neighbourRow, resolveSimilarityOptions } from '../similarity/index.js';
import {
  UserInputError,
  type HistoryEntry,
  type Neighbour,
  type NeighbourBlock,
  type NeighbourLookup,
  type PopularItem,
  type RatingMatrix,
  type RecommendationResult,
  type RecommendOptions,
  type SimilarityOptions,
} from '../types.js';
import { recommendFromItemNeighbours } from './item-based.js';
import { resolveRecommendOptions } from './options.js';
import { popularityRanking, recommendPopular } from './popularity.js';
import { similarFrom } from './similar.js';
import { recommendFromUserNeighbours } from './user-based.js';

export interface BuildModelOptions {
  similarity?: Partial<SimilarityOptions>;
  /** Compute item-item neighbours (item-based CF, similar items). Default true. */
  itemBased?: boolean;
  /** Compute user-user neighbours (user-based CF, similar users). Default false. */
  userBased?: boolean;
  threads?: number;
  /** `phase` is 'items' or 'users'; done/total count rows. */
  onProgress?(phase: string, done: number, total: number): void;
}

export type ModelRecommendOptions = Partial<RecommendOptions> & { algorithm?: 'item' | 'user' };

type Target = 'items' | 'users';

/**
 * A matrix with its neighbour blocks and popularity, answering the same questions as the API but from memory
 * (CLI, evaluation, tests). Neighbour rows are turned into external-id lists on first use and cached.
 */
export class InMemoryModel {
  readonly popularity: PopularItem[];
  private readonly rowCache: Record<Target, (readonly Neighbour[] | undefined)[]> = { items: [], users: [] };

  private constructor(
    readonly matrix: RatingMatrix,
    private readonly blocks: Partial<Record<Target, NeighbourBlock>>,
  ) {
    this.popularity = popularityRanking(matrix);
  }

  static async build(matrix: RatingMatrix, options: BuildModelOptions = {}): Promise<InMemoryModel> {
    const itemBased = flag('itemBased', options.itemBased, true);
    const userBased = flag('userBased', options.userBased, false);
    const similarity = resolveSimilarityOptions(options.similarity); // fail on bad options before any work
    const blocks: Partial<Record<Target, NeighbourBlock>> = {};
    for (const target of [...(itemBased ? ['items' as const] : []), ...(userBased ? ['users' as const] : [])]) {
      blocks[target] = await computeNeighbours(matrix, target, similarity, {
        threads: options.threads,
        onProgress: options.onProgress && ((done, total) => options.onProgress?.(target, done, total)),
      });
    }
    return new InMemoryModel(matrix, blocks);
  }

  /** A model from neighbour blocks computed elsewhere (each block may cover any row range). */
  static fromNeighbours(
    matrix: RatingMatrix,
    blocks: { items?: NeighbourBlock; users?: NeighbourBlock },
  ): InMemoryModel {
    for (const target of ['items', 'users'] as const) {
      const block = blocks[target];
      const rows = target === 'items' ? matrix.items.size : matrix.users.size;
      if (block && (block.start > block.end || block.end > rows)) {
        throw new RangeError(
          `${target} neighbour block covers rows [${block.start}, ${block.end}) but the matrix has ${rows} ${target}`,
        );
      }
    }
    return new InMemoryModel(matrix, { ...blocks });
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

  readonly itemNeighbours: NeighbourLookup = (itemId) => this.neighbours('items', itemId);
  readonly userNeighbours: NeighbourLookup = (userId) => this.neighbours('users', userId);

  recommendForUser(userId: string, options: ModelRecommendOptions = {}): RecommendationResult {
    const { algorithm = 'item', ...rest } = options;
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
      this.requireBlock('users');
      return recommendFromUserNeighbours(
        history,
        this.userNeighbours(userId),
        this.historyOf,
        this.popularity,
        resolved,
      );
    }
    this.requireBlock('items');
    if (history === undefined) return recommendPopular(this.popularity, resolved, undefined, 'unknown-user');
    return recommendFromItemNeighbours(history, this.itemNeighbours, this.popularity, resolved);
  }

  /** Item-based recommendations for an ad-hoc history (items unknown to the model contribute nothing). */
  recommendForHistory(history: readonly HistoryEntry[], options?: Partial<RecommendOptions>): RecommendationResult {
    this.requireBlock('items');
    return recommendFromItemNeighbours(history, this.itemNeighbours, this.popularity, options);
  }

  /** undefined when the item is unknown; [] when it has no neighbours. */
  similarItems(itemId: string, limit = 10): Neighbour[] | undefined {
    this.requireBlock('items');
    if (this.matrix.items.indexOf(itemId) === undefined) return undefined;
    return similarFrom(this.itemNeighbours(itemId), limit);
  }

  /** undefined when the user is unknown; [] when they have no neighbours. */
  similarUsers(userId: string, limit = 10): Neighbour[] | undefined {
    this.requireBlock('users');
    if (this.matrix.users.indexOf(userId) === undefined) return undefined;
    return similarFrom(this.userNeighbours(userId), limit);
  }

  private neighbours(target: Target, id: string): readonly Neighbour[] | undefined {
    const block = this.blocks[target];
    const ids = target === 'items' ? this.matrix.items : this.matrix.users;
    const row = ids.indexOf(id);
    if (block === undefined || row === undefined || row < block.start || row >= block.end) return undefined;
    const cache = this.rowCache[target];
    return (cache[row] ??= neighbourRow(block, row, ids));
  }

  private requireBlock(target: Target): void {
    if (this.blocks[target] === undefined) {
      const option = target === 'items' ? 'itemBased' : 'userBased';
      throw new UserInputError(
        `this model has no ${target === 'items' ? 'item-item' : 'user-user'} neighbours`,
        option,
        `Build the model with ${option}: true.`,
      );
    }
  }
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new UserInputError(`option ${name} must be true or false`, name, `Set ${name} to true or false.`);
  return value;
}
