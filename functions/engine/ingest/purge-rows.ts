/**
 * Purging users from an interaction file: stream in, stream out, every record of the given users removed and every
 * other byte kept. The records are found as the build reads the file (./purge-records.ts); gzip is recognised by
 * its magic bytes as the ingest does (./source.ts) and the output is gzip-compressed again.
 *
 * Safety properties (test/engine/purge-rows.test.ts, each against a brute-force filter):
 * - Exact: the output (decompressed) is the input without the removed records' lines, byte for byte: header,
 *   line breaks (LF, CRLF, CR), quoting, blank lines and a leading byte-order mark stay.
 * - Streamed: the input is never held whole; memory is one record (a line is read whole, up to 64 MiB).
 * - Same reading: ./purge-verify.ts checks that the build reads the output as the input minus the removed rows
 *   (a removed first record can change how the rest of a file is read).
 * - Fatal as the build is: a file the ingest cannot read (unknown format, columns not found, corrupt gzip, UTF-16)
 *   is a UserInputError naming it; nothing is written for it by the caller.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { UserInputError } from '../types.js';
import { RecordFilter, type PurgeLayout, type RecordCounts } from './purge-records.js';
import { RawLineSplitter } from './raw-lines.js';
import { gunzip } from './source.js';
import type { IngestOptions } from './types.js';
import { MAX_ID_BYTES, parseId } from './values.js';

export interface PurgeRowsOptions {
  /** External user ids, as the build reads them. */
  users: ReadonlySet<string>;
  /** The dataset's parsing options (config `input`, `implicit`): the build's. */
  ingest?: IngestOptions;
  /** The file's name (an object key): its extension counts in the format choice, as in the build. */
  label: string;
  /** Stop reading once the layout is known (its first record read): for comparing layouts only. */
  layoutOnly?: boolean;
}

export interface PurgeResult extends RecordCounts {
  /** How the file is read; undefined for a file without any record (empty or blank). */
  layout: PurgeLayout | undefined;
  compressed: boolean;
  /** Decompressed bytes read and written. */
  bytesIn: number;
  bytesOut: number;
}

/**
 * Reads `input` (an object's bytes as stored) and writes the file without the users' records to `output` (as
 * stored: gzip when the input was), or only counts when `output` is undefined. Resolves when `output` is finished.
 */
export async function purgeRows(
  input: AsyncIterable<Buffer>,
  options: PurgeRowsOptions,
  output?: Writable,
): Promise<PurgeResult> {
  checkUsers(options.users);
  const { label } = options;
  const iterator = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const step = await iterator.next();
    if (step.done) break;
    head = Buffer.concat([head, step.value]);
  }
  const compressed = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const raw = rest(head, iterator);
  const plain = compressed ? gunzip(raw, createGunzip({ chunkSize: 1 << 18 }), label) : raw;
  const result: PurgeResult = {
    layout: undefined,
    compressed,
    bytesIn: 0,
    bytesOut: 0,
    records: 0,
    removed: 0,
    removedUnreadable: 0,
    removedByUser: {},
    removedLines: [],
  };
  const lines = filtered(plain, options, result);
  if (output === undefined) {
    for await (const chunk of lines) void chunk;
  } else if (compressed) {
    await pipeline(Readable.from(lines), createGzip(), output);
  } else {
    await pipeline(Readable.from(lines), output);
  }
  return result;
}

async function* rest(head: Buffer, iterator: AsyncIterator<Buffer>): AsyncIterable<Buffer> {
  try {
    if (head.length > 0) yield head;
    for (;;) {
      const step = await iterator.next();
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** The kept bytes, chunk by chunk (a chunk's kept lines are yielded together). */
async function* filtered(plain: AsyncIterable<Buffer>, options: PurgeRowsOptions, result: PurgeResult) {
  let out: Buffer[] = [];
  const emit = (bytes: Buffer) => {
    out.push(bytes);
    result.bytesOut += bytes.length;
  };
  const filter = new RecordFilter(options.users, options.ingest ?? {}, options.label, emit);
  const splitter = new RawLineSplitter(options.label, (line) => filter.line(line));
  let start: Buffer | undefined = Buffer.alloc(0); // the first bytes, until a byte-order mark can be told
  const drain = () => {
    const ready = out;
    out = [];
    return ready.length === 1 ? ready[0] : Buffer.concat(ready);
  };
  for await (const chunk of plain) {
    result.bytesIn += chunk.length;
    if (start !== undefined) {
      start = Buffer.concat([start, chunk]);
      if (start.length < 3) continue;
      splitter.push(leadingMark(start, options.label, emit));
      start = undefined;
    } else {
      splitter.push(chunk);
    }
    if (out.length > 0) yield drain();
    if (options.layoutOnly && filter.layout !== undefined) {
      result.layout = filter.layout;
      return; // leaving the loop closes the input
    }
  }
  if (start !== undefined && start.length > 0) splitter.push(leadingMark(start, options.label, emit));
  splitter.end();
  filter.finish();
  result.layout = filter.layout;
  Object.assign(result, filter.counts);
  if (out.length > 0) yield drain();
}

/** A UTF-8 byte-order mark at the start is kept in the output but not read; UTF-16 is refused as by the ingest. */
function leadingMark(head: Buffer, label: string, emit: (bytes: Buffer) => void): Buffer {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new UserInputError(
      `${label} is UTF-16 encoded`,
      label,
      'save it as UTF-8 (e.g. "CSV UTF-8" in a spreadsheet)',
    );
  }
  if (head[0] !== 0xef || head[1] !== 0xbb || head[2] !== 0xbf) return head;
  emit(head.subarray(0, 3));
  return head.subarray(3);
}

/** Ids the build could hold: 1..MAX_ID_BYTES UTF-8 bytes of valid text. */
function checkUsers(users: ReadonlySet<string>): void {
  if (users.size === 0) throw new UserInputError('no user ids given', '--user', 'name at least one user to purge');
  for (const id of users) {
    const parsed = parseId(id, 'user');
    if (!parsed.ok) {
      throw new UserInputError(
        `${parsed.problem}: no build reads such an id`,
        '--user',
        `give ids as they appear in the files (1 to ${MAX_ID_BYTES} UTF-8 bytes)`,
      );
    }
  }
}
