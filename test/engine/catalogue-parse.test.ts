// The catalogue parser (functions/engine/catalogue/parse.ts, entry.ts, columns.ts): every expectation is written
// by hand from the few lines of each fixture.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  catalogueCoverage,
  MAX_VALUES,
  parseCatalogue,
  STORED_TEXT_CHARS,
  type ParseCatalogueOptions,
} from '../../functions/engine/catalogue/index.js';
import { IdDictionary } from '../../functions/engine/data/index.js';
import { IngestLimitError } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { streamOf } from './ingest-helpers.js';

const parse = (content: string | Buffer, options: Partial<ParseCatalogueOptions> = {}, chunk?: number) =>
  parseCatalogue(streamOf(content, chunk), { fileName: 'items.csv', maxRejectedShare: 1, ...options });

describe('parseCatalogue: CSV', () => {
  it('reads every field, multi-valued ones split on |, quoted text over several lines, dates as ISO', async () => {
    const csv = [
      'Item ID,Name,Genres,tags,description,lang,published_at,availableFrom,availableUntil,series,duration',
      'e1,"Pilot, part 1"," drama | comedy |drama|",news,"Line one',
      'line ""two""",en,2024-05-01,1714521600,1714521600000,s1,3600',
    ].join('\n');
    const { entries, report } = await parse(csv, { attributes: ['duration'] }, 7);
    expect([...entries.values()]).toEqual([
      {
        item: 'e1',
        title: 'Pilot, part 1',
        categories: ['drama', 'comedy'],
        tags: ['news'],
        text: 'Line one\nline "two"',
        language: 'en',
        publishedAt: '2024-05-01T00:00:00.000Z',
        // 1714521600 s and 1714521600000 ms are the same instant: 2024-05-01T00:00:00Z.
        availableFrom: '2024-05-01T00:00:00.000Z',
        availableUntil: '2024-05-01T00:00:00.000Z',
        series: 's1',
        attributes: { duration: '3600' },
      },
    ]);
    expect(report).toMatchObject({ format: 'csv', rowsRead: 1, accepted: 1, items: 1, unknownColumns: [] });
    expect(report.columns).toMatchObject({ item: 'Item ID', title: 'Name', categories: 'Genres', text: 'description' });
  });

  it('rejects bad rows by reason with their physical line numbers and goes on', async () => {
    const many = Array.from({ length: MAX_VALUES + 1 }, (_, k) => `g${k}`).join('|');
    const csv = [
      'item,title,categories,availableFrom,availableUntil,language', // line 1
      'ok1,Fine,,,,', // 2
      ',No id,,,,', // 3
      `many,Many,${many},,,`, // 4
      'late,Late,,2024-02-01,2024-01-01,', // 5
      '',
      `long,${'x'.repeat(1001)},,,,`, // 7
      'lang,Lang,,,,english language', // 8
      'ok2,"Also ""fine""",,,,', // 9
      'bad,"open"x,,,,', // 10
      'ok1,Replaced,,,,', // 11
    ].join('\n');
    const { entries, report } = await parse(csv);
    expect([...entries.keys()]).toEqual(['ok2', 'ok1']);
    expect(entries.get('ok1')?.title).toBe('Replaced');
    expect(entries.get('ok2')?.title).toBe('Also "fine"');
    expect(report.rowsRead).toBe(9); // lines 2-11 but the blank line 6
    expect(report.accepted).toBe(3);
    expect(report.blankLines).toBe(1);
    expect(report.duplicates).toEqual({ count: 1, lines: [11] });
    const lines = Object.fromEntries(Object.entries(report.rejected).map(([reason, r]) => [reason, r?.lines]));
    expect(lines).toEqual({
      'empty-id': [3],
      'too-many-values': [4],
      'bad-date': [5],
      'too-long': [7],
      'bad-value': [8],
      'bad-quoting': [10],
    });
    expect(report.rejected['too-many-values']?.example).toBe(
      `line 4: categories has ${MAX_VALUES + 1} values; the limit is ${MAX_VALUES}`,
    );
  });

  it('lists unknown columns with how many rows had a value there', async () => {
    const { report } = await parse('item,title,colour,size\na,A,red,\nb,B,blue,\nc,C,,\n');
    expect(report.unknownColumns).toEqual([
      { name: 'colour', records: 2 },
      { name: 'size', records: 0 },
    ]);
    expect(report.warnings.join('\n')).toContain("'colour', 'size'");
  });

  it('cuts a long text to the stored length at a character boundary and says so', async () => {
    // A surrogate pair straddling the cut is left out whole.
    const text = `${'a'.repeat(STORED_TEXT_CHARS - 1)}😀tail`;
    const { entries, report } = await parse(`item,text\nt1,${text}\n`);
    const entry = entries.get('t1');
    expect(entry?.text).toBe('a'.repeat(STORED_TEXT_CHARS - 1));
    expect(entry?.textLength).toBe(text.length);
    expect(report.textsCut).toBe(1);
  });

  it('reads gzip with a byte-order mark, and TSV', async () => {
    const csv = '\uFEFFitem,title\ng1,Zipped\n';
    const zipped = await parseCatalogue(streamOf(gzipSync(Buffer.from(csv))), { fileName: 'items.csv.gz' });
    expect([...zipped.entries.values()]).toEqual([{ item: 'g1', title: 'Zipped' }]);
    expect(zipped.report.compressed).toBe(true);
    const tsv = await parse('item\ttitle\tgenre\nt1\tA, with comma\tx|y\n', { fileName: 'items.tsv' });
    expect([...tsv.entries.values()]).toEqual([{ item: 't1', title: 'A, with comma', categories: ['x', 'y'] }]);
  });

  it('fails on a configured column the header lacks, a header without an item column, or an empty file', async () => {
    await expect(parse('item,title\na,A\n', { columns: { title: 'headline' } })).rejects.toThrow(
      "unknown column 'headline' for catalogue.columns.title: the header of items.csv has 'item', 'title'",
    );
    await expect(parse('sku,title\na,A\n')).rejects.toThrow('items.csv has no item column');
    await expect(parse('sku,title\na,A\n', { columns: { item: 'sku' } })).resolves.toMatchObject({
      report: { items: 1 },
    });
    await expect(parse('')).rejects.toThrow(UserInputError);
  });

  it('fails past maxRejectedShare, naming reasons and lines; exactly at it is allowed', async () => {
    const rows = ['item,publishedAt', 'a,2024-01-01', 'b,never', 'c,2024-01-02', 'd,2024-01-03'].join('\n');
    await expect(parse(rows, { maxRejectedShare: 0.25 })).resolves.toMatchObject({ report: { accepted: 3 } });
    await expect(parse(rows, { maxRejectedShare: 0.2 })).rejects.toThrow(
      /1 of 4 catalogue rows were rejected \(25\.0%\).*bad-date: 1 \(e\.g\. line 3:/,
    );
  });

  it('stops at once at an ingest limit', async () => {
    const rows = ['item', 'a', 'b', 'c', 'd'].join('\n');
    await expect(parse(rows, { limits: { maxRows: 3 } })).rejects.toThrow(IngestLimitError);
    await expect(parse(rows, { limits: { maxItems: 2 } })).rejects.toThrow(/maxItems/);
  });
});

describe('parseCatalogue: JSON Lines', () => {
  it('reads arrays and typed attributes, counts unknown keys and rejects bad lines', async () => {
    const lines = [
      '{"item":"j1","title":"One","categories":["a","b"],"tags":"solo","year":1999,"live":true,"extra":1}',
      '{"item":2,"title":"Two","categories":[]}',
      'not json',
      '{"item":"j3","title":{"en":"Three"}}',
      '{"title":"no id"}',
      '["j4"]',
    ].join('\n');
    const { entries, report } = await parse(lines, { fileName: 'items.jsonl', attributes: ['year', 'live'] });
    expect([...entries.values()]).toEqual([
      {
        item: 'j1',
        title: 'One',
        categories: ['a', 'b'],
        tags: ['solo'],
        attributes: { year: 1999, live: true },
      },
      { item: '2', title: 'Two' },
    ]);
    const lineNumbers = Object.fromEntries(Object.entries(report.rejected).map(([reason, r]) => [reason, r?.lines]));
    expect(lineNumbers).toEqual({ 'bad-json': [3, 6], 'bad-value': [4], 'missing-field': [5] });
    expect(report.unknownColumns).toEqual([{ name: 'extra', records: 1 }]);
    expect(report.rowsRead).toBe(6);
  });

  it('rejects a line longer than the line limit and reads the next', async () => {
    const long = `{"item":"big","text":"${'x'.repeat((1 << 20) + 10)}"}`;
    const { entries, report } = await parse(`${long}\n{"item":"small"}\n`, { fileName: 'items.jsonl' });
    expect([...entries.keys()]).toEqual(['small']);
    expect(report.rejected['line-too-long']?.lines).toEqual([1]);
    expect(report.rowsRead).toBe(2);
  });
});

describe('catalogueCoverage', () => {
  it('counts catalogue items without interactions and interacted items missing, with sorted examples', () => {
    const entries = new Map(['z', 'b', 'a', 'k'].map((item) => [item, { item }]));
    const interacted = IdDictionary.from(['k', 'q', 'b', 'p']);
    expect(catalogueCoverage(entries, interacted)).toEqual({
      itemsWithoutInteractions: { count: 2, examples: ['a', 'z'] },
      interactedItemsMissing: { count: 2, examples: ['p', 'q'] },
    });
  });
});
