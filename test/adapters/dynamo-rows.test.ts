import { describe, expect, it } from 'vitest';
import {
  HISTORY_CAP,
  MAX_ITEM_BYTES,
  ROW_DATA_BUDGET_BYTES,
  decodeHistory,
  decodeNeighbours,
  decodePopularity,
  decodeTrending,
  encodeHistory,
  encodeNeighbours,
  encodePopularityPages,
  encodeTrendingPages,
} from '../../functions/adapters/dynamo/rows.js';
import type { Neighbour } from '../../functions/engine/types.js';

const SIMILARITY = 0.123456789012345; // 17 characters in JSON
const SUPPORT = 12345; // 5 characters

function neighbours(count: number, idOf: (i: number) => string): Neighbour[] {
  return Array.from({ length: count }, (_, i) => ({ id: idOf(i), similarity: SIMILARITY, support: SUPPORT }));
}

describe('row encoding and the 400 KB limit', () => {
  it('stores k = 500 neighbours with 256-byte ids whole, far below 400 KB (measured)', () => {
    const row = neighbours(500, (i) => String(i).padStart(256, 'x'));
    const { data, kept } = encodeNeighbours(row);
    // Each tuple is ["<256>",<17>,<5>] = 2 brackets + 2 quotes + 256 + 1 + 17 + 1 + 5 = 284 bytes, plus 499 commas and 2 brackets.
    expect(Buffer.byteLength(data)).toBe(500 * 284 + 499 + 2);
    expect(Buffer.byteLength(data)).toBeLessThan(MAX_ITEM_BYTES / 2);
    expect(kept).toBe(500);
    expect(decodeNeighbours(data)).toEqual(row);
  });

  it('stores an EASE row at the largest K (500) with 256-byte ids and the longest signed weights whole', () => {
    // EASE rows: signed weights in |weight| order, support 0. The longest double in JSON is 24 characters with its
    // sign, e.g. -1.2345678901234567e-100; the tuple is ["<256>",<24>,0] = 2 + 2 + 256 + 1 + 24 + 1 + 1 = 287 bytes.
    const weight = -1.2345678901234567e-100;
    expect(JSON.stringify(weight)).toHaveLength(24);
    const row: Neighbour[] = Array.from({ length: 500 }, (_, i) => ({
      id: String(i).padStart(256, 'e'),
      similarity: i % 2 ? weight : -weight,
      support: 0,
    }));
    const { data, kept } = encodeNeighbours(row);
    expect(Buffer.byteLength(data)).toBe(250 * 287 + 250 * 286 + 499 + 2);
    expect(Buffer.byteLength(data)).toBeLessThan(ROW_DATA_BUDGET_BYTES);
    expect(kept).toBe(500);
    expect(decodeNeighbours(data)).toEqual(row);
  });

  it('trims rows whose ids JSON must escape, keeping the most similar neighbours that fit', () => {
    // Control characters escape to 6 bytes each: 253 of them + 3 digits = 1,521 bytes per id.
    const row = neighbours(500, (i) => '\u0001'.repeat(253) + String(i).padStart(3, '0'));
    const tupleBytes = 2 + 2 + 253 * 6 + 3 + 1 + 17 + 1 + 5; // 1,549
    // n tuples take 2 + n * tupleBytes + (n - 1) bytes.
    const expectedKept = Math.floor((ROW_DATA_BUDGET_BYTES - 1) / (tupleBytes + 1));
    const { data, kept } = encodeNeighbours(row);
    expect(kept).toBe(expectedKept);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(ROW_DATA_BUDGET_BYTES);
    expect(decodeNeighbours(data)).toEqual(row.slice(0, expectedKept));
  });

  it('round-trips the shared terms of content neighbours, and stores none for CF neighbours', () => {
    const row: Neighbour[] = [
      { id: 'a', similarity: 0.5, support: 3, terms: ['jazz', 'live', '爵士'] },
      { id: 'b', similarity: 0.25, support: 0 },
    ];
    const { data, kept } = encodeNeighbours(row);
    expect(kept).toBe(2);
    // Hand-written: the fourth tuple element only where there are terms.
    expect(data).toBe('[["a",0.5,3,["jazz","live","爵士"]],["b",0.25,0]]');
    expect(decodeNeighbours(data)).toEqual(row);
    expect(decodeNeighbours(encodeNeighbours([{ id: 'c', similarity: 1, support: 1, terms: [] }]).data)).toEqual([
      { id: 'c', similarity: 1, support: 1 },
    ]);
  });

  it('caps a 50,000-entry history to the most recent HISTORY_CAP entries', () => {
    const history = Array.from({ length: 50_000 }, (_, i) => ({ item: `item-${i}`, value: (i % 5) + 0.5 }));
    const { data, kept } = encodeHistory(history);
    expect(HISTORY_CAP).toBe(1000);
    expect(kept).toBe(1000);
    expect(decodeHistory(data)).toEqual(history.slice(0, 1000));
  });

  it('keeps HISTORY_CAP entries with 256-byte item ids below the budget', () => {
    const history = Array.from({ length: 5000 }, (_, i) => ({ item: String(i).padStart(256, 'y'), value: 4.5 }));
    const { data, kept } = encodeHistory(history);
    expect(kept).toBe(HISTORY_CAP);
    // ["<256>",4.5] = 2 + 2 + 256 + 1 + 3 = 264 bytes per entry.
    expect(Buffer.byteLength(data)).toBe(1000 * 264 + 999 + 2);
  });

  it('trims a history by bytes after the count cap', () => {
    const history = Array.from({ length: 1000 }, (_, i) => ({
      item: '"'.repeat(250) + String(i).padStart(6, '0'),
      value: 1,
    }));
    // '"' escapes to 2 bytes: ["<500 + 6>",1] = 2 + 2 + 506 + 1 + 1 = 512 bytes per entry; n entries take 2 + 512n + (n - 1).
    const { kept } = encodeHistory(history, HISTORY_CAP, 100_000);
    expect(kept).toBe(Math.floor((100_000 - 1) / 513));
  });

  it('pages popularity so that every page fits, keeping the order', () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({
      item: String(i).padStart(256, 'p'),
      count: 5000 - i,
      meanValue: 3.25,
    }));
    const pages = encodePopularityPages(items, 100_000);
    // ["<256>",<4 digits>,3.25] = 2 + 2 + 256 + 1 + 4 + 1 + 4 = 270 bytes; 2 + 270n + (n - 1) <= 100,000 gives n = 369.
    expect(pages.length).toBe(Math.ceil(3000 / 369));
    expect(decodePopularity(pages[0])).toHaveLength(369);
    for (const page of pages) expect(Buffer.byteLength(page)).toBeLessThanOrEqual(100_000);
    expect(pages.flatMap(decodePopularity)).toEqual(items);
  });

  it('pages trending like popularity: every page fits, the order kept', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      item: String(i).padStart(256, 't'),
      score: 0.5,
      count: 9,
    }));
    const pages = encodeTrendingPages(items, 50_000);
    // ["<256>",0.5,9] = 2 + 2 + 256 + 1 + 3 + 1 + 1 = 266 bytes; 2 + 266n + (n - 1) <= 50,000 gives n = 187.
    expect(decodeTrending(pages[0])).toHaveLength(187);
    expect(pages.length).toBe(Math.ceil(1000 / 187));
    for (const page of pages) expect(Buffer.byteLength(page)).toBeLessThanOrEqual(50_000);
    expect(pages.flatMap(decodeTrending)).toEqual(items);
  });
});
