/**
 * Event types at ingest: the weight each row's `type` gets, and the counts the data-quality report shows.
 *
 * Rules (README "Event types and time decay"):
 * - a type is the field's text, trimmed, compared exactly (case-sensitive: `View` is not `view`); empty, over
 *   {@link MAX_EVENT_TYPE_BYTES} bytes or invalid UTF-8 = the row is rejected;
 * - its weight is `weights[type]`, else `defaultWeight` (such types are listed in the report and in a warning);
 * - a row whose weight is 0 is accepted but ignored (counted in `ignoredRows`, never added to the log);
 * - more than {@link MAX_EVENT_TYPES} distinct types stop the parse: that column is not an event type.
 *
 * Safety properties, each tested in test/engine/event-weights.test.ts: a type is counted only once its row is
 * accepted; the distinct types are bounded (so a wrong column cannot grow the report without end).
 */
import { UserInputError } from '../types.js';
import { MAX_ID_BYTES, show } from './values.js';

export const MAX_EVENT_TYPE_BYTES = MAX_ID_BYTES;
export const MAX_EVENT_TYPES = 1000;
/** Types listed in the report (by rows, then name); the rest are counted in `distinct` only. */
const REPORTED_TYPES = 50;

export interface EventWeighting {
  /** Weight of each type; may be negative (a signal against the item) or 0 (ignored). */
  weights: Readonly<Record<string, number>>;
  /** Weight of a type `weights` does not name. */
  defaultWeight: number;
}

export interface EventTypeCount {
  type: string;
  weight: number;
  rows: number;
  /** 'eventWeights' when the config names the type, 'defaultEventWeight' when it got the default. */
  weightFrom: 'eventWeights' | 'defaultEventWeight';
}

export interface EventTypesReport {
  /** Up to 50 types, most rows first (ties by type, code-unit order). */
  types: EventTypeCount[];
  /** Distinct types seen. */
  distinct: number;
  /** Accepted rows whose weight was 0: not in the model. */
  ignoredRows: number;
  /** Rows of types that got `defaultWeight`. */
  defaultedRows: number;
  defaultWeight: number;
}

/** The combine half of the report, filled when the matrix is built (data/combine-events.ts). */
export interface EventWeightingReport {
  /** How a user's events on one item became one value. */
  rule: string;
  halfLifeDays?: number;
  /** The newest timestamp of the dataset: ages are measured from it (as given: seconds or milliseconds). */
  newestTimestamp?: number;
  /** How numeric timestamps were read for the decay: milliseconds when the newest is above 1e11. */
  timestampUnit?: 'seconds' | 'milliseconds';
  /** (user, item) pairs whose events summed to exactly 0: left out of the matrix. */
  cancelledPairs: number;
  /** Each event's effective weight (value × decay) before combining: distinct values or 10 bins. */
  effectiveWeights: { value: string; count: number }[];
}

/** Validates type text and gives each accepted row its weight, counting per type. */
export class EventTypeCounter {
  ignoredRows = 0;
  private readonly counts = new Map<string, { weight: number; rows: number; configured: boolean }>();

  constructor(
    private readonly weighting: EventWeighting,
    private readonly label: string,
  ) {}

  /** Why the (trimmed) type text is unusable, or undefined when it is fine. */
  problemWith(type: string): string | undefined {
    if (type.length === 0) return 'event type is empty';
    const bytes = Buffer.byteLength(type, 'utf8');
    if (bytes > MAX_EVENT_TYPE_BYTES)
      return `event type ${show(type)} is ${bytes} UTF-8 bytes; the limit is ${MAX_EVENT_TYPE_BYTES}`;
    if (type.includes('\uFFFD')) return `event type ${show(type)} is not valid UTF-8`;
    return undefined;
  }

  /** The weight a type gets, without counting a row. */
  weightOf(type: string): number {
    const entry = this.counts.get(type);
    if (entry !== undefined) return entry.weight;
    return Object.hasOwn(this.weighting.weights, type) ? this.weighting.weights[type] : this.weighting.defaultWeight;
  }

  /** The weight of an accepted row's (valid) type; counts the row. */
  accept(type: string): number {
    let entry = this.counts.get(type);
    if (entry === undefined) {
      if (this.counts.size >= MAX_EVENT_TYPES) {
        throw new UserInputError(
          `${this.label} has more than ${MAX_EVENT_TYPES} distinct event types (the next is ${show(type)}): that column does not look like event types`,
          'input.columns.type',
          'point input.columns.type at the column holding the event type (view, play, like...)',
        );
      }
      const configured = Object.hasOwn(this.weighting.weights, type);
      entry = { weight: configured ? this.weighting.weights[type] : this.weighting.defaultWeight, rows: 0, configured };
      this.counts.set(type, entry);
    }
    entry.rows++;
    if (entry.weight === 0) this.ignoredRows++;
    return entry.weight;
  }

  report(): EventTypesReport {
    const all = [...this.counts.entries()].map(([type, { weight, rows, configured }]): EventTypeCount => ({
      type,
      weight,
      rows,
      weightFrom: configured ? 'eventWeights' : 'defaultEventWeight',
    }));
    all.sort((a, b) => b.rows - a.rows || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    let defaultedRows = 0;
    for (const entry of all) if (entry.weightFrom === 'defaultEventWeight') defaultedRows += entry.rows;
    return {
      types: all.slice(0, REPORTED_TYPES),
      distinct: all.length,
      ignoredRows: this.ignoredRows,
      defaultedRows,
      defaultWeight: this.weighting.defaultWeight,
    };
  }

  /** Warnings for the report: types that got the default weight (a typo in eventWeights shows up here). */
  warnings(): string[] {
    const defaulted = [...this.counts.entries()].filter(([, entry]) => !entry.configured);
    if (defaulted.length === 0) return [];
    const names = defaulted.slice(0, 10).map(([type, { rows }]) => `${show(type)} (${rows} rows)`);
    const more = defaulted.length > 10 ? ` and ${defaulted.length - 10} more` : '';
    return [
      `event type${defaulted.length === 1 ? '' : 's'} ${names.join(', ')}${more} not in eventWeights: weighted ${this.weighting.defaultWeight} (defaultEventWeight)`,
    ];
  }
}

/**
 * The event-type report of several files: rows summed per type. Exact while each file has at most 50 types (what one
 * file's report lists); past that, `distinct` counts the types the files list, at least the largest file's count.
 */
export function mergeEventTypeReports(reports: readonly EventTypesReport[]): EventTypesReport | undefined {
  if (reports.length === 0) return undefined;
  if (reports.length === 1) return reports[0];
  const byType = new Map<string, EventTypeCount>();
  for (const report of reports) {
    for (const entry of report.types) {
      const seen = byType.get(entry.type);
      if (seen) seen.rows += entry.rows;
      else byType.set(entry.type, { ...entry });
    }
  }
  const all = [...byType.values()].sort((a, b) => b.rows - a.rows || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return {
    types: all.slice(0, REPORTED_TYPES),
    distinct: Math.max(all.length, ...reports.map((r) => r.distinct)),
    ignoredRows: reports.reduce((sum, r) => sum + r.ignoredRows, 0),
    defaultedRows: reports.reduce((sum, r) => sum + r.defaultedRows, 0),
    defaultWeight: reports[0].defaultWeight,
  };
}
