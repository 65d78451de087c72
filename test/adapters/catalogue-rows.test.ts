// Catalogue rows of DynamoModelStore on dynalite: the largest entry the engine's bounds allow fits one row, entries
// are read back for many items at once (one BatchGetItem round), and they go with their version.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_ATTRIBUTE_CHARS,
  MAX_ATTRIBUTE_NAME_CHARS,
  MAX_ATTRIBUTES,
  MAX_ENTRY_JSON_BYTES,
  MAX_LANGUAGE_CHARS,
  MAX_TITLE_CHARS,
  MAX_VALUE_BYTES,
  MAX_VALUES,
  STORED_TEXT_CHARS,
  type CatalogueEntry,
} from '../../functions/engine/catalogue/index.js';
import { ROW_DATA_BUDGET_BYTES, encodeCatalogueEntry } from '../../functions/adapters/dynamo/rows.js';
import { createStoreTable, store } from './dynamo-store-helpers.js';

beforeAll(createStoreTable);

/** Every field at its bound, every character one JSON escapes to 6 bytes (\u0001): the worst row there can be. */
function worstEntry(): CatalogueEntry {
  const control = (n: number) => '\u0001'.repeat(n);
  const values = (prefix: string) =>
    Array.from({ length: MAX_VALUES }, (_, k) => `${prefix}${k}`.padEnd(MAX_VALUE_BYTES, '\u0001'));
  return {
    item: control(256),
    title: control(MAX_TITLE_CHARS),
    categories: values('c'),
    tags: values('t'),
    text: control(STORED_TEXT_CHARS),
    textLength: 1e9,
    language: 'x'.repeat(MAX_LANGUAGE_CHARS),
    publishedAt: '2024-05-01T00:00:00.000Z',
    availableFrom: '+275760-09-13T00:00:00.000Z',
    availableUntil: '+275760-09-13T00:00:00.000Z',
    series: control(MAX_VALUE_BYTES),
    attributes: Object.fromEntries(
      Array.from({ length: MAX_ATTRIBUTES }, (_, k) => [
        `${k}`.padEnd(MAX_ATTRIBUTE_NAME_CHARS, '\u0001'),
        control(MAX_ATTRIBUTE_CHARS),
      ]),
    ),
  };
}

describe('catalogue rows', () => {
  it('fit DynamoDB’s item limit at the engine’s bounds, with room to spare', () => {
    const data = encodeCatalogueEntry(worstEntry());
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_ENTRY_JSON_BYTES);
    expect(MAX_ENTRY_JSON_BYTES).toBeLessThan(ROW_DATA_BUDGET_BYTES);
    // Past the budget the encoder refuses: it never stores a cut entry.
    expect(() => encodeCatalogueEntry({ item: 'x', text: '\u0001'.repeat(70_000) })).toThrow(/over 400000 bytes/);
  });

  it('are written per version and read back by item, absent items left out', async () => {
    const writer = store.createVersionWriter('cat', 'v1');
    const entries: CatalogueEntry[] = Array.from({ length: 150 }, (_, k) => ({ item: `i${k}`, title: `T${k}` }));
    entries.push(worstEntry());
    for (const entry of entries) await writer.putCatalogueEntry(entry);
    expect((await writer.flush()).rowsWritten).toBe(151);

    // 150 items: more than one BatchGetItem request (100 keys), still one round.
    const ids = [...entries.map((entry) => entry.item), 'unknown'];
    const read = await store.getCatalogueEntries('cat', 'v1', ids);
    expect(read.size).toBe(151);
    expect(read.get('i42')).toEqual({ item: 'i42', title: 'T42' });
    expect(read.get(worstEntry().item)).toEqual(worstEntry());
    expect(read.has('unknown')).toBe(false);
    // Another version's rows are not these.
    expect((await store.getCatalogueEntries('cat', 'v2', ['i1'])).size).toBe(0);

    // Deleting the version deletes its catalogue rows too (the registry row goes as well).
    const { rowsDeleted } = await store.deleteVersion('cat', 'v1');
    expect(rowsDeleted).toBeGreaterThanOrEqual(151);
    expect((await store.getCatalogueEntries('cat', 'v1', ['i1'])).size).toBe(0);
  });
});
