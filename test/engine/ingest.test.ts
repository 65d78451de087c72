// Ingest: formats, header and column detection, encodings and containers (gzip, BOM and CRLF, chunk boundaries).
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRatings } from '../../functions/engine/ingest/index.js';
import { streamOf, entries, load } from './ingest-helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-ingest-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeFixture(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

describe('formats', () => {
  it('reads MovieLens ratings.csv style with a header', async () => {
    const path = writeFixture(
      'ratings.csv',
      'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,31,4,1260759200\n',
    );
    const { matrix, report } = await loadRatings(path);
    expect(entries(matrix)).toEqual(['1|1029|3 @1260759179', '1|31|2.5 @1260759144', '2|31|4 @1260759200']);
    expect(report).toMatchObject({
      file: path,
      format: 'csv',
      header: true,
      implicit: false,
      hasTimestamps: true,
      rowsRead: 3,
      accepted: 3,
      compressed: false,
    });
  });

  it('reads MovieLens u.data style (tab, no header) by its .data extension', async () => {
    const path = writeFixture('u.data', '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n');
    const { matrix, report } = await loadRatings(path);
    expect(entries(matrix)).toEqual(['186|302|3 @891717742', '196|242|3 @881250949', '22|377|1 @878887116']);
    expect(report).toMatchObject({ format: 'tsv', header: false });
  });

  it("reads MovieLens ratings.dat style ('::')", async () => {
    const { matrix, report } = await load('1::1193::5::978300760\n1::661::3::978302109\n', { fileName: 'ratings.dat' });
    expect(entries(matrix)).toEqual(['1|1193|5 @978300760', '1|661|3 @978302109']);
    expect(report.format).toBe('dat');
  });

  it('reads JSON Lines with string or number ids, numeric-string ratings and ISO timestamps', async () => {
    const text = [
      '{"user": 7, "item": "m-1", "rating": 4, "timestamp": "2024-05-01T12:00:00Z"}',
      '{"user": "u8", "item": 12, "rating": "3.5", "timestamp": 1714564800}',
      '{"user": "u8", "item": "m-1", "rating": 1, "timestamp": "2024-05-01"}',
    ].join('\n');
    const { matrix, report } = await load(text, { fileName: 'events.ndjson' });
    // 2024-05-01T12:00:00Z = 1714564800 s; 2024-05-01T00:00:00Z = 1714521600 s.
    expect(entries(matrix)).toEqual(['7|m-1|4 @1714564800', 'u8|12|3.5 @1714564800', 'u8|m-1|1 @1714521600']);
    expect(report.format).toBe('jsonl');
  });

  it('reads JSON Lines with configured field names and arrays by position', async () => {
    const named = await load('{"who":"a","what":"x","stars":2}\n{"who":"b","what":"x","stars":5}\n', {
      format: 'jsonl',
      columns: { user: 'who', item: 'what', rating: 'stars' },
    });
    expect(entries(named.matrix)).toEqual(['a|x|2', 'b|x|5']);
    const arrays = await load('["a","x",2]\n["b","y",3]\n', { format: 'jsonl' });
    expect(entries(arrays.matrix)).toEqual(['a|x|2', 'b|y|3']);
  });

  it('sniffs the format of a stream without a name', async () => {
    expect((await load('1::2::3\n')).report.format).toBe('dat');
    expect((await load('1\t2\t3\n')).report.format).toBe('tsv');
    expect((await load('{"user":1,"item":2}\n')).report.format).toBe('jsonl');
    const semicolons = await load('1;2;3\n4;5;1.5\n');
    expect(semicolons.report.format).toBe('csv');
    expect(entries(semicolons.matrix)).toEqual(['1|2|3', '4|5|1.5']);
  });

  it('ignores quoted text when sniffing, but reads a literal quote in TSV', async () => {
    const quotedHeader = await load('"userId";"movie, the title";"rating"\n"1";"a, b";"4"\n');
    expect(quotedHeader.report).toMatchObject({ format: 'csv', header: true });
    expect(entries(quotedHeader.matrix)).toEqual(['1|a, b|4']);
    const tsv = await load('12" vinyl\titem\t3\n');
    expect(tsv.report.format).toBe('tsv');
    expect(entries(tsv.matrix)).toEqual(['12" vinyl|item|3']);
  });

  it('decides the layout from a first record that spans lines', async () => {
    const { matrix, report } = await load('"multi\nline",x,3\nb,y,4\n', { format: 'csv' });
    expect(entries(matrix)).toEqual(['b|y|4', 'multi\nline|x|3']);
    expect(report).toMatchObject({ header: false, rowsRead: 2 });
  });

  it('follows the first line when the extension is wrong, with a warning', async () => {
    const { report } = await load('1\t2\t3\n', { fileName: 'ratings.csv' });
    expect(report.format).toBe('tsv');
    expect(report.warnings.join()).toMatch(/name says csv/);
  });

  it('uses an explicit delimiter', async () => {
    const { matrix } = await load('a|b|4\n', { delimiter: '|' });
    expect(entries(matrix)).toEqual(['a|b|4']);
  });
});

describe('header and columns', () => {
  it('detects a header by non-numeric rating/timestamp fields, and its absence', async () => {
    expect((await load('user,item,rating\nu,i,1\n')).report.header).toBe(true);
    expect((await load('u,i,1\nv,i,2\n')).report.header).toBe(false);
    // Two columns: only recognised names make a header.
    expect((await load('customer_id,product_id\nc1,p1\n')).report.header).toBe(true);
    expect((await load('alice,book\nbob,book\n')).report.header).toBe(false);
  });

  it('respects header: true / false', async () => {
    const forced = await load('1,2,3\n4,5,6\n', { header: true });
    expect(forced.report).toMatchObject({ header: true, rowsRead: 1 });
    const none = await load('1,2,3\n4,5,6\n', { header: false });
    expect(none.report).toMatchObject({ header: false, rowsRead: 2 });
  });

  it('maps named columns in any order', async () => {
    const { matrix } = await load('ts,item_code,who,stars\n99,x,alice,4\n', {
      columns: { user: 'who', item: 'item_code', rating: 'stars', timestamp: 'ts' },
    });
    expect(entries(matrix)).toEqual(['alice|x|4 @99']);
  });

  it('recognises common header names without options', async () => {
    const { matrix } = await load('score,product_id,customer_id\n5,p1,c1\n');
    expect(entries(matrix)).toEqual(['c1|p1|5']);
  });

  it('maps positional columns', async () => {
    const { matrix } = await load('i1,4,u1\ni2,2,u1\n', { columns: { user: 2, item: 0, rating: 1 } });
    expect(entries(matrix)).toEqual(['u1|i1|4', 'u1|i2|2']);
  });

  it('ignores extra columns', async () => {
    const { matrix } = await load('1,2,3,100,extra,more\n');
    expect(entries(matrix)).toEqual(['1|2|3 @100']);
  });
});

describe('encodings and containers', () => {
  const csv = 'userId,movieId,rating,timestamp\n1,10,4,100\n2,10,3,200\n';
  const expected = ['1|10|4 @100', '2|10|3 @200'];

  it('inflates gzip by extension (file) and by magic bytes (nameless stream)', async () => {
    const path = writeFixture('ratings.csv.gz', gzipSync(csv));
    const fromFile = await loadRatings(path);
    expect(entries(fromFile.matrix)).toEqual(expected);
    expect(fromFile.report).toMatchObject({ compressed: true, format: 'csv' });
    const fromStream = await loadRatings(streamOf(gzipSync(csv), 7));
    expect(entries(fromStream.matrix)).toEqual(expected);
    expect(fromStream.report.compressed).toBe(true);
  });

  it('reads a .gz name holding plain text, with a warning', async () => {
    const { matrix, report } = await load(csv, { fileName: 'ratings.csv.gz' });
    expect(entries(matrix)).toEqual(expected);
    expect(report.warnings.join()).toMatch(/not gzip/);
  });

  it('strips a UTF-8 BOM and handles CRLF, even split across 1-byte chunks', async () => {
    const text = '\uFEFF' + csv.replace(/\n/g, '\r\n');
    for (const size of [1, 2, 3, 1 << 16]) {
      const { matrix, report } = await load(text, {}, size);
      expect(entries(matrix)).toEqual(expected);
      expect(report.header).toBe(true);
    }
  });

  it('keeps multi-byte UTF-8 ids intact across chunk boundaries', async () => {
    const text = 'usér🎬,電影,5\nusér🎬,film,4\n';
    const { matrix } = await load(text, {}, 1);
    expect(entries(matrix)).toEqual(['usér🎬|film|4', 'usér🎬|電影|5']);
  });

  it('reads a last line without a line break, and string chunks', async () => {
    const { matrix } = await loadRatings(Readable.from(['a,b,', '1\nc,d,2']), {});
    expect(entries(matrix)).toEqual(['a|b|1', 'c|d|2']);
  });

  it('reports progress in bytes read', async () => {
    const path = writeFixture('progress.csv', csv);
    const seen: number[] = [];
    await loadRatings(path, { onProgress: (bytes) => seen.push(bytes) });
    expect(seen.at(-1)).toBe(statSync(path).size);
  });
});
