/**
 * The dataset page's "Data quality" section: a build job's `report` (GET …/jobs/{jobId}) → the series of its
 * charts and the rows of its tables. Pure; tested in test/console/quality-report.test.ts.
 *
 * Safety properties (each tested):
 * - A field the report lacks (older jobs) or holds in another shape gives no chart and one sentence saying why,
 *   never an empty or zero-filled chart.
 * - Every number drawn is one the report holds: bars keep the report's order and counts; nothing is merged,
 *   sorted away or cut.
 * - The long tail is drawn on log axes, so a point with rank or users ≤ 0 (log undefined) is refused as malformed.
 */

/** The report fields the console draws (the build's job record; functions/engine/ingest/types.ts). */
export interface BuildReport {
  ratingHistogram?: { value: string; count: number }[];
  eventTypes?: { types: { type: string; rows: number; weight: number }[]; distinct: number; ignoredRows?: number };
  popularityCurve?: { rank: number; users: number }[];
  userActivity?: { min: number; max: number; users: number }[];
  /** Older jobs: a count of the files read, not a list. */
  files?: { file: string; rowsRead: number; accepted: number; rejected: number }[] | number;
  filesOmitted?: number;
  rejected?: Record<string, { count: number; example: string }>;
}

/** A bar chart: one bar per label, in order. */
export interface BarSeries {
  kind: 'bars';
  title: string;
  xLabel: string;
  yLabel: string;
  labels: string[];
  values: number[];
  /** The accessible name: what the chart shows, in one sentence. */
  summary: string;
}

/** A line on log–log axes (the popularity long tail). */
export interface LogLineSeries {
  kind: 'log-line';
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  y: number[];
  summary: string;
}

/** A chart that is not drawn, and why. */
export interface MissingChart {
  kind: 'missing';
  title: string;
  reason: string;
}

export type ChartData = BarSeries | LogLineSeries | MissingChart;

const OLDER = 'this job was built before the report had it';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function missing(title: string, field: string, value: unknown): MissingChart {
  return {
    kind: 'missing',
    title,
    reason:
      value === undefined
        ? `No ${title.toLowerCase()}: ${OLDER} (no \`${field}\`).`
        : `No ${title.toLowerCase()}: the report's \`${field}\` is not in the expected shape.`,
  };
}

const plural = (count: number, word: string) => `${count.toLocaleString('en')} ${word}${count === 1 ? '' : 's'}`;

/** The largest bar, in words (first of equal ones). */
function largest(labels: string[], values: number[]): string {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return labels.length === 0 ? '' : `; the largest is ${labels[best]} with ${values[best].toLocaleString('en')}`;
}

/**
 * Rows per event type when the dataset has typed events (the weighting is what matters then), else the
 * interaction-value histogram.
 */
export function valueChart(report: BuildReport | undefined): ChartData {
  const events = report?.eventTypes;
  if (events !== undefined) {
    const types = isRecord(events) && Array.isArray(events.types) ? events.types : undefined;
    if (!types || !types.every((t) => isRecord(t) && typeof t.type === 'string' && isCount(t.rows)))
      return missing('Event types', 'eventTypes', events);
    const labels = types.map((t) => `${t.type} (weight ${t.weight})`);
    const values = types.map((t) => t.rows);
    return {
      kind: 'bars',
      title: 'Event types',
      xLabel: 'event type',
      yLabel: 'rows',
      labels,
      values,
      summary: `Bar chart of rows per event type: ${plural(types.length, 'type')}${largest(labels, values)} rows.`,
    };
  }
  const histogram = report?.ratingHistogram;
  if (!Array.isArray(histogram) || !histogram.every((bin) => typeof bin?.value === 'string' && isCount(bin.count)))
    return missing('Interaction values', 'ratingHistogram', histogram);
  const labels = histogram.map((bin) => bin.value);
  const values = histogram.map((bin) => bin.count);
  return {
    kind: 'bars',
    title: 'Interaction values',
    xLabel: 'value',
    yLabel: 'interactions',
    labels,
    values,
    summary: `Bar chart of interactions per value: ${plural(labels.length, 'bin')}${largest(labels, values)} interactions.`,
  };
}

/** Users per activity bin (power-of-two bins of interactions per user), labelled "1", "2–3", "4–7", … */
export function userActivityChart(report: BuildReport | undefined): ChartData {
  const bins = report?.userActivity;
  if (!Array.isArray(bins) || !bins.every((bin) => isCount(bin?.min) && isCount(bin.max) && isCount(bin.users)))
    return missing('User activity', 'userActivity', bins);
  const labels = bins.map((bin) => (bin.min === bin.max ? `${bin.min}` : `${bin.min}–${bin.max}`));
  const values = bins.map((bin) => bin.users);
  return {
    kind: 'bars',
    title: 'User activity',
    xLabel: 'interactions per user',
    yLabel: 'users',
    labels,
    values,
    summary: `Bar chart of users by how many items they interacted with: ${plural(labels.length, 'bin')}${largest(labels, values)} users.`,
  };
}

/** The popularity long tail: users of the item at each (log-spaced) popularity rank. */
export function popularityTailChart(report: BuildReport | undefined): ChartData {
  const curve = report?.popularityCurve;
  if (
    !Array.isArray(curve) ||
    !curve.every((p) => isCount(p?.rank) && p.rank > 0 && isCount(p.users) && p.users > 0) ||
    curve.length === 0
  )
    return missing('Popularity long tail', 'popularityCurve', curve);
  const x = curve.map((p) => p.rank);
  const y = curve.map((p) => p.users);
  const first = curve[0];
  const last = curve[curve.length - 1];
  return {
    kind: 'log-line',
    title: 'Popularity long tail',
    xLabel: 'item rank by popularity (log)',
    yLabel: 'users (log)',
    x,
    y,
    summary:
      `Line chart on log axes of users per item by popularity rank: the item at rank ${first.rank} has ` +
      `${plural(first.users, 'user')}, the one at rank ${last.rank} ${plural(last.users, 'user')}.`,
  };
}

export interface FileRow {
  file: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
}

export type FilesTable = { rows: FileRow[]; omitted: number } | { missing: string };

export function filesTable(report: BuildReport | undefined): FilesTable {
  const files = report?.files;
  if (files === undefined) return { missing: `No per-file table: ${OLDER} (no \`files\`).` };
  if (typeof files === 'number')
    return {
      missing: `No per-file table: this job was built before the report listed its files (it read ${plural(files, 'file')}).`,
    };
  if (
    !Array.isArray(files) ||
    !files.every((f) => typeof f?.file === 'string' && isCount(f.rowsRead) && isCount(f.accepted))
  )
    return { missing: "No per-file table: the report's `files` is not in the expected shape." };
  return {
    rows: files.map(({ file, rowsRead, accepted, rejected }) => ({ file, rowsRead, accepted, rejected })),
    omitted: isCount(report?.filesOmitted) ? report.filesOmitted : 0,
  };
}

export interface RejectedRow {
  reason: string;
  /** The reason in words. */
  words: string;
  count: number;
  example: string;
}

const REASON_WORDS: Record<string, string> = {
  'missing-field': 'a field is missing',
  'empty-id': 'a user or item id is empty',
  'id-too-long': 'an id is longer than 256 bytes',
  'bad-id': 'an id holds characters ids cannot have',
  'bad-rating': 'the value is not a number in range',
  'bad-timestamp': 'the timestamp cannot be read',
  'bad-json': 'the line is not valid JSON',
  'bad-quoting': 'the quoting is broken',
  'line-too-long': 'the line is too long',
};

/** Rejected lines by reason, most first (ties by reason); none → an empty list (a clean file). */
export function rejectedTable(report: BuildReport | undefined): { rows: RejectedRow[] } | { missing: string } {
  const rejected = report?.rejected;
  if (rejected === undefined) return { missing: `No rejected-lines table: ${OLDER} (no \`rejected\`).` };
  if (!isRecord(rejected) || !Object.values(rejected).every((r) => isRecord(r) && isCount(r.count)))
    return { missing: "No rejected-lines table: the report's `rejected` is not in the expected shape." };
  const rows = Object.entries(rejected).map(([reason, summary]) => ({
    reason,
    words: REASON_WORDS[reason] ?? reason,
    count: summary.count,
    example: typeof summary.example === 'string' ? summary.example : '',
  }));
  rows.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  return { rows };
}
