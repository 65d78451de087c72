/**
 * Validation metrics per version (GET /v1/datasets/{d} `versions`), oldest first: the data of the dataset
 * page's metrics chart and table. Pure; tested in test/console/version-metrics.test.ts.
 *
 * Safety property: the metrics shown for a version are those of the candidate it serves (`validation.chosen`),
 * and a version without validation is a gap (null), never a zero.
 */
import type { DatasetBody } from '../api/model-schemas.js';

export type VersionBody = DatasetBody['versions'][number];

export interface MetricsSeries {
  /** Version ids, oldest first. */
  versions: string[];
  ndcg: (number | null)[];
  recall: (number | null)[];
  hitRate: (number | null)[];
  coverage: (number | null)[];
}

export function metricsSeries(versions: readonly VersionBody[]): MetricsSeries {
  const series: MetricsSeries = { versions: [], ndcg: [], recall: [], hitRate: [], coverage: [] };
  // The API lists versions newest first; a chart reads left to right in time.
  const ordered = [...versions].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const version of ordered) {
    const chosen = version.validation?.candidates.find((candidate) => candidate.name === version.validation?.chosen);
    series.versions.push(version.version);
    series.ndcg.push(chosen?.ndcg ?? null);
    series.recall.push(chosen?.recall ?? null);
    series.hitRate.push(chosen?.hitRate ?? null);
    series.coverage.push(chosen?.coverage ?? null);
  }
  return series;
}

/** "3 min ago", "2 h ago", "5 d ago": the age of an ISO time at `now`. */
export function age(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/**
 * A short label for a chart axis: a build's version id (`20261202T124556Z-a05e56b1`: its UTC build time and a hash)
 * as "12-02 12:45"; any other id as it is. The table beside the chart shows the full ids.
 */
export function versionAxisLabel(version: string): string {
  const match = /^\d{4}(\d{2})(\d{2})T(\d{2})(\d{2})\d{2}Z-[0-9a-f]+$/.exec(version);
  return match ? `${match[1]}-${match[2]} ${match[3]}:${match[4]}` : version;
}
