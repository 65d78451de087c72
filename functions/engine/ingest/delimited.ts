import { UserInputError } from '../types.js';
import type { DelimitedColumns } from './columns.js';
import { QuotedRecord, trimChars } from './quoted-record.js';
import type { InteractionSink } from './sink.js';

/** Receives the physical lines of a file (without line breaks), in order. */
export interface LineConsumer {
  blankLines: number;
  line(buf: Buffer, start: number, end: number, lineNumber: number): void;
  /** End of input: report anything still open. */
  finish(): void;
}

export const MAX_BOUNDS = 64;

/**
 * CSV / TSV / '::' records. Each line is scanned once at byte level for delimiters (and, in CSV, quotes);
 * plain fields and simple quoted ones ("abc") go straight to the sink's fast path; lines with any other
 * quoting (doubled quotes, line breaks in a field, a quote mid-field) through RFC 4180 assembly.
 */
export class DelimitedParser implements LineConsumer {
  blankLines = 0;
  /** Lines with more fields than the first record (their extra fields are not read), and the first of them. */
  extraFieldLines = 0;
  firstExtra: { line: number; text: string } | undefined;
  private readonly delimiterBytes: Buffer;
  /** Start and end (exclusive) of each field of the current line, for the first MAX_BOUNDS fields. */
  private readonly starts = new Int32Array(MAX_BOUNDS);
  private readonly ends = new Int32Array(MAX_BOUNDS);
  private readonly needed: number;
  private readonly quoted: QuotedRecord;
  private readonly blanks: string;

  constructor(
    private readonly sink: InteractionSink,
    private readonly columns: DelimitedColumns,
    delimiter: string,
    /** Only CSV has quoting; in TSV and '::' files a quote is an ordinary character. */
    private readonly quoting: boolean,
    private readonly label: string,
    /** Fields of the first record (the header, or the first data line). */
    readonly fieldCount: number,
  ) {
    this.delimiterBytes = Buffer.from(delimiter, 'utf8');
    this.needed = Math.max(columns.user, columns.item, columns.rating, columns.timestamp, columns.type) + 1;
    if (this.needed > MAX_BOUNDS) {
      throw new UserInputError(
        `column positions must be below ${MAX_BOUNDS}`,
        'columns',
        'move the columns you need to the front of the file',
      );
    }
    this.quoted = new QuotedRecord(delimiter);
    this.blanks = [' ', '\t'].filter((c) => !delimiter.includes(c)).join('');
  }

  line(buf: Buffer, start: number, end: number, lineNumber: number): void {
    if (this.quoted.open) return this.continueQuoted(buf.toString('utf8', start, end));
    const delimiter = this.delimiterBytes;
    const first = delimiter[0];
    const width = delimiter.length;
    const starts = this.starts;
    const ends = this.ends;
    let fields = 0;
    let fieldStart = start;
    let quotedEnd = -1; // where the content of a simple quoted field ends, else -1
    let anyQuoted = false;
    for (let i = start; i < end; i++) {
      const byte = buf[i];
      if (byte === first && (width === 1 || matchesAt(buf, i, end, delimiter))) {
        if (fields < MAX_BOUNDS) {
          starts[fields] = fieldStart;
          ends[fields] = quotedEnd >= 0 ? quotedEnd : i;
        }
        fields++;
        i += width - 1;
        fieldStart = i + 1;
        quotedEnd = -1;
      } else if (byte === 0x22 && this.quoting) {
        // Stay on the fast path for a simple quoted field: "..." filling the whole field, no quote inside.
        // Anything else (doubled quotes, line breaks, a quote mid-field) is left to the RFC 4180 path.
        let close = i === fieldStart ? i + 1 : end;
        while (close < end && buf[close] !== 0x22) close++;
        const next = close + 1;
        if (
          close >= end ||
          (next < end && !(buf[next] === first && (width === 1 || matchesAt(buf, next, end, delimiter))))
        ) {
          return this.reparseQuoted(buf, start, end, lineNumber);
        }
        anyQuoted = true;
        fieldStart = i + 1;
        quotedEnd = close;
        i = close;
      }
    }
    if (fields < MAX_BOUNDS) {
      starts[fields] = fieldStart;
      ends[fields] = quotedEnd >= 0 ? quotedEnd : end;
    }
    fields++;
    if (fields === 1 && !anyQuoted && isBlank(buf, start, end)) {
      this.blankLines++;
      return;
    }
    if (fields < this.needed) return this.missingField(fields, lineNumber);
    if (fields > this.fieldCount) this.extraFields(lineNumber, buf.toString('utf8', start, end));
    const { user, item, rating, timestamp, type } = this.columns;
    const ratingStart = rating < 0 ? -1 : starts[rating];
    const ratingEnd = rating < 0 ? -1 : ends[rating];
    const timeStart = timestamp < 0 ? -1 : starts[timestamp];
    const timeEnd = timestamp < 0 ? -1 : ends[timestamp];
    const typeStart = type < 0 ? -1 : starts[type];
    const typeEnd = type < 0 ? -1 : ends[type];
    if (
      this.sink.addBytes(
        buf,
        starts[user],
        ends[user],
        starts[item],
        ends[item],
        ratingStart,
        ratingEnd,
        timeStart,
        timeEnd,
        typeStart,
        typeEnd,
      )
    )
      return;
    // Quoted fields must not be trimmed: the RFC 4180 path knows which were quoted.
    if (anyQuoted) return this.reparseQuoted(buf, start, end, lineNumber);
    this.sink.addText(
      this.text(buf, starts[user], ends[user]),
      this.text(buf, starts[item], ends[item]),
      rating < 0 ? undefined : this.text(buf, ratingStart, ratingEnd),
      timestamp < 0 ? undefined : this.text(buf, timeStart, timeEnd),
      lineNumber,
      type < 0 ? undefined : this.text(buf, typeStart, typeEnd),
    );
  }

  private reparseQuoted(buf: Buffer, start: number, end: number, lineNumber: number): void {
    this.quoted.start(lineNumber);
    this.continueQuoted(buf.toString('utf8', start, end));
  }

  private text(buf: Buffer, start: number, end: number): string {
    return trimChars(buf.toString('utf8', start, end), this.blanks);
  }

  finish(): void {
    if (this.quoted.open) {
      this.sink.reject(
        'bad-quoting',
        this.quoted.firstLine,
        'a quoted field opened on this line is never closed (the file ends inside it)',
      );
    }
  }

  private continueQuoted(text: string): void {
    const result = this.quoted.feed(text);
    if (result === 'more') return;
    const line = this.quoted.firstLine;
    if (result !== 'done') {
      if (this.quoted.open) {
        throw new UserInputError(
          `${this.label} line ${line}: ${result.problem}`,
          `${this.label}:${line}`,
          'a double quote that starts a field must be closed; double any quote inside a quoted field ("") or remove the stray quote',
        );
      }
      return this.sink.reject('bad-quoting', line, result.problem);
    }
    const fields = this.quoted.fields;
    if (fields.length < this.needed) return this.missingField(fields.length, line);
    if (fields.length > this.fieldCount) this.extraFields(line, fields.join(this.delimiterBytes.toString()));
    const { user, item, rating, timestamp, type } = this.columns;
    this.sink.addText(
      fields[user],
      fields[item],
      rating >= 0 ? fields[rating] : undefined,
      timestamp >= 0 ? fields[timestamp] : undefined,
      line,
      type >= 0 ? fields[type] : undefined,
    );
  }

  private extraFields(line: number, text: string): void {
    this.extraFieldLines++;
    this.firstExtra ??= { line, text };
  }

  private missingField(found: number, line: number): void {
    const roles = (['user', 'item', 'rating', 'timestamp', 'type'] as const)
      .filter((role) => this.columns[role] >= found)
      .map((role) => `${role} (column ${this.columns[role]})`);
    this.sink.reject('missing-field', line, `${found} field${found === 1 ? '' : 's'}, no ${roles.join(', ')}`);
  }
}

function matchesAt(buf: Buffer, at: number, end: number, delimiter: Buffer): boolean {
  if (at + delimiter.length > end) return false;
  for (let k = 1; k < delimiter.length; k++) if (buf[at + k] !== delimiter[k]) return false;
  return true;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0x20 && buf[i] !== 0x09) return false;
  return true;
}
