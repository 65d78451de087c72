import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestToLog, loadRatings, type IngestOptions } from '../../functions/engine/ingest/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-ingest-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeFixture(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

/** A stream delivering `content` in chunks of `size` bytes (1 = every byte apart, to stress line splitting). */
function streamOf(content: string | Buffer, size = 1 << 16): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

/** Every (user, item, value[, timestamp]) of a matrix, sorted, for comparison with hand-written expectations. */
function entries(matrix: RatingMatrix): string[] {
  const out: string[] = [];
  const { indptr, indices, values } = matrix.byUser;
  for (let u = 0; u < matrix.byUser.rows; u++) {
    for (let k = indptr[u]; k < indptr[u + 1]; k++) {
      const time = matrix.timestamps && !Number.isNaN(matrix.timestamps[k]) ? ` @${matrix.timestamps[k]}` : '';
      out.push(`${matrix.users.idAt(u)}|${matrix.items.idAt(indices[k])}|${values[k]}${time}`);
    }
  }
  return out.sort();
}

async function load(content: string | Buffer, options: IngestOptions = {}, chunkSize?: number) {
  return loadRatings(streamOf(content, chunkSize), options);
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

describe('numeric ids', () => {
  it('keeps "7", "07" and "7.0" apart', async () => {
    const { matrix } = await load('7,a,1\n07,a,2\n7.0,a,3\n7,b,4\n');
    expect(entries(matrix)).toEqual(['07|a|2', '7.0|a|3', '7|a|1', '7|b|4']);
  });

  it('maps an id to one user whether first seen as a sparse or a dense number', async () => {
    // 100000 is first seen when few ids exist (kept aside), later the dense table grows past it.
    const rows = [
      '100000,a,1',
      ...Array.from({ length: 30_000 }, (_, k) => `${k},a,1`),
      '100001,a,1',
      '100000,b,2',
      '5000000000,a,1',
      '5000000000,b,1',
    ];
    const { matrix } = await load(rows.join('\n'));
    expect(matrix.users.size).toBe(30_003);
    const row = (id: string) => {
      const u = matrix.users.indexOf(id) as number;
      return matrix.byUser.indptr[u + 1] - matrix.byUser.indptr[u];
    };
    expect(row('100000')).toBe(2);
    expect(row('5000000000')).toBe(2);
    expect(row('29999')).toBe(1);
  });
});

describe('implicit feedback', () => {
  it('treats a two-column file as implicit', async () => {
    const { matrix, report } = await load('u1,i1\nu1,i2\nu2,i1\n');
    expect(entries(matrix)).toEqual(['u1|i1|1', 'u1|i2|1', 'u2|i1|1']);
    expect(report.implicit).toBe(true);
    expect(report.warnings.join()).toMatch(/implicit/);
  });

  it('ignores the rating column with implicit: true or columns.rating null', async () => {
    for (const options of [{ implicit: true }, { columns: { rating: null } }]) {
      const { matrix, report } = await load('u1,i1,banana,5\nu2,i1,,6\n', options);
      expect(entries(matrix)).toEqual(['u1|i1|1 @5', 'u2|i1|1 @6']);
      expect(report.implicit).toBe(true);
    }
  });

  it('makes JSON Lines implicit when the first record has no rating', async () => {
    const { matrix, report } = await load('{"user":"a","item":"b"}\n{"user":"a","item":"c","rating":5}\n', {
      format: 'jsonl',
    });
    expect(entries(matrix)).toEqual(['a|b|1', 'a|c|1']);
    expect(report.implicit).toBe(true);
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

describe('CSV quoting (RFC 4180)', () => {
  it('reads embedded delimiters, doubled quotes and line breaks in quoted fields', async () => {
    const text = [
      'user,item,rating',
      '"Smith, J","The ""Best"" Film",4',
      '"multi',
      'line user",plain,3',
      'u2,"tab\tinside",2',
      'u3,x,oops',
    ].join('\r\n');
    const { matrix, report } = await load(text);
    expect(entries(matrix)).toEqual(['Smith, J|The "Best" Film|4', 'multi\nline user|plain|3', 'u2|tab\tinside|2']);
    // The quoted record spans lines 3-4, so the bad row is physical line 6.
    expect(report.rejected['bad-rating']?.lines).toEqual([6]);
  });

  it('reads files where every field is quoted (R write.csv, QUOTE_ALL)', async () => {
    const text =
      '"userId","movieId","rating","timestamp"\n"1","a b","4.5","100"\n"2"," x ","3",""\n"","a b","1","1"\n"3","a,b","2","7"\n';
    const { matrix, report } = await load(text);
    expect(entries(matrix)).toEqual(['1|a b|4.5 @100', '2| x |3', '3|a,b|2 @7']);
    expect(report.rejected['empty-id']?.lines).toEqual([4]);
  });

  it('keeps spaces inside quotes but trims them around unquoted fields', async () => {
    const { matrix } = await load('" a ", b ,3\n');
    expect(entries(matrix)).toEqual([' a |b|3']);
  });

  it('treats a quote inside an unquoted field as a literal character', async () => {
    const { matrix } = await load('12" vinyl,item,3\n');
    expect(entries(matrix)).toEqual(['12" vinyl|item|3']);
  });

  it('reads quotes literally in TSV', async () => {
    const { matrix } = await load('"a"\t"b"\t3\n', { format: 'tsv' });
    expect(entries(matrix)).toEqual(['"a"|"b"|3']);
  });
});

describe('duplicates', () => {
  it('keeps the latest timestamp, wherever it is in the file', async () => {
    const { matrix, report } = await load('u,i,1,300\nu,i,2,100\nu,i,3,200\n');
    expect(entries(matrix)).toEqual(['u|i|1 @300']);
    expect(report).toMatchObject({ accepted: 3, duplicatesDropped: 2, ratings: 1 });
  });

  it('keeps the last occurrence without timestamps or on a tie', async () => {
    expect(entries((await load('u\ti\t3\nu\ti\t4\n')).matrix)).toEqual(['u|i|4']);
    expect(entries((await load('u,i,3,5\nu,i,4,5\n')).matrix)).toEqual(['u|i|4 @5']);
  });
});

describe('quality report', () => {
  // Lines: 1 header; 2-5 valid (5 is an older duplicate of 4); 6 bad rating; 7 blank; 8 valid; 9 empty user id.
  const tiny =
    'userId,movieId,rating,timestamp\n1,10,4,100\n1,20,3.5,100\n2,10,5,200\n2,10,2,150\n3,30,abc,100\n\n3,10,1,300\n,10,1,1\n';

  it('matches hand-computed figures', async () => {
    const { matrix, report } = await load(tiny, { fileName: 'tiny.csv' });
    expect(entries(matrix)).toEqual(['1|10|4 @100', '1|20|3.5 @100', '2|10|5 @200', '3|10|1 @300']);
    expect(report).toMatchObject({
      file: 'tiny.csv',
      format: 'csv',
      header: true,
      implicit: false,
      hasTimestamps: true,
      rowsRead: 7,
      blankLines: 1,
      accepted: 5,
      duplicatesDropped: 1,
      ratings: 4,
      users: 3, // item 30 and its line were rejected, so it is not counted
      items: 2,
    });
    expect(report.density).toBeCloseTo(4 / 6, 12);
    expect(report.rejected).toEqual({
      'bad-rating': { count: 1, lines: [6], example: "line 6: rating 'abc' is not a number" },
      'empty-id': { count: 1, lines: [9], example: 'line 9: user id is empty' },
    });
    expect(report.ratingHistogram).toEqual([
      { value: '1', count: 1 },
      { value: '3.5', count: 1 },
      { value: '4', count: 1 },
      { value: '5', count: 1 },
    ]);
    expect(report.popularItems).toEqual([
      { item: '10', count: 3 },
      { item: '20', count: 1 },
    ]);
    expect(report.warnings.some((w) => w.includes('2 of 7 rows rejected'))).toBe(true);
    expect(report.warnings.some((w) => w.includes('1 duplicate'))).toBe(true);
  });

  it('ingestToLog returns the log in file order with the parse figures', async () => {
    const { log, report } = await ingestToLog(streamOf(tiny));
    expect(log.length).toBe(5);
    const { user, item, value } = log.columns();
    expect([...value]).toEqual([4, 3.5, 5, 2, 1]);
    expect(log.users.idAt(user[3])).toBe('2');
    expect(log.items.idAt(item[4])).toBe('10');
    expect(report).toMatchObject({ rowsRead: 7, accepted: 5 });
    expect('ratings' in report).toBe(false);
  });

  it('bins more than 20 distinct values into 10 equal-width bins', async () => {
    // Values 0, 1, ..., 29 (one each): width 2.9, bin b holds values in [2.9b, 2.9(b+1)), the last bin is closed.
    const lines = Array.from({ length: 30 }, (_, v) => `u${v},i,${v}`).join('\n');
    const { report } = await load(lines);
    const expected = Array.from({ length: 10 }, (_, b) => {
      const count = Array.from({ length: 30 }, (_, v) => v).filter(
        (v) => Math.min(9, Math.floor(v / 2.9)) === b,
      ).length;
      return { value: `${Number((2.9 * b).toPrecision(4))}–${Number((2.9 * (b + 1)).toPrecision(4))}`, count };
    });
    expect(report.ratingHistogram).toEqual(expected);
    expect(report.ratingHistogram[0]).toEqual({ value: '0–2.9', count: 3 });
  });

  it('lists at most 10 popular items, by distinct users then id', async () => {
    // Item "i<k>" is rated by k users (k = 1..12); i12 has a duplicate row that must not count twice.
    const rows: string[] = [];
    for (let k = 1; k <= 12; k++) for (let u = 0; u < k; u++) rows.push(`u${u},i${k},1`);
    rows.push('u0,i12,1', 'u0,a,1', 'u1,a,1', 'u2,b,1', 'u3,b,1');
    const { report } = await load(rows.join('\n'), { implicit: true });
    expect(report.popularItems.map((p) => `${p.item}:${p.count}`)).toEqual([
      'i12:12',
      'i11:11',
      'i10:10',
      'i9:9',
      'i8:8',
      'i7:7',
      'i6:6',
      'i5:5',
      'i4:4',
      'i3:3',
    ]);
    const ties = await load('u1,b,1\nu1,a,1\nu2,c,1\n');
    expect(ties.report.popularItems.map((p) => p.item)).toEqual(['a', 'b', 'c']);
  });

  it('warns when every explicit rating is the same', async () => {
    const { report } = await load('a,x,1\nb,x,1\nc,y,1\n');
    expect(report.warnings.join()).toMatch(/implicit/);
  });
});
