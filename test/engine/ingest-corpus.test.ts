// The malformed-file corpus (issue 8): each kind of hostile or clumsy file, generated here in code, and how ingest
// handles it. Every case either loads (its bad lines rejected and counted by reason, or a warning) or fails with a
// UserInputError naming what, where and how to fix; no case may surface as any other error (the build would take
// it for an infrastructure fault and retry it). docs/RELIABILITY.md ("Ingest") lists the same table.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadRatings, type IngestOptions, type RejectionReason } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { bombStream, gzipBomb } from './ingest-bomb-helpers.js';
import { entries, streamOf } from './ingest-helpers.js';

interface Case {
  kind: string;
  content: () => string | Buffer;
  options?: IngestOptions;
  /** Size of the stored object (an S3 object's length), when the case needs it. */
  stored?: boolean;
  /** Loads: the matrix entries (sorted), the rejected line numbers by reason, a warning to find. */
  entries?: string[];
  accepted?: number;
  rejected?: Partial<Record<RejectionReason, number[]>>;
  warning?: RegExp;
  /** Fails: the UserInputError message. */
  fatal?: RegExp;
}

const bytes = (...parts: (string | number[] | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const BOM = [0xef, 0xbb, 0xbf];
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const CASES: Case[] = [
  // Encodings and containers
  { kind: 'UTF-8 byte-order mark at the start', content: () => bytes(BOM, 'u,i,4\n'), entries: ['u|i|4'] },
  {
    kind: 'byte-order mark at the start of later lines (files joined)',
    content: () => bytes('u1,i,4\n', BOM, 'u7,i,3\n', BOM, 'u8,i,2\n'),
    entries: ['u1|i|4', 'u7|i|3', 'u8|i|2'],
    warning: /^2 lines began with a byte-order mark \(U\+FEFF\), removed: e\.g\. line 2/,
  },
  {
    kind: 'UTF-16 LE',
    content: () => bytes([0xff, 0xfe], Buffer.from('u,i,4\n', 'utf16le').toJSON().data),
    fatal: /is UTF-16 encoded/,
  },
  {
    kind: 'UTF-16 BE',
    content: () => bytes([0xfe, 0xff], Buffer.from('u,i,4\n', 'utf16le').swap16().toJSON().data),
    fatal: /is UTF-16 encoded/,
  },
  {
    kind: 'invalid UTF-8 in an id',
    content: () => bytes('u,i,4\nu', [0xff], ',i,4\n'),
    rejected: { 'bad-id': [2] },
    accepted: 1,
  },
  {
    kind: 'binary (NUL bytes)',
    content: () => bytes([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x0a]),
    fatal: /does not look like text/,
  },
  { kind: 'gzip', content: () => gzipSync('u,i,4\nv,i,3\n'), entries: ['u|i|4', 'v|i|3'] },
  { kind: 'corrupt gzip', content: () => bytes([0x1f, 0x8b, 8, 0], 'not deflate'), fatal: /is not a valid gzip file/ },
  {
    kind: 'truncated gzip',
    content: () => gzipSync('u,i,4\n'.repeat(1000)).subarray(0, 40),
    fatal: /is not a valid gzip file/,
  },
  {
    kind: 'named .gz but not gzip',
    content: () => 'u,i,4\n',
    options: { fileName: 'r.csv.gz' },
    warning: /is named \.gz but is not gzip-compressed/,
  },
  {
    kind: 'gzip bomb of known size (1.5 MB -> 1 GiB)',
    content: () => gzipBomb(128),
    stored: true,
    options: { limits: { maxMemoryMb: 2406 } },
    fatal: /exceeds the maxMemoryMb limit: building it would take an estimated [\d,]+ MB/,
  },
  {
    kind: 'gzip bomb of unknown size',
    content: () => gzipBomb(4),
    options: { limits: { maxBytes: 4 << 20 } },
    fatal: /exceeds the maxBytes limit: [\d,]+ bytes after decompression/,
  },
  // Line structure
  { kind: 'CRLF line breaks', content: () => 'user,item,rating\r\nu,i,4\r\nv,i,3\r\n', entries: ['u|i|4', 'v|i|3'] },
  {
    kind: 'CR-only line breaks (classic Mac OS)',
    content: () => 'user,item,rating\ru,i,4\rv,i,3\r',
    entries: ['u|i|4', 'v|i|3'],
    warning: /^line breaks are CR only \(classic Mac OS\): each CR is read as a line break$/,
  },
  { kind: 'mixed LF and CRLF', content: () => 'u,i,4\r\nv,i,3\nw,i,2\r\n', entries: ['u|i|4', 'v|i|3', 'w|i|2'] },
  { kind: 'no line break at the end', content: () => 'u,i,4\nv,i,3', entries: ['u|i|4', 'v|i|3'] },
  { kind: 'blank and whitespace-only lines', content: () => '\nu,i,4\n  \n\t\nv,i,3\n', accepted: 2 },
  { kind: 'empty file', content: () => '', fatal: /^input is empty$/ },
  { kind: 'only blank lines', content: () => '\n \n\n', fatal: /^input is empty$/ },
  { kind: 'only a header', content: () => 'userId,movieId,rating\n', fatal: /has no data rows \(only a header\)/ },
  {
    kind: 'a line over 1 MiB',
    content: () => `u,i,4\nu,${'x'.repeat(3 << 20)},4\nv,i,3\n`,
    rejected: { 'line-too-long': [2] },
    accepted: 2,
  },
  {
    kind: 'one line over 1 MiB, nothing else',
    content: () => 'x'.repeat((1 << 20) + 1),
    fatal: /has no usable rows: all 1 were rejected — line-too-long: 1/,
  },
  // Fields
  { kind: 'missing field', content: () => 'u,i,4,1\nu,j\n', rejected: { 'missing-field': [2] } },
  {
    kind: 'extra fields on some lines',
    content: () => 'u,i,4\nv,i,3,100,extra\nw,i,2\n',
    entries: ['v|i|3', 'u|i|4', 'w|i|2'].sort(),
    warning:
      /^1 line has more fields than the first line \(3\): the extra fields are ignored, e\.g\. line 2: 'v,i,3,100,extra'$/,
  },
  {
    kind: 'columns nothing reads',
    content: () => 'userId,movieId,rating,timestamp,title\n1,10,4,100,Heat\n',
    accepted: 1,
    warning: /^column 'title' \(4\) is not read: only user, item, rating and timestamp are/,
  },
  { kind: 'empty id', content: () => 'u,i,4\n,i,4\nu,,4\n', rejected: { 'empty-id': [2, 3] } },
  { kind: 'whitespace-only id', content: () => 'u,i,4\n  ,i,4\n', rejected: { 'empty-id': [2] } },
  { kind: 'id over 256 bytes', content: () => `u,i,4\n${'é'.repeat(129)},i,4\n`, rejected: { 'id-too-long': [2] } },
  { kind: 'rating not a number', content: () => 'u,i,4\nu,j,good\n', rejected: { 'bad-rating': [2] } },
  { kind: 'rating empty', content: () => 'u,i,4\nu,j,\n', rejected: { 'bad-rating': [2] } },
  {
    kind: 'rating NaN or Infinity',
    content: () => 'u,i,4\nu,j,NaN\nu,k,Infinity\n',
    rejected: { 'bad-rating': [2, 3] },
  },
  { kind: 'rating 1e39 (beyond float32)', content: () => 'u,i,4\nu,j,1e39\n', rejected: { 'bad-rating': [2] } },
  { kind: 'rating 3.4e38 (beyond ±1e9)', content: () => 'u,i,4\nu,j,3.4e38\n', rejected: { 'bad-rating': [2] } },
  { kind: 'rating in hex (0x10)', content: () => 'u,i,4\nu,j,0x10\n', rejected: { 'bad-rating': [2] } },
  {
    kind: 'decimal comma (4,5) in a ; file',
    content: () => 'u;i;4\nu;j;4,5\n',
    rejected: { 'bad-rating': [2] },
  },
  { kind: 'negative and fractional ratings', content: () => 'u,i,-2.5\nu,j,.5\n', entries: ['u|i|-2.5', 'u|j|0.5'] },
  {
    kind: 'timestamp neither number nor date',
    content: () => 'u,i,4,100\nu,j,4,yesterday\nu,k,4,2024-13-45\n',
    rejected: { 'bad-timestamp': [2, 3] },
  },
  { kind: 'timestamp in hex', content: () => 'u,i,4,100\nu,j,4,0x10\n', rejected: { 'bad-timestamp': [2] } },
  {
    kind: 'ISO-8601 timestamps',
    content: () => 'u,i,4,2024-05-01T12:00:00Z\n',
    entries: ['u|i|4 @1714564800'],
  },
  // CSV quoting
  {
    kind: 'quoted delimiters, quotes and line breaks',
    content: () => '"a, b","x ""y""",4\n"multi\nline",z,3\n',
    entries: ['a, b|x "y"|4', 'multi\nline|z|3'],
  },
  { kind: 'quote never closed', content: () => 'u,i,4\nu,"j,4\n', rejected: { 'bad-quoting': [2] } },
  { kind: 'text after a closing quote', content: () => 'u,i,4\n"u"x,j,4\n', rejected: { 'bad-quoting': [2] } },
  {
    kind: 'quoted field open past 1 Mi characters',
    content: () => 'u,i,4\nu,"open\n' + `${'x'.repeat(99)}\n`.repeat(11_000),
    fatal: /a quoted field opened on line 2 is still open after 1048576 characters/,
  },
  // JSON Lines
  {
    kind: 'JSON: invalid line',
    content: () => '{"user":"u","item":"i","rating":4}\n{"user":\n',
    rejected: { 'bad-json': [2] },
  },
  {
    kind: 'JSON: an array in a file of objects',
    content: () => '{"user":"u","item":"i","rating":4}\n["u","j",4]\n',
    rejected: { 'bad-json': [2] },
  },
  {
    kind: 'JSON: a line nested 100,000 deep',
    content: () => `{"user":"u","item":"i","rating":4}\n${deep(100_000)}\n`,
    rejected: { 'bad-json': [2] },
  },
  {
    kind: 'JSON: an id nested 100,000 deep',
    content: () => `{"user":"u","item":"i","rating":4}\n{"user":${deep(100_000)},"item":"i"}\n`,
    rejected: { 'bad-id': [2] },
  },
  {
    kind: 'JSON: an id of the wrong type',
    content: () => '{"user":"u","item":"i","rating":4}\n{"user":{"x":1},"item":"i","rating":4}\n',
    rejected: { 'bad-id': [2] },
  },
  {
    kind: 'JSON: a rating that is an array',
    content: () => '{"user":"u","item":"i","rating":4}\n{"user":"u","item":"j","rating":[4]}\n',
    rejected: { 'bad-rating': [2] },
  },
  {
    kind: 'JSON: a rating of 1e39',
    content: () => '{"user":"u","item":"i","rating":4}\n{"user":"u","item":"j","rating":1e39}\n',
    rejected: { 'bad-rating': [2] },
  },
  {
    kind: 'JSON: a first line nested 100,000 deep',
    content: () => `${deep(100_000)}\n`,
    options: { format: 'jsonl' },
    fatal: /needs at least two columns/,
  },
  {
    kind: 'JSON: a first line that is not JSON',
    content: () => '{"user": 1,\n',
    options: { format: 'jsonl' },
    fatal: /line 1 is not valid JSON/,
  },
  // Shape and volume
  {
    kind: 'duplicate (user, item) rows',
    content: () => 'u,i,1\nu,i,5\n',
    entries: ['u|i|5'],
    warning: /1 duplicate \(user, item\) row dropped/,
  },
  {
    kind: 'declared format contradicted',
    content: () => '1,2,3\n',
    options: { format: 'dat' },
    fatal: /does not look like '::'-separated/,
  },
  { kind: 'no delimiter at all', content: () => 'hello world\n', fatal: /cannot tell the format of input/ },
  {
    kind: 'most rows rejected (99.8%)',
    content: () => bytes('u,i,4\n', ...Array.from({ length: 499 }, (_, k) => bytes(`u${k}`, [0xff], ',i,4\n'))),
    options: { maxRejectedShare: 0.1 },
    fatal: /499 of 500 rows were rejected \(99\.8%\), more than maxRejectedShare 0\.1/,
  },
  {
    kind: 'more rows than maxRows',
    content: () => 'u,a,1\nu,b,1\nu,c,1\n',
    options: { limits: { maxRows: 2 } },
    fatal: /exceeds the maxRows limit: 3 rows read \(at line 3\), the limit is 2$/,
  },
  {
    kind: 'more users than maxUsers',
    content: () => 'u,a,1\nv,a,1\nw,a,1\n',
    options: { limits: { maxUsers: 2 } },
    fatal: /exceeds the maxUsers limit: 3 distinct users/,
  },
  {
    kind: 'more items than maxItems',
    content: () => 'u,a,1\nu,b,1\nu,c,1\n',
    options: { limits: { maxItems: 2 } },
    fatal: /exceeds the maxItems limit: 3 distinct items/,
  },
];

describe('the malformed-file corpus', () => {
  it('has every kind once', () => {
    expect(new Set(CASES.map((c) => c.kind)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(58);
  });

  for (const c of CASES) {
    it(c.kind, async () => {
      const content = c.content();
      const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      const options: IngestOptions = {
        // The rejection threshold is a case of its own; the others show how each bad line is counted.
        maxRejectedShare: 1,
        ...c.options,
        expectedBytes: c.stored ? buffer.length : undefined,
      };
      const source = c.stored ? bombStream(buffer) : streamOf(buffer, 1 << 16);
      const outcome = await loadRatings(source, options).then(
        (loaded) => ({ loaded }),
        (error: unknown) => ({ error }),
      );
      if (c.fatal) {
        expect('error' in outcome, 'expected the load to fail').toBe(true);
        const { error } = outcome as { error: unknown };
        expect(error).toBeInstanceOf(UserInputError);
        expect((error as Error).message).toMatch(c.fatal);
        expect((error as UserInputError).hint).toBeTruthy();
        return;
      }
      if ('error' in outcome) throw outcome.error;
      const { matrix, report } = outcome.loaded;
      if (c.entries) expect(entries(matrix)).toEqual(c.entries);
      if (c.accepted !== undefined) expect(report.accepted).toBe(c.accepted);
      const rejected = Object.fromEntries(Object.entries(report.rejected).map(([reason, r]) => [reason, r?.lines]));
      expect(rejected).toEqual(c.rejected ?? {});
      if (c.warning) expect(report.warnings).toContainEqual(expect.stringMatching(c.warning));
    });
  }
});
