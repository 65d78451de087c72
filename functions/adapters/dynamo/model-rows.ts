/**
 * Reads of one version's model rows (neighbours, histories, popularity, trending), each request's rows in one BatchGetItem
 * round. Callers name the version: they took it from a manifest, so the rows they read are of one complete
 * version and never a half-written or mixed model (see manifests.ts).
 *
 * The row cache (./row-cache.ts) may serve rows from memory without invalidation, because a version's rows never
 * change while any manifest names it; rows found absent are cached as absent. An empty popularity list is never
 * cached: it may be a version pruned under a reader holding a stale manifest.
 */
import type { CatalogueEntry } from '../../engine/catalogue/index.js';
import type { HistoryEntry, Neighbour, PopularItem } from '../../engine/types.js';
import type { UserRows } from '../store-contract.js';
import { batchGet } from './batch.js';
import { queryAll, type StoreTable } from './documents.js';
import type { TrendingItem } from '../../engine/filters/index.js';
import {
  POPULARITY_SK_PREFIX,
  TRENDING_SK_PREFIX,
  entityRowKey,
  popularityPartition,
  type EntityRowKind,
  type TableKey,
} from './keys.js';
import { RowCache } from './row-cache.js';
import { decodeCatalogueEntry, decodeHistory, decodeNeighbours, decodePopularity, decodeTrending } from './rows.js';

export interface ModelRowSettings {
  /** Strongly consistent reads of model rows (twice the read cost). */
  consistentReads: boolean;
  /** Memory budget (bytes) of the row cache; 0 disables it. */
  rowCacheBytes: number;
}

function cacheKey(key: TableKey): string {
  return `${key.pk}\n${key.sk}`;
}

export class ModelRows {
  /** Exposed for metrics and tests (hits/misses). */
  readonly rowCache: RowCache;

  constructor(
    private readonly table: StoreTable,
    private readonly settings: ModelRowSettings,
  ) {
    this.rowCache = new RowCache(settings.rowCacheBytes);
  }

  getItemNeighbours(dataset: string, version: string, itemIds: readonly string[]): Promise<Map<string, Neighbour[]>> {
    return this.getRows(dataset, version, 'i', itemIds, decodeNeighbours);
  }

  getUserNeighbourRows(
    dataset: string,
    version: string,
    userIds: readonly string[],
  ): Promise<Map<string, Neighbour[]>> {
    return this.getRows(dataset, version, 'u', userIds, decodeNeighbours);
  }

  getUserHistories(dataset: string, version: string, userIds: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
    return this.getRows(dataset, version, 'h', userIds, decodeHistory);
  }

  getCatalogueEntries(
    dataset: string,
    version: string,
    itemIds: readonly string[],
  ): Promise<Map<string, CatalogueEntry>> {
    return this.getRows(dataset, version, 'c', itemIds, decodeCatalogueEntry);
  }

  async getUserRows(dataset: string, version: string, userId: string): Promise<UserRows> {
    const historyKey = entityRowKey(dataset, version, 'h', userId);
    const neighboursKey = entityRowKey(dataset, version, 'u', userId);
    if (!historyKey || !neighboursKey) return {};
    const rows = await this.readRows([historyKey, neighboursKey]);
    const result: UserRows = {};
    const history = rows.get(cacheKey(historyKey));
    const neighbours = rows.get(cacheKey(neighboursKey));
    if (history !== undefined) result.history = this.decoded(historyKey, history, decodeHistory);
    if (neighbours !== undefined) result.neighbours = this.decoded(neighboursKey, neighbours, decodeNeighbours);
    return result;
  }

  getPopularity(dataset: string, version: string): Promise<PopularItem[]> {
    return this.getRanking('popularity', dataset, version, POPULARITY_SK_PREFIX, decodePopularity);
  }

  /** Like popularity: one Query of the version's `t#` pages; an empty list (no timestamps, or pruned) not cached. */
  getTrending(dataset: string, version: string): Promise<TrendingItem[]> {
    return this.getRanking('trending', dataset, version, TRENDING_SK_PREFIX, decodeTrending);
  }

  private async getRanking<T>(
    name: string,
    dataset: string,
    version: string,
    prefix: string,
    decode: (data: string) => T[],
  ): Promise<T[]> {
    const partition = popularityPartition(dataset, version);
    const key = `${name}\n${partition}`;
    const cached = this.rowCache.enabled ? this.rowCache.get<T[]>(key) : undefined;
    if (cached) return cached;
    const pages = await queryAll(this.table.doc, {
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      ConsistentRead: this.settings.consistentReads,
    });
    const ranking = pages.flatMap((page) => decode(page.d as string));
    // Only a non-empty list is cached: an empty one may be a version whose rows were pruned under a stale reader.
    if (ranking.length > 0)
      this.rowCache.set(
        key,
        ranking,
        pages.reduce((n, page) => n + (page.d as string).length, 0),
      );
    return ranking;
  }

  private async getRows<T>(
    dataset: string,
    version: string,
    kind: EntityRowKind,
    ids: readonly string[],
    decode: (data: string) => T,
  ): Promise<Map<string, T>> {
    const keyById = new Map<string, TableKey>();
    for (const id of new Set(ids)) {
      const key = entityRowKey(dataset, version, kind, id);
      if (key) keyById.set(id, key); // a key too long to exist names no row
    }
    const rows = await this.readRows([...keyById.values()]);
    const result = new Map<string, T>();
    for (const [id, key] of keyById) {
      const data = rows.get(cacheKey(key));
      if (data !== undefined) result.set(id, this.decoded(key, data, decode));
    }
    return result;
  }

  /**
   * Row data by cache key for the given keys: from the row cache where possible, the rest in one BatchGetItem
   * round. Absent rows are left out (and remembered as absent).
   */
  private async readRows(keys: readonly TableKey[]): Promise<Map<string, string | { decoded: unknown }>> {
    const found = new Map<string, string | { decoded: unknown }>();
    const missing: TableKey[] = [];
    for (const key of keys) {
      const cached = this.rowCache.enabled ? this.rowCache.get<unknown>(cacheKey(key)) : undefined;
      if (cached === undefined) missing.push(key);
      else if (cached !== null) found.set(cacheKey(key), { decoded: cached });
    }
    if (missing.length === 0) return found;
    const rows = await batchGet(this.table.doc, this.table.tableName, missing, {
      retry: this.table.retry,
      consistentRead: this.settings.consistentReads,
    });
    for (const row of rows) found.set(cacheKey({ pk: row.pk as string, sk: row.sk as string }), row.d as string);
    if (this.rowCache.enabled) {
      for (const key of missing) if (!found.has(cacheKey(key))) this.rowCache.set(cacheKey(key), null, 0);
    }
    return found;
  }

  /** Decodes freshly read row data (and caches the result), or returns the cached decoded value. */
  private decoded<T>(key: TableKey, data: string | { decoded: unknown }, decode: (data: string) => T): T {
    if (typeof data !== 'string') return data.decoded as T;
    const value = decode(data);
    this.rowCache.set(cacheKey(key), value, data.length);
    return value;
  }
}
