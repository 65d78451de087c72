/**
 * Which physical lines of an interaction file are records of given users, read the way the ingest reads them
 * (load-ratings.ts, delimited.ts, json-lines.ts): the same format choice, header detection and column mapping
 * (columns.ts, detect-format.ts), the same RFC 4180 assembly of quoted CSV records (quoted-record.ts), the same
 * user id text (unquoted fields trimmed of spaces and tabs, quoted ones as written, JSON numbers in their shortest
 * form). Lines arrive from ./raw-lines.ts; the kept ones leave unchanged, in order.
 *
 * Safety properties (test/engine/purge-rows.test.ts):
 * - A record goes whole: every physical line of a multi-line quoted record goes with it, nothing else does.
 * - Every other byte stays: header, blank lines, other records, line breaks, byte-order marks inside the file.
 * - A record whose user field holds a purged id goes, whatever the rest of it (a row the build rejects for its
 *   rating still holds the user). A record whose user field cannot be read (broken JSON, broken quoting, a line
 *   over the ingest's 1 MiB limit, too few fields) goes when its text holds a purged id: the build rejects such a
 *   record, so dropping it changes no model.
 * - Fatal where the build is: a file whose format or columns the ingest cannot resolve (the user column cannot be
 *   found) is a UserInputError, never read some other way.
 * - The user column is resolved without the event-type and time-decay options: they add requirements on other
 *   columns but never move the user's.
 */
import { UserInputError } from '../types.js';
import { detectHeader, resolveDelimitedColumns, resolveJsonColumns, type DelimitedColumns } from './columns.js';
import { MAX_BOUNDS } from './delimited.js';
import { chooseFormat } from './detect-format.js';
import { MAX_LINE_BYTES, parseFirstJson } from './load-ratings.js';
import { QuotedRecord, trimChars } from './quoted-record.js';
import type { RawLine } from './raw-lines.js';
import type { IngestFormat, IngestOptions } from './types.js';

/** How a file is read: what must not change when records are removed. */
export interface PurgeLayout {
  format: IngestFormat;
  delimiter: string;
  header: boolean;
  /** Every role's column: positions (delimited, JSON arrays) or keys (JSON objects). */
  columns: Record<string, string | number | boolean | undefined>;
}

export interface RecordCounts {
  /** Data records read (header and blank lines excluded). */
  records: number;
  /** Records whose user field holds a purged id. */
  removed: number;
  /** Records without a readable user field whose text holds a purged id. */
  removedUnreadable: number;
  /** Records removed, by purged id (readable user fields only). */
  removedByUser: Record<string, number>;
  /** The first physical line of the first removed records (up to {@link MAX_LINES_LISTED}). */
  removedLines: number[];
}

export const MAX_LINES_LISTED = 20;

interface Entry {
  bytes: Buffer;
  text: string;
  lineNumber: number;
  /** Over the ingest's line limit: a record of its own, read by nobody (decided apart from the record around it). */
  tooLong: boolean;
  /** Decided already (a too-long line inside an open quoted record): kept or not. */
  keep?: boolean;
}

export class RecordFilter {
  readonly counts: RecordCounts = {
    records: 0,
    removed: 0,
    removedUnreadable: 0,
    removedByUser: {},
    removedLines: [],
  };
  layout: PurgeLayout | undefined;
  private readonly options: IngestOptions;
  private readonly forms: string[];
  private lineNumber = 0;
  /** Lines of the first CSV record while its quoted field spans lines (the layout is not known yet). */
  private first: { record: QuotedRecord; entries: Entry[]; format: IngestFormat; delimiter: string } | undefined;
  /** An open multi-line quoted record after the layout: its lines so far. */
  private open: Entry[] | undefined;
  private delimited: { columns: DelimitedColumns; delimiter: Buffer; quoting: boolean; blanks: string } | undefined;
  private quoted: QuotedRecord | undefined;
  private json: { user: string | number } | undefined;

  constructor(
    private readonly users: ReadonlySet<string>,
    ingest: IngestOptions,
    private readonly label: string,
    private readonly emit: (bytes: Buffer) => void,
  ) {
    const columns = ingest.columns && { ...ingest.columns, type: undefined };
    this.options = { ...ingest, events: undefined, halfLifeDays: undefined, columns, fileName: label };
    const forms = [...users].flatMap((id) => [id, JSON.stringify(id).slice(1, -1), id.replaceAll('"', '""')]);
    this.forms = [...new Set(forms)];
  }

  line(raw: RawLine): void {
    this.lineNumber++;
    let start = 0;
    const { bytes, contentEnd } = raw;
    // As the ingest does: a byte-order mark starting a line is not part of it.
    if (contentEnd >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
    const tooLong = raw.body > MAX_LINE_BYTES;
    const text = tooLong ? bytes.toString('utf8') : bytes.toString('utf8', start, contentEnd);
    const entry: Entry = { bytes, text, lineNumber: this.lineNumber, tooLong };
    if (this.layout === undefined) this.beforeLayout(entry);
    else this.record(entry);
  }

  /** End of input: a record still open is one the build rejects (bad quoting). */
  finish(): void {
    if (this.first) {
      const { record, entries, format, delimiter } = this.first;
      this.first = undefined;
      this.decideDelimited(record.fields, entries, format, delimiter);
    }
    if (this.open) {
      const entries = this.open;
      this.open = undefined;
      this.decide(entries, this.partialUser());
    }
  }

  private beforeLayout(entry: Entry): void {
    if (entry.tooLong) {
      if (this.first === undefined) return this.alone(entry);
      // Inside the first record: decided now, kept in its place among the record's lines.
      this.predecide(entry);
      this.first.entries.push(entry);
      return;
    }
    if (this.first) {
      this.first.entries.push(entry);
      if (this.first.record.feed(entry.text) === 'more') return;
      const { record, entries, format, delimiter } = this.first;
      this.first = undefined;
      return this.decideDelimited(record.fields, entries, format, delimiter);
    }
    if (entry.text.trim() === '') return this.emit(entry.bytes);
    const { format, delimiter } = chooseFormat(this.options, this.label, entry.text, entry.lineNumber, []);
    if (format === 'jsonl') {
      const first = parseFirstJson(entry.text, this.label, entry.lineNumber);
      const columns = resolveJsonColumns(this.options, first, this.label, []);
      this.layout = { format, delimiter, header: false, columns: { ...columns } };
      this.json = { user: columns.user };
      return this.record(entry);
    }
    if (format === 'csv' && entry.text.includes('"')) {
      const record = new QuotedRecord(delimiter);
      record.start(entry.lineNumber);
      if (record.feed(entry.text) === 'more') {
        this.first = { record, entries: [entry], format, delimiter };
        return;
      }
      return this.decideDelimited(record.fields, [entry], format, delimiter);
    }
    const fields = entry.text.split(delimiter).map((field) => field.trim());
    this.decideDelimited(fields, [entry], format, delimiter);
  }

  /** The first record decides: header or data, which column is which (as load-ratings.ts decideDelimited). */
  private decideDelimited(fields: string[], entries: Entry[], format: IngestFormat, delimiter: string): void {
    const header = detectHeader(this.options, fields);
    const columns = resolveDelimitedColumns(this.options, header ? fields : undefined, fields.length, this.label, []);
    const needed = Math.max(columns.user, columns.item, columns.rating, columns.timestamp) + 1;
    if (needed > MAX_BOUNDS) {
      throw new UserInputError(
        `column positions must be below ${MAX_BOUNDS}`,
        'columns',
        'move the columns you need to the front of the file',
      );
    }
    this.layout = { format, delimiter, header, columns: { ...columns, type: undefined } };
    const blanks = [' ', '\t'].filter((c) => !delimiter.includes(c)).join('');
    this.delimited = { columns, delimiter: Buffer.from(delimiter, 'utf8'), quoting: format === 'csv', blanks };
    this.quoted = new QuotedRecord(delimiter);
    if (header) {
      for (const entry of entries) if (entry.keep ?? true) this.emit(entry.bytes);
      return;
    }
    for (const entry of entries) this.record(entry);
  }

  private record(entry: Entry): void {
    if (entry.tooLong) return this.alone(entry);
    if (this.json) return this.jsonRecord(entry);
    const delimited = this.delimited!;
    const quoted = this.quoted!;
    if (this.open) {
      this.open.push(entry);
      return this.feedQuoted(entry);
    }
    if (delimited.quoting && entry.text.includes('"')) {
      this.open = [entry];
      quoted.start(entry.lineNumber);
      return this.feedQuoted(entry);
    }
    const userAt = delimited.columns.user;
    const fields = entry.text.split(delimited.delimiter.toString());
    if (fields.length === 1 && /^[ \t]*$/.test(entry.text)) return this.emit(entry.bytes); // a blank line
    const user = userAt < fields.length ? trimChars(fields[userAt], delimited.blanks) : undefined;
    this.decide([entry], user);
  }

  private feedQuoted(entry: Entry): void {
    const quoted = this.quoted!;
    const result = quoted.feed(entry.text);
    if (result === 'more') return;
    if (result !== 'done' && quoted.open) {
      // The ingest stops here (a quoted field open past 1 Mi characters): the build cannot read the file.
      throw new UserInputError(
        `${this.label} line ${quoted.firstLine}: ${result.problem}`,
        `${this.label}:${quoted.firstLine}`,
        'a double quote that starts a field must be closed; double any quote inside a quoted field ("") or remove the stray quote',
      );
    }
    const entries = this.open!;
    this.open = undefined;
    this.decide(entries, this.partialUser());
  }

  /** The user field of the quoted record read so far (a broken record's fields before the break). */
  private partialUser(): string | undefined {
    const fields = this.quoted?.fields ?? [];
    const at = this.delimited?.columns.user ?? 0;
    return at < fields.length ? fields[at] : undefined;
  }

  private jsonRecord(entry: Entry): void {
    if (entry.text.trim() === '') return this.emit(entry.bytes);
    this.decide([entry], jsonUser(entry.text, this.json!.user));
  }

  /** A line over the ingest's limit: read by nobody, removed only when its text holds a purged id. */
  private alone(entry: Entry): void {
    if (entry.keep === undefined) this.predecide(entry);
    if (this.open) this.open.push(entry);
    else if (entry.keep) this.emit(entry.bytes);
  }

  private predecide(entry: Entry): void {
    entry.keep = !this.mentions(entry.text);
    if (entry.keep) this.counts.records++;
    else this.count(undefined, entry.lineNumber);
  }

  /** Keep or drop a whole record; `user` undefined = no readable user field. */
  private decide(entries: Entry[], user: string | undefined): void {
    const own = entries.filter((e) => e.keep === undefined);
    const text = own.map((e) => e.text).join('\n');
    const remove = user !== undefined ? this.users.has(user) : text.trim() !== '' && this.mentions(text);
    if (remove) this.count(user, own[0]?.lineNumber ?? entries[0].lineNumber);
    else this.counts.records++;
    for (const entry of entries) if (entry.keep ?? !remove) this.emit(entry.bytes);
  }

  private count(user: string | undefined, line: number): void {
    const counts = this.counts;
    counts.records++;
    if (user === undefined) counts.removedUnreadable++;
    else {
      counts.removed++;
      counts.removedByUser[user] = (counts.removedByUser[user] ?? 0) + 1;
    }
    if (counts.removedLines.length < MAX_LINES_LISTED) counts.removedLines.push(line);
  }

  private mentions(text: string): boolean {
    for (const form of this.forms) if (form !== '' && text.includes(form)) return true;
    return false;
  }
}

/** The user id of a JSON Lines record as json-lines.ts reads it; undefined when it has none it can read. */
function jsonUser(text: string, ref: string | number): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined; // bad JSON (or nested too deep to parse: a RangeError)
  }
  const byPosition = typeof ref === 'number';
  if (record === null || typeof record !== 'object' || Array.isArray(record) !== byPosition) return undefined;
  const value = (record as Record<string | number, unknown>)[ref];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
