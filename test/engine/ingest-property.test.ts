import { parse as parseCsvReference } from 'csv-parse/sync';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadRatings, type IngestOptions } from '../../functions/engine/ingest/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';

type Format = 'csv' | 'tsv' | 'dat' | 'jsonl';
interface Row {
  user: string;
  item: string;
  rating: number;
  timestamp?: number;
}

const EXTENSION: Record<Format, string> = { csv: 'csv', tsv: 'tsv', dat: 'dat', jsonl: 'jsonl' };

/** Characters an id may hold in each format (CSV quotes what needs it; TSV and '::' have no quoting). */
const ALPHABET = [
  'a',
  'b',
  'Z',
  '0',
  '1',
  '7',
  ' ',
  '\t',
  'é',
  '🎬',
  '電',
  ',',
  ';',
  '"',
  '\n',
  ':',
  '|',
  '{',
  '-',
  '.',
];
function allowed(format: Format, id: string): boolean {
  if (format === 'csv' || format === 'jsonl') return true;
  if (id !== id.trim() || id.includes('\n')) return false;
  return format === 'tsv' ? !id.includes('\t') : !id.includes(':');
}

const idArbitrary = fc.oneof(
  fc.nat(40).map(String), // canonical decimal ids take the cached fast path
  fc.nat(40).map((n) => `0${n}`), // ...and must not be confused with these
  fc.nat(40).map((n) => String(4_194_284 + n)), // across the dense/sparse boundary of the number cache (2^22)
  fc.constantFrom('999999999999999', '1000000000000000', '-1'), // 15 digits (cached), 16 (not), signed (not)
  fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 5 }).map((chars) => chars.join('')),
);

const ratingArbitrary = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, 1.5, 4.5, 3.25),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
);

const caseArbitrary = fc.record({
  format: fc.constantFrom<Format>('csv', 'tsv', 'dat', 'jsonl'),
  csvDelimiter: fc.constantFrom(',', ';'),
  ids: fc.array(fc.tuple(idArbitrary, idArbitrary), { minLength: 1, maxLength: 8 }),
  picks: fc.array(fc.tuple(fc.nat(), fc.nat(), ratingArbitrary, fc.integer({ min: 0, max: 5 })), {
    minLength: 1,
    maxLength: 30,
  }),
  withTimestamps: fc.boolean(),
  withRatingColumn: fc.boolean(),
  implicitOption: fc.boolean(),
  header: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  gzip: fc.boolean(),
  byName: fc.boolean(),
  chunkSize: fc.integer({ min: 1, max: 64 }),
});

function csvField(value: string, delimiter: string): string {
  const needsQuotes =
    value.includes(delimiter) || /["\n]/.test(value) || value !== value.replace(/^[ \t]+|[ \t]+$/g, '');
  return needsQuotes ? `"${value.replace(/"/g, '""')}"` : value;
}

function write(
  format: Format,
  delimiter: string,
  rows: Row[],
  withRating: boolean,
  withTimestamps: boolean,
  header: boolean,
  eol: string,
): string {
  const lines: string[] = [];
  const names = ['user', 'item', ...(withRating ? ['rating'] : []), ...(withTimestamps ? ['timestamp'] : [])];
  if (header && format !== 'jsonl') lines.push(names.join(delimiter));
  for (const row of rows) {
    if (format === 'jsonl') {
      const record: Record<string, unknown> = {
        user: /^[1-9]\d*$/.test(row.user) && row.user.length < 10 ? Number(row.user) : row.user,
        item: row.item,
      };
      if (withRating) record.rating = row.rating;
      if (withTimestamps) record.timestamp = row.timestamp;
      lines.push(JSON.stringify(record));
      continue;
    }
    const values = [
      row.user,
      row.item,
      ...(withRating ? [String(row.rating)] : []),
      ...(withTimestamps ? [String(row.timestamp)] : []),
    ];
    lines.push(values.map((v) => (format === 'csv' ? csvField(v, delimiter) : v)).join(delimiter));
  }
  return lines.join(eol) + eol;
}

/** Reference duplicate rule, stated independently: highest timestamp wins; on equal (or no) timestamps, the last row. */
function referenceDedupe(rows: Row[], implicit: boolean): string[] {
  const winners = new Map<string, { row: Row; position: number }>();
  rows.forEach((row, position) => {
    const key = JSON.stringify([row.user, row.item]);
    const current = winners.get(key);
    const better =
      current === undefined ||
      (row.timestamp ?? 0) > (current.row.timestamp ?? 0) ||
      ((row.timestamp ?? 0) === (current.row.timestamp ?? 0) && position > current.position);
    if (better) winners.set(key, { row, position });
  });
  return [...winners.values()]
    .map(({ row }) => JSON.stringify([row.user, row.item, implicit ? 1 : Math.fround(row.rating)]))
    .sort();
}

function matrixEntries(matrix: RatingMatrix): string[] {
  const out: string[] = [];
  const { indptr, indices, values } = matrix.byUser;
  for (let u = 0; u < matrix.byUser.rows; u++) {
    for (let k = indptr[u]; k < indptr[u + 1]; k++)
      out.push(JSON.stringify([matrix.users.idAt(u), matrix.items.idAt(indices[k]), values[k]]));
  }
  return out.sort();
}

function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('ingest round trip (property)', () => {
  it('reads back what was written, in every format and container, with the reference duplicate rule', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const delimiter =
          c.format === 'csv' ? c.csvDelimiter : c.format === 'tsv' ? '\t' : c.format === 'dat' ? '::' : '';
        const pairs = c.ids.filter(([user, item]) => allowed(c.format, user) && allowed(c.format, item));
        if (pairs.length === 0) return;
        const rows: Row[] = c.picks.map(([pair, swap, rating, time]) => {
          const [user, item] = pairs[pair % pairs.length];
          // Reuse ids across roles sometimes: a user id may equal an item id.
          return { user: swap % 5 === 0 ? item : user, item, rating, timestamp: c.withTimestamps ? time : undefined };
        });
        const withRating = c.withRatingColumn || (!c.header && c.withTimestamps && c.format !== 'jsonl');
        const text = write(c.format, delimiter, rows, withRating, c.withTimestamps, c.header, c.crlf ? '\r\n' : '\n');
        let bytes = Buffer.from((c.bom ? '\uFEFF' : '') + text, 'utf8');
        if (c.gzip) bytes = gzipSync(bytes);

        const options: IngestOptions = { implicit: c.implicitOption };
        if (c.byName) options.fileName = `ratings.${EXTENSION[c.format]}${c.gzip ? '.gz' : ''}`;
        else options.format = c.format;
        if (c.format === 'csv' && (c.csvDelimiter !== ',' || !c.byName)) options.delimiter = c.csvDelimiter;
        if (c.format !== 'jsonl') options.header = c.header;
        if (c.format === 'jsonl' && withRating && rows.some((r) => r.user === 'rating')) return; // keys are fixed names here

        const { matrix, report } = await loadRatings(chunked(bytes, c.chunkSize), options);
        const implicit = c.implicitOption || !withRating;
        const expected = referenceDedupe(rows, implicit);
        expect(matrixEntries(matrix)).toEqual(expected);
        expect(report).toMatchObject({
          format: c.format,
          compressed: c.gzip,
          implicit,
          rowsRead: rows.length,
          accepted: rows.length,
          duplicatesDropped: rows.length - expected.length,
          ratings: expected.length,
          rejected: {},
          hasTimestamps: c.withTimestamps,
        });

        if (c.format === 'csv') {
          // Independent check that the test's writer produced valid CSV: csv-parse reads the same fields back.
          const records = parseCsvReference(text, {
            delimiter,
            relax_column_count: true,
            skip_empty_lines: false,
          }) as string[][];
          expect(records.slice(c.header ? 1 : 0).map((r) => [r[0], r[1]])).toEqual(rows.map((r) => [r.user, r.item]));
        }
      }),
      { numRuns: 300 },
    );
  });
});
