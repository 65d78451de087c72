/**
 * Splits a stream into the physical lines the ingest reads (./lines.ts), each with its own line break, so a filter can
 * drop whole lines and copy every other byte as it was.
 *
 * Safety properties (test/engine/purge-rows.test.ts, "line splitting"):
 * - The ingest's lines: LF ends a line and a CR right before it belongs to the break (load-ratings.ts strips it);
 *   when the input's first line break is a lone CR, CR, LF and CRLF all end a line (CRLF once), whatever the chunks.
 * - Lossless: the lines' bytes, concatenated in order, are the input.
 * - `body` is what LineSplitter measures against its line limit (the bytes before the break, a CR of CRLF included
 *   in LF mode), so a line the ingest rejects as too long is known here too.
 * - Bounded: a line past {@link MAX_RAW_LINE_BYTES} is a UserInputError (the purge must read a line whole to judge it).
 */
import { UserInputError } from '../types.js';

const LF = 0x0a;
const CR = 0x0d;

/** The longest physical line the purge reads whole (the ingest skips any line past 1 MiB: see load-ratings.ts). */
export const MAX_RAW_LINE_BYTES = 64 << 20;

export interface RawLine {
  /** The line and its break. */
  bytes: Buffer;
  /** End of the content the ingest parses (no CR/LF). */
  contentEnd: number;
  /** Bytes LineSplitter counts against its limit: before the break, LF mode's CR included. */
  body: number;
}

export class RawLineSplitter {
  private mode: 'undecided' | 'lf' | 'cr' = 'undecided';
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** A line that ended in a CR at the end of a chunk: the next byte says whether an LF belongs to its break. */
  private held: Buffer | undefined;

  constructor(
    private readonly label: string,
    private readonly onLine: (line: RawLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let position = 0;
    if (this.held !== undefined && chunk.length > 0) {
      const line = this.held;
      this.held = undefined;
      if (chunk[0] === LF) {
        if (this.mode === 'undecided') this.mode = 'lf';
        this.emitLine(Buffer.concat([line, chunk.subarray(0, 1)]));
        position = 1;
      } else {
        if (this.mode === 'undecided') this.mode = 'cr';
        this.emitLine(line);
      }
    }
    while (position < chunk.length) {
      const at = this.nextBreak(chunk, position);
      if (at < 0) break;
      const isCr = chunk[at] === CR;
      if (isCr && this.mode !== 'lf') {
        // A CR ends the line in CR mode, and decides the mode when it is the input's first break.
        if (at + 1 === chunk.length) {
          this.held = this.take(chunk, position, at + 1);
          return;
        }
        const crlf = chunk[at + 1] === LF;
        if (this.mode === 'undecided') this.mode = crlf ? 'lf' : 'cr';
        const end = crlf ? at + 2 : at + 1;
        this.emitLine(this.take(chunk, position, end));
        position = end;
        continue;
      }
      if (this.mode === 'undecided') this.mode = 'lf';
      this.emitLine(this.take(chunk, position, at + 1));
      position = at + 1;
    }
    if (position < chunk.length) this.append(chunk.subarray(position));
  }

  /** End of input: a held line, or the last line when it has no line break. */
  end(): void {
    if (this.held !== undefined) {
      const line = this.held;
      this.held = undefined;
      this.emitLine(line);
    }
    if (this.carryBytes > 0) this.emitLine(this.take(Buffer.alloc(0), 0, 0));
  }

  /** The next byte that can end a line: LF only in LF mode, else CR or LF. */
  private nextBreak(chunk: Buffer, from: number): number {
    const lf = chunk.indexOf(LF, from);
    if (this.mode === 'lf') return lf;
    const cr = chunk.indexOf(CR, from);
    if (cr < 0) return lf;
    return lf < 0 || cr < lf ? cr : lf;
  }

  /** The carried bytes and chunk[start, end) as one line. */
  private take(chunk: Buffer, start: number, end: number): Buffer {
    if (this.carryBytes === 0) return chunk.subarray(start, end);
    const line = Buffer.concat([...this.carry, chunk.subarray(start, end)]);
    this.carry = [];
    this.carryBytes = 0;
    return line;
  }

  private append(part: Buffer): void {
    this.carry.push(part);
    this.carryBytes += part.length;
    if (this.carryBytes > MAX_RAW_LINE_BYTES) {
      throw new UserInputError(
        `${this.label} has a line longer than ${MAX_RAW_LINE_BYTES >> 20} MiB: the purge cannot tell whose it is`,
        this.label,
        'the build skips such a line (over 1 MiB); remove it from the file and run the purge again',
      );
    }
  }

  private emitLine(bytes: Buffer): void {
    const n = bytes.length;
    let contentEnd = n;
    let body = n;
    if (n > 0 && bytes[n - 1] === LF) {
      contentEnd = n - 1;
      body = n - 1;
      if (contentEnd > 0 && bytes[contentEnd - 1] === CR) {
        contentEnd--;
        if (this.mode === 'cr') body--; // CRLF is one break in CR mode; in LF mode the CR counts as the line's
      }
    } else if (n > 0 && bytes[n - 1] === CR) {
      contentEnd = n - 1;
      body = this.mode === 'lf' ? n : n - 1;
    }
    this.onLine({ bytes, contentEnd, body });
  }
}
