import type { RatingMatrix } from '../types.js';
import type { LogReport, QualityReport } from './types.js';
import { popularityCurve, userActivity } from './report-curves.js';

const MAX_DISTINCT_VALUES = 20;
const HISTOGRAM_BINS = 10;
const POPULAR_ITEMS = 10;

/** Add the matrix-level figures (after the duplicate rule) to the report of the parse. */
export function completeReport(
  partial: LogReport,
  matrix: RatingMatrix,
  duplicatesDropped: number,
  /** Set when a pair's events are combined by a rule rather than the latest one winning. */
  combinedBy?: string,
): QualityReport {
  const ratings = matrix.byUser.values.length;
  const users = matrix.users.size;
  const items = matrix.items.size;
  const warnings = [...partial.warnings];
  if (duplicatesDropped > 0 && combinedBy !== undefined) {
    warnings.push(
      `${duplicatesDropped} event${duplicatesDropped === 1 ? '' : 's'} merged with earlier events of the same (user, item): ${combinedBy}`,
    );
  } else if (duplicatesDropped > 0) {
    warnings.push(
      `${duplicatesDropped} duplicate (user, item) row${duplicatesDropped === 1 ? '' : 's'} dropped: the latest timestamp wins, else the last in the file`,
    );
  }
  const histogram = ratingHistogram(matrix.byUser.values);
  if (!partial.implicit && histogram.length === 1 && ratings > 1) {
    warnings.push(`every rating is ${histogram[0].value}: this looks like implicit feedback (set implicit: true)`);
  }
  return {
    ...partial,
    warnings,
    duplicatesDropped,
    ratings,
    users,
    items,
    density: users * items === 0 ? 0 : ratings / (users * items),
    ratingHistogram: histogram,
    popularItems: popularItems(matrix),
    popularityCurve: popularityCurve(matrix),
    userActivity: userActivity(matrix),
  };
}

/** Shortest decimal that reads back as the same float32 (so 0.1f shows as "0.1"). */
function label(value: number): string {
  for (let digits = 1; digits < 17; digits++) {
    const text = Number(value.toPrecision(digits));
    if (Math.fround(text) === value) return String(text);
  }
  return String(value);
}

export function ratingHistogram(values: Float32Array): { value: string; count: number }[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < values.length; k++) {
    counts.set(values[k], (counts.get(values[k]) ?? 0) + 1);
    if (counts.size > MAX_DISTINCT_VALUES) return binned(values);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value: label(value), count }));
}

function binned(values: Float32Array): { value: string; count: number }[] {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    if (values[k] < min) min = values[k];
    if (values[k] > max) max = values[k];
  }
  const width = (max - min) / HISTOGRAM_BINS;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let k = 0; k < values.length; k++) {
    // The last bin is closed so the maximum lands in it.
    counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((values[k] - min) / width))]++;
  }
  const edge = (b: number) => Number((b === HISTOGRAM_BINS ? max : min + b * width).toPrecision(4));
  return counts.map((count, b) => ({ value: `${edge(b)}–${edge(b + 1)}`, count }));
}

/** Top items by distinct users (after dedupe a row of byItem has one entry per user), ties by id ascending. */
export function popularItems(matrix: RatingMatrix): { item: string; count: number }[] {
  const { indptr, rows } = matrix.byItem;
  const all: { item: string; count: number }[] = [];
  // Keep only candidates that can still make the top list, without sorting every item.
  let threshold = 0;
  for (let r = 0; r < rows; r++) {
    const count = indptr[r + 1] - indptr[r];
    if (count < threshold) continue;
    all.push({ item: matrix.items.idAt(r), count });
    if (all.length >= POPULAR_ITEMS * 8) {
      all.sort(byCountThenId);
      all.length = POPULAR_ITEMS;
      threshold = all[POPULAR_ITEMS - 1].count;
    }
  }
  return all.sort(byCountThenId).slice(0, POPULAR_ITEMS);
}

function byCountThenId(a: { item: string; count: number }, b: { item: string; count: number }): number {
  return b.count - a.count || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0);
}
