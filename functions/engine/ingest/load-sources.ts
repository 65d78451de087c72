/**
 * Many interaction files -> one InteractionLog / RatingMatrix: a dataset's interactions are the union of its files.
 * A layer over the per-stream ingest (load-ratings.ts): each file is parsed on its own (its format, header, columns
 * and rejections are its own), then appended to one log in the order given (the build passes upload order).
 *
 * Safety properties (test/engine/ingest-sources.test.ts):
 * - One duplicate rule across files: the log keeps the files' rows in the order given, so buildRatingMatrix's
 *   rule (latest timestamp wins; on a tie or without timestamps, the last row) reads "the later file wins".
 *   Each file's report counts its own rows that lost to a later row (in the same file or another).
 * - Limits apply to the total: rows, distinct users and items and the memory estimate count every file read so
 *   far; past a limit the parse stops with an IngestLimitError naming the file and the total. The byte limit and
 *   the rejection threshold apply to each file (a bomb or a broken file is one file).
 * - Nothing hidden: every file has its entry (rows, accepted, rejected, duplicates, warnings) in `sources`.
 * - Erasure: with `exclude`, rows of excluded users and items are dropped as each file joins the log
 *   (./exclusion.ts), counted in `erased` (in total and per file), never named.
 */
import { buildRatingMatrix, InteractionLog } from '../data/index.js';
import { UserInputError, type RatingMatrix } from '../types.js';
import { IngestLimitError, DEFAULT_MEMORY_COST, DEFAULT_LIMIT_HINT, group, type IngestLimits } from './limits.js';
import { ingestToLog, type IngestSource } from './load-ratings.js';
import { completeReport } from './report.js';
import { mergeEventTypeReports } from './event-types.js';
import { combineOptionsOf, describeRule, weightingReport } from './weighting.js';
import { ExclusionFilter } from './exclusion.js';
import type {
  IngestFormat,
  IngestOptions,
  LogReport,
  QualityReport,
  RejectionReason,
  RejectionSummary,
} from './types.js';

/** One interaction file: opened only when its turn comes (a dataset may have a thousand). */
export interface InteractionSource {
  /** Shown in messages and the report (the build passes the object key). */
  name: string;
  open(): Promise<IngestSource>;
  /** Stored size in bytes (compressed, for a gzip), when known. */
  size?: number;
  /**
   * How this file alone is parsed, over the dataset's options (the build's live-event files are JSON Lines with
   * their own field names, whatever the config says of the uploads).
   */
  options?: Pick<IngestOptions, 'format' | 'header' | 'delimiter' | 'columns'>;
}

export interface SourceReport {
  file: string;
  format: IngestFormat;
  compressed: boolean;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Accepted rows of this file replaced by a later row with the same (user, item). */
  duplicatesDropped: number;
  /** With `exclude`: accepted rows of this file dropped as an erased user's or a taken-down item's. */
  erased?: number;
  warnings: string[];
}

export type SourcesReport = QualityReport & { sources: SourceReport[] };

/** Warnings of the files copied into the combined report (all are in `sources`). */
const MAX_COMBINED_WARNINGS = 20;

/** Parses every source in the order given into one matrix; `options.fileName` labels the whole (e.g. the prefix). */
export async function loadSources(
  sources: readonly InteractionSource[],
  options: IngestOptions = {},
): Promise<{ matrix: RatingMatrix; report: SourcesReport }> {
  const { log, report, sources: perFile, ends } = await ingestSourcesToLog(sources, options);
  // Typed events and decay combine over the whole dataset (ages from its newest timestamp), as for one file.
  const combineRule = combineOptionsOf(options);
  const { matrix, duplicatesDropped, weighting } = buildRatingMatrix(log, combineRule);
  // Without types a later row replaces an earlier one (a duplicate, counted per file); typed events add up instead.
  if (!combineRule) countDuplicatesPerFile(log, ends, perFile);
  const complete = completeReport(report, matrix, duplicatesDropped, combineRule && describeRule(combineRule));
  const withWeighting = weighting ? weightingReport(complete, weighting) : complete;
  return { matrix, report: { ...withWeighting, sources: perFile } };
}

/** The parse half: one log, the combined parse report, each file's report and where its rows end in the log. */
export async function ingestSourcesToLog(
  sources: readonly InteractionSource[],
  options: IngestOptions = {},
): Promise<{ log: InteractionLog; report: LogReport; sources: SourceReport[]; ends: number[] }> {
  const label = options.fileName ?? `${sources.length} files`;
  if (sources.length === 0) {
    throw new UserInputError(
      `${label} has no interaction files`,
      label,
      'upload at least one file of interactions (user, item[, rating[, timestamp]])',
    );
  }
  const limits = options.limits ?? {};
  const cost = options.memoryCost ?? DEFAULT_MEMORY_COST;
  const hint = options.limitHint ?? DEFAULT_LIMIT_HINT;
  const log = new InteractionLog();
  const perFile: SourceReport[] = [];
  const reports: LogReport[] = [];
  const ends: number[] = [];
  const exclusion = options.exclude && new ExclusionFilter(options.exclude);
  let rowsRead = 0;
  let bytesBefore = 0;
  for (const [index, source] of sources.entries()) {
    const remaining = remainingLimits(limits, rowsRead, log, cost);
    let parsed: { log: InteractionLog; report: LogReport };
    try {
      parsed = await ingestToLog(await source.open(), {
        ...options,
        ...source.options,
        fileName: source.name,
        expectedBytes: source.size,
        limits: remaining,
        onProgress: options.onProgress && ((bytes) => options.onProgress?.(bytesBefore + bytes)),
      });
    } catch (error) {
      // Rows and memory were given as what was left: say what the total reached and the dataset's limit.
      if (
        error instanceof IngestLimitError &&
        index > 0 &&
        (error.limit === 'maxRows' || error.limit === 'maxMemoryMb')
      ) {
        const limit = limits[error.limit]!;
        const before = error.limit === 'maxRows' ? rowsRead : limit - (remaining.maxMemoryMb ?? limit);
        const total = Math.round(before + error.reached);
        const unit = error.limit === 'maxRows' ? ' rows' : ' MB (estimated)';
        throw new IngestLimitError(
          `${source.name} takes the dataset's interaction files past the ${error.limit} limit: ${group(total)}${unit} ` +
            `counting the ${group(Math.round(before))}${unit} of the ${group(index)} file(s) before it ` +
            `(at ${error.where ?? source.name}), the limit is ${group(limit)}${unit}`,
          error.where ?? source.name,
          hint(error.limit, limit),
          error.limit,
          limit,
          total,
          error.bytesRead,
        );
      }
      throw error;
    }
    bytesBefore += source.size ?? 0;
    const erased = exclusion ? exclusion.append(log, parsed.log) : append(log, parsed.log);
    rowsRead += parsed.report.rowsRead;
    checkTotals(limits, log, source.name, hint);
    ends.push(log.length);
    reports.push(parsed.report);
    perFile.push({ ...sourceReport(parsed.report), ...(exclusion ? { erased } : {}) });
  }
  const report = combine(label, reports);
  return { log, report: exclusion ? { ...report, erased: exclusion.report } : report, sources: perFile, ends };
}

/** What is left of each counted limit after the files read so far (bytes are per file). */
function remainingLimits(limits: IngestLimits, rows: number, log: InteractionLog, cost = DEFAULT_MEMORY_COST) {
  const left: IngestLimits = { ...limits };
  if (limits.maxRows !== undefined) left.maxRows = Math.max(0, limits.maxRows - rows);
  if (limits.maxMemoryMb !== undefined) {
    const used = log.length * cost.perRow + log.users.size * cost.perUser + log.items.size * cost.perItem;
    left.maxMemoryMb = Math.max(0, limits.maxMemoryMb - used / 2 ** 20);
  }
  return left;
}

/** Distinct ids over all files (one file alone is checked by its own parse). */
function checkTotals(limits: IngestLimits, log: InteractionLog, file: string, hint = DEFAULT_LIMIT_HINT): void {
  for (const [limit, count, what] of [
    ['maxUsers', log.users.size, 'distinct users'],
    ['maxItems', log.items.size, 'distinct items'],
  ] as const) {
    const value = limits[limit];
    if (value === undefined || count <= value) continue;
    throw new IngestLimitError(
      `the dataset's interaction files exceed the ${limit} limit: ${group(count)} ${what} once ${file} is read, ` +
        `the limit is ${group(value)} (the limits apply to the dataset's total)`,
      file,
      hint(limit, value),
      limit,
      value,
      count,
      0,
    );
  }
}

/** Appends `part` to `into`, mapping its ids through `into`'s dictionaries once per distinct id. */
function append(into: InteractionLog, part: InteractionLog): 0 {
  const users = Uint32Array.from(part.users.toArray(), (id) => into.users.intern(id));
  const items = Uint32Array.from(part.items.toArray(), (id) => into.items.intern(id));
  const { user, item, value, timestamp } = part.columns();
  into.reserve(into.length + user.length);
  for (let k = 0; k < user.length; k++) into.addIndexed(users[user[k]], items[item[k]], value[k], timestamp?.[k]);
  return 0;
}

function sourceReport(report: LogReport): SourceReport {
  const rejected = Object.values(report.rejected).reduce((sum, r) => sum + (r?.count ?? 0), 0);
  return {
    file: report.file ?? '',
    format: report.format,
    compressed: report.compressed,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    rejected,
    duplicatesDropped: 0,
    warnings: report.warnings,
  };
}

/** The combined parse report: sums, rejections merged by reason (examples name their file), warnings prefixed. */
function combine(label: string, reports: readonly LogReport[]): LogReport {
  if (reports.length === 1) return reports[0];
  const rejected: LogReport['rejected'] = {};
  const warnings: string[] = [];
  for (const report of reports) {
    for (const [reason, entry] of Object.entries(report.rejected) as [
      RejectionReason,
      RejectionSummary | undefined,
    ][]) {
      if (!entry) continue;
      const seen = rejected[reason];
      if (seen) seen.count += entry.count;
      else rejected[reason] = { count: entry.count, lines: entry.lines, example: `${report.file}: ${entry.example}` };
    }
    for (const warning of report.warnings) warnings.push(`${report.file}: ${warning}`);
  }
  const formats = new Set(reports.map((r) => r.format));
  const implicit = reports.filter((r) => r.implicit).length;
  const combined: string[] = [];
  if (formats.size > 1) combined.push(`the files are in several formats (${[...formats].join(', ')})`);
  if (implicit > 0 && implicit < reports.length)
    combined.push(
      `${implicit} of ${reports.length} files have no rating column (each row counts 1) while the others have ratings`,
    );
  const shown = warnings.slice(0, MAX_COMBINED_WARNINGS);
  if (warnings.length > shown.length)
    shown.push(`${warnings.length - shown.length} more file warnings: see each file in the report's sources`);
  return {
    file: label,
    format: reports[0].format,
    compressed: reports.some((r) => r.compressed),
    header: reports.every((r) => r.header),
    implicit: implicit === reports.length,
    hasTimestamps: reports.some((r) => r.hasTimestamps),
    rowsRead: reports.reduce((sum, r) => sum + r.rowsRead, 0),
    blankLines: reports.reduce((sum, r) => sum + r.blankLines, 0),
    accepted: reports.reduce((sum, r) => sum + r.accepted, 0),
    rejected,
    warnings: [...combined, ...shown],
    ...eventTypesOf(reports),
    ...(reports[0].privacy ? { privacy: reports[0].privacy } : {}),
  };
}

function eventTypesOf(reports: readonly LogReport[]): Pick<LogReport, 'eventTypes'> {
  const eventTypes = mergeEventTypeReports(reports.flatMap((r) => (r.eventTypes ? [r.eventTypes] : [])));
  return eventTypes ? { eventTypes } : {};
}

/**
 * The rows each file lost to the duplicate rule, found as buildRatingMatrix finds them: rows grouped by (user,
 * item) in log order (two stable counting sorts), the winner of a group the latest timestamp, ties to the later row.
 */
function countDuplicatesPerFile(log: InteractionLog, ends: readonly number[], perFile: SourceReport[]): void {
  const { user, item, timestamp } = log.columns();
  const n = user.length;
  const order = stableOrderBy(user, log.users.size, stableOrderBy(item, log.items.size, undefined));
  const fileOf = (row: number) => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (row < ends[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let p = 0;
  while (p < n) {
    let q = p + 1;
    while (q < n && user[order[q]] === user[order[p]] && item[order[q]] === item[order[p]]) q++;
    if (q - p > 1) {
      let winner = order[p];
      for (let r = p + 1; r < q; r++) {
        const candidate = order[r];
        if (!timestamp || !(timestamp[candidate] < timestamp[winner])) winner = candidate;
      }
      for (let r = p; r < q; r++) if (order[r] !== winner) perFile[fileOf(order[r])].duplicatesDropped++;
    }
    p = q;
  }
}

function stableOrderBy(key: Uint32Array, buckets: number, order: Uint32Array | undefined): Uint32Array {
  const n = key.length;
  const start = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) start[key[i] + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const row = order ? order[i] : i;
    out[start[key[row]]++] = row;
  }
  return out;
}
