/**
 * Streaming parse of an item catalogue (CSV, TSV or JSON Lines, gzip or not) into entries and a data-quality
 * report, on ingest's own pieces: the byte source (gzip by magic bytes, BOM dropped, UTF-16 refused), the bounded
 * line splitter, RFC 4180 record assembly, the rejection counter and the limit guard.
 *
 * Safety properties (each tested in test/engine/catalogue-parse.test.ts):
 * - Per-line quality: a bad record is rejected with its reason and physical line number (the header is line 1)
 *   and the parse goes on; rowsRead = accepted + rejected; above `maxRejectedShare` the parse fails naming the
 *   reasons and lines.
 * - Bounded: no line is buffered past MAX_LINE_BYTES (longer: rejected `line-too-long`); the ingest limits (bytes
 *   after decompression, rows, distinct items) stop the parse at once with an IngestLimitError; every entry keeps
 *   the bounds of types.ts, so each fits one store row.
 * - Never silent: unknown columns are listed, a cut text is counted, a repeated item is counted (the later row wins).
 * Format: by the file name's extension (`.csv`, `.tsv`, `.jsonl`, after `.gz`). CSV and TSV need a header.
 */
import { UserInputError } from '../types.js';
import { LimitGuard, type IngestLimits, type LimitHint } from '../ingest/limits.js';
import { LineSplitter } from '../ingest/lines.js';
import { MAX_LINE_BYTES } from '../ingest/load-ratings.js';
import { QuotedRecord, trimChars } from '../ingest/quoted-record.js';
import { Rejections } from '../ingest/rejections.js';
import { DEFAULT_MAX_REJECTED_SHARE } from '../ingest/rejected-share.js';
import { openSource } from '../ingest/source.js';
import { ColumnRoles, resolveHeader } from './columns.js';
import { buildEntry, type RawRecord } from './entry.js';
import type {
  CatalogueEntry,
  CatalogueFormat,
  CatalogueOptions,
  CatalogueRejection,
  CatalogueReport,
  ColumnField,
} from './types.js';

export interface ParseCatalogueOptions extends CatalogueOptions {
  /** The file's name (its extension decides the format) and the label in messages. */
  fileName: string;
  limits?: IngestLimits;
  limitHint?: LimitHint;
  /** Size of the input as stored (compressed for a gzip), for the limit guard. */
  expectedBytes?: number;
  maxRejectedShare?: number;
  /** Line numbers kept per rejection reason (default 10). */
  maxErrorLines?: number;
}

export interface Catalogue {
  /** By item id, in file order of first appearance. */
  entries: Map<string, CatalogueEntry>;
  report: CatalogueReport;
}

export function catalogueFormatOf(fileName: string): CatalogueFormat | undefined {
  const match = /\.(csv|tsv|jsonl)(?:\.gz)?$/i.exec(fileName);
  return match ? (match[1].toLowerCase() as CatalogueFormat) : undefined;
}

export async function parseCatalogue(
  source: string | NodeJS.ReadableStream,
  options: ParseCatalogueOptions,
): Promise<Catalogue> {
  const label = options.fileName;
  const format = catalogueFormatOf(label);
  if (format === undefined) {
    throw new UserInputError(
      `${label} is not a catalogue file name: the format comes from its extension`,
      label,
      'name it items.csv, items.tsv or items.jsonl (optionally .gz)',
    );
  }
  const input = await openSource(source, label);
  const guard = new LimitGuard(
    options.limits ?? {},
    label,
    {
      rawBytes: input.fileBytes ?? options.expectedBytes,
      compressed: input.compressed,
      rawBytesRead: input.rawBytesRead,
    },
    undefined,
    options.limitHint,
  );
  const parser = new CatalogueLines(format, options, label);
  const splitter = new LineSplitter(
    MAX_LINE_BYTES,
    (buf, start, end) => {
      if (end > start && buf[end - 1] === 0x0d) end--;
      parser.line(buf.toString('utf8', start, end));
      guard.checkCounts(parser.rowsRead, 0, parser.entries.size, parser.lineNumber);
    },
    () => parser.tooLong(),
  );
  for await (const chunk of input.chunks) {
    guard.addBytes(chunk.length, parser.lineNumber + 1);
    splitter.push(chunk);
  }
  splitter.end();
  parser.finish();
  const report = parser.report(input.compressed);
  checkShare(report, parser.rejections, options.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE, label);
  return { entries: parser.entries, report };
}

/** The records of one file, line by line. */
class CatalogueLines {
  readonly entries = new Map<string, CatalogueEntry>();
  readonly rejections: Rejections<CatalogueRejection>;
  lineNumber = 0;
  rowsRead = 0;
  private blankLines = 0;
  private accepted = 0;
  private textsCut = 0;
  private readonly duplicates = { count: 0, lines: [] as number[] };
  private readonly roles: ColumnRoles;
  private header:
    | { fields: Map<ColumnField, number>; attributes: Map<string, number>; names: string[]; unknownAt: number[] }
    | undefined;
  private readonly unknownColumns = new Map<string, number>();
  private readonly columnsSeen: Partial<Record<ColumnField, string>> = {};
  private readonly record: QuotedRecord | undefined;
  private readonly warnings: string[] = [];

  constructor(
    private readonly format: CatalogueFormat,
    private readonly options: ParseCatalogueOptions,
    private readonly label: string,
  ) {
    this.rejections = new Rejections(options.maxErrorLines ?? 10);
    this.roles = new ColumnRoles(options);
    this.record = format === 'csv' ? new QuotedRecord(',') : undefined;
  }

  line(text: string): void {
    this.lineNumber++;
    if (this.record?.open) return this.feed(text);
    if (text.trim() === '') {
      this.blankLines++;
      return;
    }
    if (this.format === 'jsonl') return this.json(text);
    if (this.record) {
      this.record.start(this.lineNumber);
      return this.feed(text);
    }
    this.fields(
      text.split('\t').map((field) => trimChars(field, ' ')),
      this.lineNumber,
    );
  }

  tooLong(): void {
    this.lineNumber++;
    this.reject(
      'line-too-long',
      this.lineNumber,
      `longer than ${MAX_LINE_BYTES} bytes: skipped up to its line break`,
      true,
    );
  }

  finish(): void {
    if (this.record?.open) {
      this.reject('bad-quoting', this.record.firstLine, 'a quoted field opened on this line is never closed', true);
    }
    if (this.header === undefined && this.format !== 'jsonl') {
      throw new UserInputError(`${this.label} is empty`, this.label, 'upload a header line, then one item per line');
    }
    if (this.rowsRead === 0) {
      throw new UserInputError(`${this.label} has no items`, this.label, 'add one item per line');
    }
    if (this.accepted === 0) {
      throw new UserInputError(
        `${this.label} has no usable rows: all ${this.rowsRead} were rejected — ${this.rejections.summary()}`,
        this.label,
        'fix the lines above, or check the catalogue columns in the dataset config',
      );
    }
  }

  report(compressed: boolean): CatalogueReport {
    const warnings = [...this.warnings];
    const unknownColumns = [...this.unknownColumns].map(([name, records]) => ({ name, records }));
    if (unknownColumns.length > 0) {
      warnings.push(
        `not read (no field or declared attribute): ${unknownColumns.map((c) => `'${c.name}'`).join(', ')}; ` +
          'declare custom columns in catalogue.attributes, or map them in catalogue.columns',
      );
    }
    if (this.duplicates.count > 0) {
      warnings.push(
        `${this.duplicates.count} row${this.duplicates.count === 1 ? '' : 's'} repeated an item of an earlier row: the later row replaced it (e.g. line ${this.duplicates.lines[0]})`,
      );
    }
    if (this.rejections.total > 0)
      warnings.push(`${this.rejections.total} of ${this.rowsRead} rows rejected: ${this.rejections.summary()}`);
    return {
      file: this.label,
      format: this.format,
      compressed,
      rowsRead: this.rowsRead,
      blankLines: this.blankLines,
      accepted: this.accepted,
      duplicates: this.duplicates,
      items: this.entries.size,
      rejected: this.rejections.byReason,
      columns: this.columnsSeen,
      attributes: [...(this.options.attributes ?? [])],
      unknownColumns,
      textsCut: this.textsCut,
      warnings,
    };
  }

  private feed(text: string): void {
    const record = this.record as QuotedRecord;
    const result = record.feed(text);
    if (result === 'more') return;
    if (result === 'done') return this.fields(record.fields, record.firstLine);
    if (record.open) {
      throw new UserInputError(
        `${this.label} line ${record.firstLine}: ${result.problem}`,
        `${this.label}:${record.firstLine}`,
        'a double quote that starts a field must be closed; double any quote inside a quoted field ("")',
      );
    }
    if (this.header === undefined) {
      throw new UserInputError(
        `${this.label}: the header line ${record.firstLine} cannot be read: ${result.problem}`,
        `${this.label}:${record.firstLine}`,
        'write the column names on the first line, separated by commas',
      );
    }
    this.reject('bad-quoting', record.firstLine, result.problem, true);
  }

  /** A CSV/TSV record: the header first, then data. */
  private fields(values: string[], line: number): void {
    if (this.header === undefined) {
      const resolved = resolveHeader(values, this.options, this.label);
      const unknownAt = values.flatMap((name, k) => (resolved.unknown.includes(name) ? [k] : []));
      this.header = { ...resolved, names: values, unknownAt };
      for (const [field, index] of resolved.fields) this.columnsSeen[field] = values[index];
      for (const name of resolved.unknown) this.unknownColumns.set(name, 0);
      return;
    }
    this.rowsRead++;
    const { fields, attributes, names, unknownAt } = this.header;
    const raw: RawRecord = { fields: {}, attributes: new Map(), text: true };
    for (const [field, index] of fields) raw.fields[field] = values[index];
    for (const [name, index] of attributes) raw.attributes.set(name, values[index]);
    // Counted per record that has a value there (the header alone says nothing about use).
    for (const at of unknownAt) {
      if ((values[at] ?? '') !== '') this.unknownColumns.set(names[at], (this.unknownColumns.get(names[at]) ?? 0) + 1);
    }
    if (values.length > names.length) {
      this.reject('bad-value', line, `${values.length} fields, more than the header's ${names.length}`);
      return;
    }
    this.accept(raw, line);
  }

  private json(text: string): void {
    this.rowsRead++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return this.reject('bad-json', this.lineNumber, `not valid JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return this.reject('bad-json', this.lineNumber, 'expected a JSON object');
    const raw: RawRecord = { fields: {}, attributes: new Map(), text: false };
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const role = this.roles.roleOf(key);
      if (role === 'unknown') {
        if (this.unknownColumns.size < 100 || this.unknownColumns.has(key))
          this.unknownColumns.set(key, (this.unknownColumns.get(key) ?? 0) + 1);
      } else if ('field' in role) {
        if (raw.fields[role.field] === undefined) raw.fields[role.field] = field;
        this.columnsSeen[role.field] ??= key;
      } else raw.attributes.set(role.attribute, field);
    }
    this.accept(raw, this.lineNumber);
  }

  private accept(raw: RawRecord, line: number): void {
    const built = buildEntry(raw);
    if ('reason' in built) return this.reject(built.reason, line, built.problem);
    this.accepted++;
    if (built.textCut) this.textsCut++;
    const { entry } = built;
    if (this.entries.has(entry.item)) {
      this.duplicates.count++;
      if (this.duplicates.lines.length < 10) this.duplicates.lines.push(line);
      this.entries.delete(entry.item); // the later row takes the later position too
    }
    this.entries.set(entry.item, entry);
  }

  /** A rejected record; `uncounted` when it was not counted in rowsRead yet (rejected before its fields were read). */
  private reject(reason: CatalogueRejection, line: number, problem: string, uncounted = false): void {
    if (uncounted) this.rowsRead++;
    this.rejections.add(reason, line, problem);
  }
}

function checkShare(
  report: CatalogueReport,
  rejections: Rejections<CatalogueRejection>,
  maxShare: number,
  label: string,
): void {
  if (rejections.total <= maxShare * report.rowsRead) return;
  const percent = ((100 * rejections.total) / report.rowsRead).toFixed(1);
  throw new UserInputError(
    `${label}: ${rejections.total} of ${report.rowsRead} catalogue rows were rejected (${percent}%), more than ` +
      `maxRejectedShare ${maxShare} allows — ${rejections.summary()}`,
    label,
    'fix the rejected lines (each reason names its lines), or check catalogue.columns; or raise maxRejectedShare',
  );
}
