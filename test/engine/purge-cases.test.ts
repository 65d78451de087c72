// The purge engine's named cases: the line splitter against the ingest's, the columns a config names, files the
// build cannot read (an error, never skipped), lines past the ingest's limit, and the check that the build reads a
// purged file as the original minus the user (purge-verify.ts).
import fc from 'fast-check';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, purgeRows, verifyPurge, type IngestOptions } from '../../functions/engine/ingest/index.js';
import { LineSplitter } from '../../functions/engine/ingest/lines.js';
import { MAX_RAW_LINE_BYTES, RawLineSplitter } from '../../functions/engine/ingest/raw-lines.js';
import { UserInputError } from '../../functions/engine/types.js';

async function purge(text: string | Buffer, users: string[], label: string, ingest: IngestOptions = {}) {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (part: Buffer) => parts.push(part));
  const input = Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
  const result = await purgeRows(input, { users: new Set(users), label, ingest }, sink);
  return { out: Buffer.concat(parts).toString('utf8'), result };
}

async function failure(text: string | Buffer, users: string[], label: string, ingest: IngestOptions = {}) {
  const error = await purge(text, users, label, ingest).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

describe('line splitting', () => {
  it('cuts where the ingest cuts, keeps every byte, at every chunk boundary (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'é', ',', '\r', '\n', '\r\n'), { maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        (parts, size) => {
          const bytes = Buffer.from(parts.join(''), 'utf8');
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
          // The ingest's lines, as load-ratings.ts takes them (one trailing CR stripped).
          const expected: string[] = [];
          const reference = new LineSplitter(
            1 << 20,
            (buf, start, end) => {
              if (end > start && buf[end - 1] === 0x0d) end--;
              expected.push(buf.toString('latin1', start, end));
            },
            () => undefined,
          );
          const raw: Buffer[] = [];
          const lines: string[] = [];
          const splitter = new RawLineSplitter('x', (line) => {
            raw.push(line.bytes);
            lines.push(line.bytes.toString('latin1', 0, line.contentEnd));
          });
          for (const chunk of chunks) {
            reference.push(chunk);
            splitter.push(chunk);
          }
          reference.end();
          splitter.end();
          expect(Buffer.concat(raw).equals(bytes)).toBe(true);
          // The one difference: a lone CR as the whole input is a (blank) line here, kept; the ingest sees none.
          if (bytes.equals(Buffer.from('\r'))) expect(lines).toEqual(['']);
          else expect(lines).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('columns, as the config names them', () => {
  it('a user column named in the config, a header with other names', async () => {
    const text = 'when,viewer,title,score\n1,v1,a,5\n2,v2,b,4\n3,v1,c,3\n';
    const ingest = { columns: { user: 'viewer', item: 'title', rating: 'score', timestamp: 'when' } };
    const { out, result } = await purge(text, ['v1'], 'f.csv', ingest);
    expect(out).toBe('when,viewer,title,score\n2,v2,b,4\n');
    expect(result).toMatchObject({ removed: 2, records: 3, removedLines: [2, 4] });
  });

  it('a user column by position in a headerless file', async () => {
    const text = 'a\t5\tv1\nb\t4\tv2\n';
    const { out } = await purge(text, ['v2'], 'f.tsv', { columns: { user: 2, item: 0, rating: 1 } });
    expect(out).toBe('a\t5\tv1\n');
  });

  it('JSON Lines: a recognised key (userId), arrays by position, numbers as ids', async () => {
    const objects = '{"userId":7,"movieId":"m","rating":5}\n{"userId":"8","movieId":"m","rating":4}\n';
    expect((await purge(objects, ['7'], 'f.jsonl')).out).toBe('{"userId":"8","movieId":"m","rating":4}\n');
    const arrays = '["u1","m",5]\n["u2","m",4]\n';
    expect((await purge(arrays, ['u2'], 'f.jsonl')).out).toBe('["u1","m",5]\n');
  });

  it('a .gz name over plain bytes stays plain; a gzip is written back as gzip', async () => {
    const { out, result } = await purge('u1,a,5\nu2,b,4\n', ['u1'], 'f.csv.gz');
    expect(out).toBe('u2,b,4\n');
    expect(result.compressed).toBe(false);
    const zipped = await purge(gzipSync('u1,a,5\nu2,b,4\n'), ['u2'], 'f.csv.gz');
    expect(zipped.result.compressed).toBe(true);
  });

  it('counts without writing when no output is given', async () => {
    const input = Readable.from([Buffer.from('u1,a,5\nu2,b,4\nu1,c,1\n')]);
    const result = await purgeRows(input, { users: new Set(['u1']), label: 'f.csv' });
    expect(result).toMatchObject({ removed: 2, records: 3, removedByUser: { u1: 2 } });
  });

  it('an empty or blank file holds nobody: no layout, nothing removed', async () => {
    const { out, result } = await purge('\n  \n', ['u1'], 'f.csv');
    expect(out).toBe('\n  \n');
    expect(result).toMatchObject({ layout: undefined, records: 0, removed: 0 });
  });
});

describe('the event-type and time-decay options never move the user column', () => {
  it('finds the user where the build would fail for a missing type or timestamp column', async () => {
    const text = 'user,item,rating\nu1,a,5\nu2,b,4\n';
    const events = { weights: { view: 1 }, defaultWeight: 1 };
    expect((await purge(text, ['u1'], 'f.csv', { events })).out).toBe('user,item,rating\nu2,b,4\n');
    expect((await purge(text, ['u2'], 'f.csv', { halfLifeDays: 7 })).out).toBe('user,item,rating\nu1,a,5\n');
    const typed = 'user,item,kind\nu1,a,view\nu2,b,buy\n';
    const columns = { type: 'kind' };
    expect((await purge(typed, ['u1'], 'f.csv', { columns })).out).toBe('user,item,kind\nu2,b,buy\n');
  });
});

describe('streaming', () => {
  it('writes purged lines while the input is still being read', async () => {
    const total = 200;
    let pulled = 0;
    let pulledAtFirstOutput = -1;
    async function* input() {
      yield Buffer.from('user,item\n');
      for (let k = 0; k < total; k++) {
        pulled++;
        yield Buffer.from(`u${k % 3},i${k}\n`.repeat(50));
      }
    }
    const sink = new PassThrough();
    sink.on('data', () => {
      if (pulledAtFirstOutput < 0) pulledAtFirstOutput = pulled;
    });
    const result = await purgeRows(input(), { users: new Set(['u1']), label: 'f.csv' }, sink);
    expect(result.records).toBe(total * 50);
    expect(pulledAtFirstOutput).toBeGreaterThanOrEqual(0); // some output came...
    expect(pulledAtFirstOutput).toBeLessThan(total / 2); // ...before half the input was read
  });

  it('a line longer than the purge reads whole is an error, not a buffer without end', () => {
    const splitter = new RawLineSplitter('f.csv', () => undefined);
    const mib = Buffer.alloc(1 << 20, 0x61);
    expect(() => {
      for (let k = 0; k <= MAX_RAW_LINE_BYTES >> 20; k++) splitter.push(mib);
    }).toThrow(UserInputError);
  });
});

describe('a file the build cannot read is an error, never skipped', () => {
  it('a named user column that is not in the header', async () => {
    const error = await failure('viewer,title\nv1,a\n', ['v1'], 'f.csv', { columns: { user: 'account' } });
    expect(error.message).toContain("unknown column 'account'");
  });

  it('a JSON Lines file whose first record has no user field', async () => {
    const error = await failure('{"who":"v1","item":"a"}\n', ['v1'], 'f.jsonl');
    expect(error.message).toContain('has no user field');
  });

  it('binary, UTF-16 and corrupt gzip', async () => {
    expect((await failure('u1\u0000,a\n', ['u1'], 'f.csv')).message).toContain('does not look like text');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('u1,a\n', 'utf16le')]);
    expect((await failure(utf16, ['u1'], 'f.csv')).message).toContain('UTF-16');
    const corrupt = gzipSync('u1,a,5\n'.repeat(100)).subarray(0, 30);
    expect((await failure(corrupt, ['u1'], 'f.csv.gz')).message).toContain('not a valid gzip file');
  });

  it('an id no build can hold', async () => {
    expect((await failure('u1,a\n', ['x'.repeat(257)], 'f.csv')).where).toBe('--user');
    expect((await failure('u1,a\n', [''], 'f.csv')).where).toBe('--user');
  });
});

describe('lines the build reads as nobody’s', () => {
  it('a line past the 1 MiB limit goes when it holds the id, stays when it does not', async () => {
    const long = (who: string) => `${who},${'x'.repeat(MAX_LINE_BYTES)},5`;
    const text = ['u1,a,5', long('u2'), long('u9'), 'u2,b,4', ''].join('\n');
    const { out, result } = await purge(text, ['u2'], 'f.csv');
    expect(out).toBe(['u1,a,5', long('u9'), ''].join('\n'));
    expect(result).toMatchObject({ removed: 1, removedUnreadable: 1, removedLines: [2, 4] });
  });

  it('inside an open quoted record, a too-long line keeps its place', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 1);
    const text = ['user,item', 'u1,"open', long, 'closed"', 'u2,b', ''].join('\n');
    expect((await purge(text, ['u1'], 'f.csv')).out).toBe(['user,item', long, 'u2,b', ''].join('\n'));
  });
});

describe('verification with the build’s reader', () => {
  const check = (before: string, after: string, users: string[], options: IngestOptions & { fileName: string }) =>
    verifyPurge(
      async () => Readable.from([Buffer.from(before)]),
      async () => Readable.from([Buffer.from(after)]),
      new Set(users),
      options,
    );

  it('passes a purged file read as the original minus the user', async () => {
    const before = 'user,item,rating\nu1,a,5\nu2,b,4\nu1,c,3\n';
    const { out } = await purge(before, ['u1'], 'f.csv');
    expect(await check(before, out, ['u1'], { fileName: 'f.csv' })).toEqual({
      compared: true,
      rowsBefore: 3,
      rowsAfter: 1,
    });
  });

  it('catches a headerless file whose next first line has fewer columns (its timestamps would be lost)', async () => {
    const before = 'u1,a,5,100\nu2,b,4\nu3,c,3,300\n';
    const { out } = await purge(before, ['u1'], 'f.csv');
    expect(out).toBe('u2,b,4\nu3,c,3,300\n');
    const result = await check(before, out, ['u1'], { fileName: 'f.csv', maxRejectedShare: 1 });
    expect(result).toMatchObject({ compared: true, problem: expect.stringContaining('"timestamp":3') });
    expect(result).toMatchObject({ problem: expect.stringContaining('"timestamp":-1') });
  });

  it('catches a JSON Lines file whose next first record has no rating (it would turn implicit)', async () => {
    const before = '{"user":"u1","item":"a","rating":5}\n{"user":"u2","item":"b"}\n';
    const { out } = await purge(before, ['u1'], 'f.jsonl');
    const result = await check(before, out, ['u1'], { fileName: 'f.jsonl', maxRejectedShare: 1 });
    expect(result).toMatchObject({ problem: expect.stringContaining('change how the build reads the rest') });
    expect(result).toMatchObject({ problem: expect.stringContaining('"implicit":true}') });
  });

  it('catches a purged file whose rows differ from the original minus the user (row for row)', async () => {
    const before = 'user,item,rating\nu1,a,5\nu2,b,4\nu3,c,3\n';
    const options = { fileName: 'f.csv' };
    expect(await check(before, 'user,item,rating\nu3,c,3\n', ['u1'], options)).toMatchObject({
      problem: expect.stringContaining('row 2 of the original (u2, b, 4) is read as (u3, c, 3)'),
    });
    expect(await check(before, 'user,item,rating\nu2,b,4\nu3,c,2\n', ['u1'], options)).toMatchObject({
      problem: expect.stringContaining('row 3 of the original (u3, c, 3)'),
    });
    expect(await check(before, 'user,item,rating\nu2,b,4\nu3,c,3\nu4,d,1\n', ['u1'], options)).toMatchObject({
      problem: expect.stringContaining('1 row(s) that the original does not have'),
    });
    expect(await check(before, 'user,item,rating\nu2,b,4\n', ['u1'], options)).toMatchObject({
      problem: expect.stringContaining('(user u3) is missing'),
    });
  });

  it('catches a file the rejected rows would push over the threshold', async () => {
    const before = 'user,item,rating\nu1,a,5\nu1,b,5\nu1,c,5\nu2,d,5\nu2,e,5\nu3,f,x\n';
    const { out } = await purge(before, ['u1'], 'f.csv');
    const result = await check(before, out, ['u1'], { fileName: 'f.csv', maxRejectedShare: 0.2 });
    expect(result).toMatchObject({ problem: expect.stringContaining('the build would refuse it') });
  });

  it('says when the original cannot be read by the build, rather than pass it', async () => {
    const before = 'user,item,rating\nu1,a,x\nu2,b,y\n';
    const { out } = await purge(before, ['u1'], 'f.csv');
    expect(await check(before, out, ['u1'], { fileName: 'f.csv' })).toMatchObject({ compared: false });
  });
});
