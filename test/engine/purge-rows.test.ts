// The purge engine (functions/engine/ingest/purge-rows.ts) against a brute-force filter: files are written piece by
// piece (header, records, blank lines, broken records), each piece knowing whose it is, and the expected output is
// the pieces of the users not purged, concatenated. Every format, quoting, line break, a BOM, gzip, header or not.
// The build's own reader then confirms the purged file holds exactly the other users' rows.
import fc from 'fast-check';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadRatings, purgeRows, type PurgeResult } from '../../functions/engine/ingest/index.js';
import { entries } from './ingest-helpers.js';

type Format = 'csv' | 'tsv' | 'dat' | 'jsonl';
/** One piece of a file: its text (no line break) and whose record it is. */
interface Piece {
  text: string;
  /** The user id the build reads from it; undefined for a header, a blank line or a record without a user field. */
  user?: string;
  kind: 'header' | 'blank' | 'row' | 'unreadable';
  /** A row the build accepts. */
  good?: boolean;
}

const CHARS = ['a', 'b', 'Z', '0', '7', ' ', 'é', '🎬', '電', ',', ';', '"', '\n', ':', '{', '-'];
const idArbitrary = fc.oneof(
  fc.nat(30).map((n) => String(n + 1)),
  fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 4 }).map((c) => `u${c.join('')}`),
  fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 4 }).map((c) => c.join('')),
);

function allowed(format: Format, eol: string, id: string): boolean {
  if (/^(user|item|rating)/i.test(id.trim())) return false; // a header name would make a headerless file's header
  if (id.trim() === '') return false;
  if (format === 'jsonl') return true;
  if (format === 'csv') return eol !== '\r' || !id.includes('\n');
  if (id !== id.trim() || id.includes('\n') || id.includes('"')) return false;
  return format === 'tsv' ? !id.includes('\t') : !id.includes(':');
}

function csvField(value: string, delimiter: string, force: boolean): string {
  // Any delimiter the format sniffing knows is quoted: the first line must say which one the file uses.
  const needs = force || value.includes(delimiter) || /["\n,;|]/.test(value) || value !== value.trim();
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

const variant = fc.constantFrom(
  'plain',
  'plain',
  'plain',
  'quoted',
  'multiline',
  'padded',
  'cr-inside',
  'bad-rating',
  'broken',
  'blank',
);
const caseArbitrary = fc.record({
  format: fc.constantFrom<Format>('csv', 'tsv', 'dat', 'jsonl'),
  csvDelimiter: fc.constantFrom(',', ';'),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  header: fc.boolean(),
  bom: fc.boolean(),
  gzip: fc.boolean(),
  finalEol: fc.boolean(),
  leadKeeper: fc.boolean(),
  ids: fc.uniqueArray(idArbitrary, { minLength: 1, maxLength: 6 }),
  rows: fc.array(fc.tuple(fc.nat(), variant, fc.nat(9), fc.boolean()), { minLength: 1, maxLength: 25 }),
  purge: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  chunk: fc.integer({ min: 1, max: 48 }),
});

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The pieces of a file of this case (the oracle: each piece knows whose record it is). */
function piecesOf(c: Case, ids: string[]): Piece[] {
  const d = c.format === 'csv' ? c.csvDelimiter : c.format === 'tsv' ? '\t' : c.format === 'dat' ? '::' : '';
  const pieces: Piece[] = [];
  const header = c.format !== 'jsonl' && c.header;
  if (header) pieces.push({ text: ['user', 'item', 'rating'].join(d), kind: 'header' });
  // A headerless or JSON Lines file is read by its first record: the risky pieces come after a kept one.
  const risky = header || c.leadKeeper;
  if (c.leadKeeper) pieces.push(row(c, d, 'keeper', 'plain', 0, false));
  for (const [pick, kind, item, asNumber] of c.rows) {
    const user = ids[pick % ids.length];
    // A lone CR on the first line would make it a CR-only file: only after a first line without one.
    const crInside = kind === 'cr-inside' && (c.eol === '\r' || !risky);
    if (crInside || (!risky && (kind === 'bad-rating' || kind === 'broken' || kind === 'blank'))) {
      pieces.push(row(c, d, user, 'plain', item, asNumber));
      continue;
    }
    pieces.push(row(c, d, user, kind, item, asNumber));
  }
  return pieces;
}

function row(c: Case, d: string, user: string, kind: string, item: number, asNumber: boolean): Piece {
  const rating = kind === 'bad-rating' ? 'abc' : String((item % 5) + 1);
  if (kind === 'blank') return { text: '', kind: 'blank' };
  if (c.format === 'jsonl') {
    const id = asNumber && /^[1-9]\d{0,8}$/.test(user) ? Number(user) : user;
    if (kind === 'broken') return { text: `{"user": ${JSON.stringify(id)}, "item": "i${item}"`, kind: 'unreadable' };
    const value = kind === 'bad-rating' ? 'abc' : Number(rating);
    const good = kind !== 'bad-rating';
    return { text: JSON.stringify({ user: id, item: `i${item}`, rating: value }), user, kind: 'row', good };
  }
  // Spaces around an unquoted field are not part of it; a lone CR inside a line of an LF file is.
  const userText = kind === 'padded' && csvField(user, d, false) === user ? `  ${user} ` : user;
  const itemText = kind === 'cr-inside' ? `i${item}\rx` : `i${item}`;
  if (c.format !== 'csv') {
    // A record with the user field and nothing else: rejected by the build, still the user's.
    if (kind === 'broken') return { text: user, user, kind: 'row' };
    return { text: [userText, itemText, rating].join(d), user, kind: 'row', good: kind !== 'bad-rating' };
  }
  if (kind === 'broken') {
    // Broken quoting: in the user field itself (no readable user), or after it (the user field is read).
    if (asNumber) return { text: `"${user.replace(/"/g, '""')}"x${d}i${item}${d}1`, kind: 'unreadable' };
    return { text: [csvField(user, d, false), `"i"x`, rating].join(d), user, kind: 'row' };
  }
  const field = kind === 'multiline' ? `"i${item}${c.eol}more"` : itemText;
  const text = [userText !== user ? userText : csvField(user, d, kind === 'quoted'), field, rating].join(d);
  return { text, user, kind: 'row', good: kind !== 'bad-rating' };
}

/** The forms in which a record without a readable user field is taken to mention an id (the documented rule). */
function mentions(text: string, purged: Set<string>): boolean {
  return [...purged].some((id) =>
    [id, JSON.stringify(id).slice(1, -1), id.replaceAll('"', '""')].some((form) => text.includes(form)),
  );
}

function isRemoved(piece: Piece, purged: Set<string>): boolean {
  if (piece.kind === 'row') return purged.has(piece.user!);
  return piece.kind === 'unreadable' && mentions(piece.text, purged);
}

function join(pieces: Piece[], eol: string, finalEol: boolean): string {
  return pieces.map((p, k) => p.text + (k < pieces.length - 1 || finalEol ? eol : '')).join('');
}

function chunked(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

async function purge(
  bytes: Buffer,
  users: string[],
  label: string,
  chunk = 1 << 16,
  ingest = {},
): Promise<{ out: Buffer; result: PurgeResult }> {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (part: Buffer) => parts.push(part));
  const result = await purgeRows(chunked(bytes, chunk), { users: new Set(users), label, ingest }, sink);
  return { out: Buffer.concat(parts), result };
}

const NAMES: Record<Format, string> = { csv: 'f.csv', tsv: 'f.tsv', dat: 'f.dat', jsonl: 'f.jsonl' };

describe('purge against a brute-force filter (property)', () => {
  it('removes exactly the purged users’ records and keeps every other byte, in every format and container', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const ids = c.ids.filter((id) => allowed(c.format, c.eol, id));
        if (ids.length === 0) return;
        const pieces = piecesOf(c, ids);
        const purged = new Set(c.purge.map((k) => ids[k % ids.length]));
        const text = join(pieces, c.eol, c.finalEol);
        const bom = c.bom ? '\uFEFF' : '';
        const plain = Buffer.from(bom + text, 'utf8');
        const input = c.gzip ? gzipSync(plain) : plain;
        const label = NAMES[c.format] + (c.gzip ? '.gz' : '');

        // A ';' file whose first line opens a quoted field cannot be sniffed (as in the build): the config says it.
        const ingest = c.format === 'csv' && c.csvDelimiter === ';' ? { delimiter: ';' } : {};
        const { out, result } = await purge(input, [...purged], label, c.chunk, ingest);

        // The brute-force filter: the kept pieces, concatenated (each with its own line break).
        const kept = pieces.filter((p) => !isRemoved(p, purged));
        const last = pieces.length - 1;
        const expected = pieces
          .map((p, k) => ({ p, raw: p.text + (k < last || c.finalEol ? c.eol : '') }))
          .filter(({ p }) => kept.includes(p))
          .map(({ raw }) => raw)
          .join('');
        expect(out.length >= 2 && out[0] === 0x1f && out[1] === 0x8b).toBe(c.gzip);
        const outPlain = c.gzip ? gunzipSync(out) : out;
        expect(outPlain.toString('utf8')).toBe(bom + expected);
        const removedRows = pieces.filter((p) => p.kind === 'row' && purged.has(p.user!)).length;
        const removedUnreadable = pieces.filter((p) => p.kind === 'unreadable' && isRemoved(p, purged)).length;
        expect(result).toMatchObject({ compressed: c.gzip, removed: removedRows, removedUnreadable });
        expect(result.bytesOut).toBe(outPlain.length);

        // The build's reader: the purged file holds exactly the other users' rows.
        if (!pieces.some((p) => p.good)) return; // the build cannot read the original either
        const options = { ...ingest, fileName: label, maxRejectedShare: 1 };
        const before = await loadRatings(Readable.from([input]), options);
        expect(before.report.accepted + Object.values(before.report.rejected).reduce((s, r) => s + r.count, 0)).toBe(
          pieces.filter((p) => p.kind === 'row' || p.kind === 'unreadable').length,
        );
        if (!kept.some((p) => p.good)) return; // nothing left for the build to read
        const after = await loadRatings(Readable.from([out]), options);
        const notPurged = (entry: string) => !purged.has(entry.split('|')[0]);
        expect(entries(after.matrix)).toEqual(entries(before.matrix).filter(notPurged));
      }),
      { numRuns: 300 },
    );
  });
});
