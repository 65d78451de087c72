/**
 * Writes the rows of one new model version, buffered into BatchWriteItem chunks (./batch.ts).
 *
 * - Invisible until activated: every row goes under partitions that carry the version in their key, and no
 *   reader looks there before the manifest names the version (see manifests.ts).
 * - Clean-up after crashes: the version's registry row is written before its first model row, so rows of a build
 *   that died half-way can always be found and pruned.
 * - Nothing dropped silently: `flush` throws when retries are exhausted; rows cut to fit DynamoDB's 400 KB item
 *   limit (histories past the cap, heavily escaped neighbour rows) are counted in the flush result.
 */
import type { CatalogueEntry } from '../../engine/catalogue/index.js';
import type { HistoryEntry, Neighbour, PopularItem } from '../../engine/types.js';
import type { VersionWriter } from '../store-contract.js';
import type { BatchWriter, WriteRequest } from './batch.js';
import type { Item } from './documents.js';
import type { TrendingItem } from '../../engine/filters/index.js';
import { entityRowKeyForWrite, popularityPageKey, trendingPageKey } from './keys.js';
import {
  encodeCatalogueEntry,
  encodeHistory,
  encodeNeighbours,
  encodePopularityPages,
  encodeTrendingPages,
} from './rows.js';

export interface FlushResult {
  rowsWritten: number;
  /** Users whose history was cut to the cap (count or bytes); their oldest entries were not stored. */
  historiesCapped: number;
  /** History entries not stored because of the cap. */
  historyEntriesDropped: number;
  /** Neighbour rows cut to fit 400 KB (only ids that JSON must escape heavily can cause it). */
  neighbourRowsTrimmed: number;
}

export interface DynamoVersionWriter extends VersionWriter {
  flush(): Promise<FlushResult>;
}

export interface VersionRowWriterDeps {
  batch: BatchWriter;
  /** User history entries kept per user. */
  historyCap: number;
  /** Writes the version's registry row; called once, before the first model row. */
  register: () => Promise<void>;
}

export class VersionRowWriter implements DynamoVersionWriter {
  private registered: Promise<void> | undefined;
  private popularityPages = 0;
  private trendingPages = 0;
  private historiesCapped = 0;
  private historyEntriesDropped = 0;
  private neighbourRowsTrimmed = 0;

  constructor(
    readonly dataset: string,
    readonly version: string,
    private readonly deps: VersionRowWriterDeps,
  ) {}

  async putItemNeighbours(itemId: string, neighbours: readonly Neighbour[]): Promise<void> {
    await this.putNeighbours('i', itemId, neighbours);
  }

  async putUserNeighbours(userId: string, neighbours: readonly Neighbour[]): Promise<void> {
    await this.putNeighbours('u', userId, neighbours);
  }

  async putUserHistory(userId: string, history: readonly HistoryEntry[]): Promise<void> {
    const key = entityRowKeyForWrite(this.dataset, this.version, 'h', userId);
    const { data, kept } = encodeHistory(history, this.deps.historyCap);
    if (kept < history.length) {
      this.historiesCapped++;
      this.historyEntriesDropped += history.length - kept;
    }
    await this.put({ ...key, d: data, n: history.length });
  }

  /** May be called more than once: pages are appended in call order. */
  async putPopularity(items: readonly PopularItem[]): Promise<void> {
    for (const data of encodePopularityPages(items)) {
      await this.put({ ...popularityPageKey(this.dataset, this.version, this.popularityPages++), d: data });
    }
  }

  /** May be called more than once: pages are appended in call order. */
  async putTrending(items: readonly TrendingItem[]): Promise<void> {
    for (const data of encodeTrendingPages(items)) {
      await this.put({ ...trendingPageKey(this.dataset, this.version, this.trendingPages++), d: data });
    }
  }

  async putCatalogueEntry(entry: CatalogueEntry): Promise<void> {
    const key = entityRowKeyForWrite(this.dataset, this.version, 'c', entry.item);
    await this.put({ ...key, d: encodeCatalogueEntry(entry) });
  }

  async flush(): Promise<FlushResult> {
    await this.ensureRegistered();
    const rowsWritten = await this.deps.batch.flush();
    return {
      rowsWritten,
      historiesCapped: this.historiesCapped,
      historyEntriesDropped: this.historyEntriesDropped,
      neighbourRowsTrimmed: this.neighbourRowsTrimmed,
    };
  }

  private async putNeighbours(kind: 'i' | 'u', id: string, neighbours: readonly Neighbour[]): Promise<void> {
    const key = entityRowKeyForWrite(this.dataset, this.version, kind, id);
    const { data, kept } = encodeNeighbours(neighbours);
    if (kept < neighbours.length) this.neighbourRowsTrimmed++;
    await this.put({ ...key, d: data });
  }

  private async put(item: Item): Promise<void> {
    await this.ensureRegistered();
    await this.deps.batch.add({ PutRequest: { Item: item } } satisfies WriteRequest);
  }

  /** The registry row goes first, so a crashed build's rows can always be found and pruned. */
  private ensureRegistered(): Promise<void> {
    this.registered ??= this.deps.register();
    return this.registered;
  }
}
