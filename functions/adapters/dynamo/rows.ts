/**
 * Compact row payloads: one JSON string attribute `d` per row (arrays of tuples, no field names), measured in
 * UTF-8 bytes so every row provably fits DynamoDB's 400 KB item limit.
 *
 * Sizes (measured in test/adapters/dynamo-rows.test.ts): a neighbour costs its id's JSON bytes + at most 41
 * bytes (`["…",<sim ≤ 24 chars>,<support ≤ 10>],`). With plain 256-byte ids, k = 500 neighbours is about
 * 150 KB, so neighbour rows are never trimmed for any k the options allow. Only ids that JSON must escape
 * (control characters become 6 bytes each) can push a row past the budget; such rows keep their most similar
 * neighbours that fit and are counted in `neighbourRowsTrimmed`. A content or hybrid neighbour also stores its shared
 * terms (at most 3 display values, e.g. `["jazz","live"]`): a few dozen bytes more with words, and the same trimming
 * rule should long category names ever push a row past the budget. A user history keeps the {@link HISTORY_CAP}
 * most recent entries (about 290 KB with 256-byte ids), then is trimmed by bytes if needed; both are counted in
 * `historiesCapped`.
 */
import type { CatalogueEntry } from '../../engine/catalogue/index.js';
import type { TrendingItem } from '../../engine/filters/index.js';
import type { HistoryEntry, Neighbour, PopularItem } from '../../engine/types.js';

/** DynamoDB's item size limit. */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * Bytes allowed for the `d` attribute: the item limit minus 9,600 bytes for the keys (at most 3,072 bytes by
 * DynamoDB's key limits), attribute names and the small numeric attributes.
 */
export const ROW_DATA_BUDGET_BYTES = 400_000;
/** A user history row keeps at most this many (most recent) entries. */
export const HISTORY_CAP = 1000;

export interface Encoded {
  data: string;
  /** Entries stored (≤ given). */
  kept: number;
}

/** A content or hybrid row's neighbour carries the pair's shared terms (for explanations) as a fourth element. */
type NeighbourTuple = [string, number, number] | [string, number, number, string[]];
type HistoryTuple = [string, number];
type PopularityTuple = [string, number, number];
type TrendingTuple = [string, number, number];

export function encodeNeighbours(neighbours: readonly Neighbour[], budget = ROW_DATA_BUDGET_BYTES): Encoded {
  return encodeWithin(
    neighbours.map((n): NeighbourTuple =>
      n.terms && n.terms.length > 0 ? [n.id, n.similarity, n.support, n.terms] : [n.id, n.similarity, n.support],
    ),
    budget,
  );
}

export function decodeNeighbours(data: string): Neighbour[] {
  return (JSON.parse(data) as NeighbourTuple[]).map(([id, similarity, support, terms]) =>
    terms === undefined ? { id, similarity, support } : { id, similarity, support, terms },
  );
}

/** `history` is most recent first: the oldest entries are the ones dropped. */
export function encodeHistory(
  history: readonly HistoryEntry[],
  cap = HISTORY_CAP,
  budget = ROW_DATA_BUDGET_BYTES,
): Encoded {
  const tuples: HistoryTuple[] = [];
  for (let i = 0; i < Math.min(cap, history.length); i++) tuples.push([history[i].item, history[i].value]);
  return encodeWithin(tuples, budget);
}

export function decodeHistory(data: string): HistoryEntry[] {
  return (JSON.parse(data) as HistoryTuple[]).map(([item, value]) => ({ item, value }));
}

/** Splits the ranking into pages that each fit the budget (order kept). */
export function encodePopularityPages(items: readonly PopularItem[], budget = ROW_DATA_BUDGET_BYTES): string[] {
  return encodePages(
    items.map((item) => JSON.stringify([item.item, item.count, item.meanValue] satisfies PopularityTuple)),
    budget,
  );
}

/** A trending list (best first) as pages that each fit the budget, like popularity's. */
export function encodeTrendingPages(items: readonly TrendingItem[], budget = ROW_DATA_BUDGET_BYTES): string[] {
  return encodePages(
    items.map((item) => JSON.stringify([item.item, item.score, item.count] satisfies TrendingTuple)),
    budget,
  );
}

export function decodeTrending(data: string): TrendingItem[] {
  return (JSON.parse(data) as TrendingTuple[]).map(([item, score, count]) => ({ item, score, count }));
}

/** JSON arrays of the given entries' JSON, each array within the budget (an entry alone is always under it). */
function encodePages(entries: readonly string[], budget: number): string[] {
  const pages: string[] = [];
  let page: string[] = [];
  let pageBytes = 2; // the brackets
  for (const json of entries) {
    const bytes = Buffer.byteLength(json) + (page.length > 0 ? 1 : 0); // the comma
    if (page.length > 0 && pageBytes + bytes > budget) {
      pages.push(`[${page.join(',')}]`);
      page = [];
      pageBytes = 2;
    }
    pageBytes += page.length > 0 ? bytes : Buffer.byteLength(json);
    page.push(json);
  }
  if (page.length > 0) pages.push(`[${page.join(',')}]`);
  return pages;
}

export function decodePopularity(data: string): PopularItem[] {
  return (JSON.parse(data) as PopularityTuple[]).map(([item, count, meanValue]) => ({ item, count, meanValue }));
}

/** JSON of the longest prefix of `entries` whose encoding fits `budget` bytes. */
function encodeWithin(entries: readonly unknown[], budget: number): Encoded {
  const whole = JSON.stringify(entries);
  // Bytes >= UTF-16 length, and a string of n code units has at most 3n UTF-8 bytes: skip counting when it cannot overflow.
  if (whole.length * 3 <= budget || Buffer.byteLength(whole) <= budget) return { data: whole, kept: entries.length };
  const parts: string[] = [];
  let bytes = 2;
  for (const entry of entries) {
    const json = JSON.stringify(entry);
    const entryBytes = Buffer.byteLength(json) + (parts.length > 0 ? 1 : 0);
    if (bytes + entryBytes > budget) break;
    parts.push(json);
    bytes += entryBytes;
  }
  return { data: `[${parts.join(',')}]`, kept: parts.length };
}

/**
 * A catalogue entry as its row's `d`: the entry's JSON (its id included). The engine's bounds keep any entry under
 * MAX_ENTRY_JSON_BYTES (< the budget; test/adapters/catalogue-rows.test.ts); one past the budget would be a bug, and
 * it throws rather than store a cut entry.
 */
export function encodeCatalogueEntry(entry: CatalogueEntry, budget = ROW_DATA_BUDGET_BYTES): string {
  const data = JSON.stringify(entry);
  if (data.length * 3 > budget && Buffer.byteLength(data) > budget) {
    throw new Error(`catalogue entry of item ${JSON.stringify(entry.item.slice(0, 40))} is over ${budget} bytes`);
  }
  return data;
}

export function decodeCatalogueEntry(data: string): CatalogueEntry {
  return JSON.parse(data) as CatalogueEntry;
}
