import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ID_BYTES, loadRatings, type IngestOptions } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-ingest-errors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function streamOf(content: string | Buffer): Readable {
  return Readable.from([typeof content === 'string' ? Buffer.from(content, 'utf8') : content]);
}

// These files are mostly bad lines on purpose; the rejection threshold has its own tests (ingest-rejected-share).
async function load(content: string | Buffer, options: IngestOptions = {}) {
  return loadRatings(streamOf(content), { maxRejectedShare: 1, ...options });
}

/** The UserInputError thrown by `run`, failing the test when it resolves or throws something else. */
async function fatal(run: () => Promise<unknown>): Promise<UserInputError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected a UserInputError, but the load succeeded');
}

describe('rejected lines (the parse goes on)', () => {
  it('missing-field', async () => {
    const { report } = await load('u,i,4,1\nu,i2\nu,i3,5,2\n');
    expect(report.rejected['missing-field']).toEqual({
      count: 1,
      lines: [2],
      example: 'line 2: 2 fields, no rating (column 2), timestamp (column 3)',
    });
    expect(report.accepted).toBe(2);
  });

  it('empty-id for user and item, also after trimming', async () => {
    const { report } = await load('u,i,4\n,i,4\nu, ,4\n');
    expect(report.rejected['empty-id']).toEqual({ count: 2, lines: [2, 3], example: 'line 2: user id is empty' });
  });

  it(`id-too-long: over ${MAX_ID_BYTES} UTF-8 bytes (not characters)`, async () => {
    const fits = 'é'.repeat(MAX_ID_BYTES / 2); // 2 bytes each: exactly the limit
    const tooLong = 'é'.repeat(MAX_ID_BYTES / 2) + 'x'; // 257 bytes, only 129 characters
    const { matrix, report } = await load(`${fits},i,4\nu,${tooLong},4\n`);
    expect(matrix.users.indexOf(fits)).toBe(0);
    expect(report.rejected['id-too-long']?.lines).toEqual([2]);
    expect(report.rejected['id-too-long']?.example).toMatch(
      /^line 2: item id 'é+\.\.\.' is 257 UTF-8 bytes; the limit is 256$/,
    );
  });

  it('bad-id: invalid UTF-8, or a JSON id that is not a string or number', async () => {
    const bytes = Buffer.concat([Buffer.from('u,i,4\nu'), Buffer.from([0xff, 0xfe]), Buffer.from(',i,4\n')]);
    const csv = await load(bytes);
    expect(csv.report.rejected['bad-id']?.lines).toEqual([2]);
    expect(csv.report.rejected['bad-id']?.example).toMatch(/^line 2: user id .* is not valid UTF-8$/);
    const json = await load('{"user":"a","item":"b"}\n{"user":{"x":1},"item":"b"}\n', { format: 'jsonl' });
    expect(json.report.rejected['bad-id']?.example).toBe(
      'line 2: user id "user" must be a string or a number, found \'{"x":1}\'',
    );
  });

  it('bad-rating: text, empty, infinite', async () => {
    const { report } = await load('u,a,4\nu,b,abc\nu,c,\nu,d,Infinity\nu,e,NaN\n');
    expect(report.rejected['bad-rating']).toEqual({
      count: 4,
      lines: [2, 3, 4, 5],
      example: "line 2: rating 'abc' is not a number",
    });
  });

  it('bad-timestamp: text and impossible dates; an empty timestamp is "none"', async () => {
    const { matrix, report } = await load('u,a,4,100\nu,b,4,yesterday\nu,c,4,2024-13-45\nu,d,4,\n');
    expect(report.rejected['bad-timestamp']?.lines).toEqual([2, 3]);
    expect(report.rejected['bad-timestamp']?.example).toMatch(
      /^line 2: timestamp 'yesterday' is neither a number nor an ISO-8601 date/,
    );
    expect(matrix.items.indexOf('d')).toBeDefined();
  });

  it('bad-json: invalid JSON, or not an object', async () => {
    const { report } = await load('{"user":"a","item":"b","rating":1}\n{"user":\n[1,2,3]\n', { format: 'jsonl' });
    expect(report.rejected['bad-json']?.lines).toEqual([2, 3]);
    expect(report.rejected['bad-json']?.example).toMatch(/^line 2: not valid JSON/);
  });

  it('missing-field in JSON Lines', async () => {
    const { report } = await load(
      '{"user":"a","item":"b","rating":1}\n{"user":"a","rating":1}\n{"user":"a","item":"c"}\n',
      { format: 'jsonl' },
    );
    expect(report.rejected['missing-field']).toEqual({
      count: 2,
      lines: [2, 3],
      example: 'line 2: no "item" (item id)',
    });
  });

  it('bad-quoting: text after a closing quote, and a quote never closed', async () => {
    const { report } = await load('u,a,4\n"u"x,b,4\nu,c,4\nu,"d,4\n');
    expect(report.rejected['bad-quoting']).toEqual({
      count: 2,
      lines: [2, 4],
      example: 'line 2: unexpected "x" after the closing quote of field 1',
    });
    expect(report.accepted).toBe(2);
  });

  it('keeps only the first maxErrorLines line numbers but counts all', async () => {
    const rows = ['u,i,1', ...Array.from({ length: 15 }, () => 'u,i,bad')];
    const { report } = await load(rows.join('\n'), { maxErrorLines: 3 });
    expect(report.rejected['bad-rating']).toMatchObject({ count: 15, lines: [2, 3, 4] });
    expect(report.rowsRead).toBe(16);
  });
});

describe('fatal errors name what, where and how to fix', () => {
  it('file not found', async () => {
    const path = join(directory, 'nope.csv');
    const error = await fatal(() => loadRatings(path));
    expect(error.message).toBe(`file not found: ${path}`);
    expect(error.where).toBe(path);
    expect(error.hint).toMatch(/check the path/);
  });

  it('a directory', async () => {
    const error = await fatal(() => loadRatings(directory));
    expect(error.message).toMatch(/is a directory/);
  });

  it('corrupt and truncated gzip', async () => {
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('definitely not deflate data')]);
    const corrupt = await fatal(() => loadRatings(streamOf(garbage), { fileName: 'ratings.csv.gz' }));
    expect(corrupt.message).toMatch(/^ratings\.csv\.gz is not a valid gzip file/);
    expect(corrupt.hint).toMatch(/corrupt or truncated/);
    const whole = gzipSync('u,i,1\n'.repeat(1000));
    const path = join(directory, 'cut.csv.gz');
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    const truncated = await fatal(() => loadRatings(path));
    expect(truncated.message).toMatch(/cut\.csv\.gz is not a valid gzip file/);
  });

  it('unknown column name lists the header names', async () => {
    const error = await fatal(() => load('userId,movieId,rating\n1,2,3\n', { columns: { rating: 'stars' } }));
    expect(error.message).toBe(
      "unknown column 'stars' for columns.rating: the header of input has 'userId', 'movieId', 'rating'",
    );
    expect(error.where).toBe('columns.rating');
  });

  it('unknown JSON field lists the first record keys', async () => {
    const error = await fatal(() => load('{"u":1,"i":2}\n', { format: 'jsonl', columns: { user: 'user' } }));
    expect(error.message).toMatch(/unknown field 'user' .* has 'u', 'i'/);
  });

  it('a column name without a header, and a position past the end', async () => {
    const named = await fatal(() => load('1,2,3\n', { header: false, columns: { user: 'userId' } }));
    expect(named.message).toMatch(/names a column, but input is read without a header/);
    expect(named.hint).toMatch(/header: true/);
    const far = await fatal(() => load('1,2,3\n', { columns: { rating: 5 } }));
    expect(far.message).toMatch(/columns\.rating = 5 is past the end .* has 3 fields/);
  });

  it('zero usable rows includes the rejection summary', async () => {
    const error = await fatal(() => load('a,b,x\nc,d,y\n', { header: false }));
    expect(error.message).toBe(
      "input has no usable rows: all 2 were rejected — bad-rating: 2 (e.g. line 1: rating 'x' is not a number)",
    );
    expect(error.hint).toMatch(/columns/);
  });

  it('a header and nothing else, and an empty file', async () => {
    expect((await fatal(() => load('userId,movieId,rating\n'))).message).toBe('input has no data rows (only a header)');
    expect((await fatal(() => load('\n\n'))).message).toBe('input is empty');
    expect((await fatal(() => load(''))).message).toBe('input is empty');
  });

  it('a file that is clearly not the declared format', async () => {
    const dat = await fatal(() => load('1,2,3\n', { format: 'dat' }));
    expect(dat.message).toMatch(/does not look like '::'-separated .* line 1 has no "::" delimiter/);
    expect(dat.where).toBe('input:1');
    expect(dat.hint).toMatch(/use format 'csv'/);
    const json = await fatal(() => load('1\t2\t3\n', { format: 'jsonl' }));
    expect(json.message).toMatch(/does not look like JSON Lines: line 1 is not a JSON object/);
    expect(json.hint).toMatch(/format 'tsv'/);
    const broken = await fatal(() => load('{"user": 1,\n', { format: 'jsonl' }));
    expect(broken.message).toMatch(/line 1 is not valid JSON/);
  });

  it('an unrecognisable first line', async () => {
    const error = await fatal(() => load('hello world\n'));
    expect(error.message).toMatch(/cannot tell the format of input: line 1 has no delimiter/);
  });

  it('binary or UTF-16 content', async () => {
    expect((await fatal(() => load(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x2c, 0x0a])))).message).toMatch(
      /does not look like text/,
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('u,i,1\n', 'utf16le')]);
    expect((await fatal(() => load(utf16))).hint).toMatch(/UTF-8/);
  });

  it('a quoted field left open for over 1 Mi characters', async () => {
    const text = 'u,i,1\nu,"never closed\n' + 'x'.repeat(99).concat('\n').repeat(11_000);
    const error = await fatal(() => load(text));
    expect(error.message).toMatch(/line 2: a quoted field opened on line 2 is still open after 1048576 characters/);
    expect(error.where).toBe('input:2');
  });

  it.runIf(process.platform === 'linux')('closes the file when a fatal error stops the parse midway', async () => {
    const path = join(directory, 'open-quote.csv');
    writeFileSync(path, 'u,i,1\nu,"never closed\n' + 'x'.repeat(99).concat('\n').repeat(11_000));
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let k = 0; k < 3; k++) await fatal(() => loadRatings(path));
    expect(openFiles()).toBe(before);
  });

  it('a line longer than 1 MiB is a rejected line, not a fatal error (see ingest-hostile-lines.test.ts)', async () => {
    const mebibyte = Buffer.alloc(1 << 20, 0x61);
    const { report } = await loadRatings(Readable.from([Buffer.from('u,i,1\n'), mebibyte, mebibyte]), {
      maxRejectedShare: 1,
    });
    expect(report.rejected['line-too-long']?.lines).toEqual([2]);
  });
});
