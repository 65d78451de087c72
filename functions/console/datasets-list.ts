/**
 * The datasets page's data: GET /v1/datasets followed through `nextToken` to the end, and each dataset as a row.
 * Pure (the fetch is passed in); tested in test/console/datasets-list.test.ts.
 *
 * Safety properties (each tested):
 * - Every page is read: the list ends only when a page has no `nextToken`; a token seen twice is an error (a
 *   server bug would otherwise loop forever), never a silently shortened list.
 * - A dataset without a model says so ("none") rather than showing zeros.
 */
import type { DatasetListBody, DatasetSummaryBody } from '../api/model-schemas.js';
import { age } from './version-metrics.js';

/** The API's own response types (erased by esbuild): the page reads exactly what the route documents. */
export type DatasetSummary = DatasetSummaryBody;
export type DatasetsPage = DatasetListBody;

/** Pages read at most (100,000 datasets): past that the list is refused rather than shown cut. */
const MAX_PAGES = 1000;

export async function listAllDatasets(fetchPage: (path: string) => Promise<DatasetsPage>): Promise<DatasetSummary[]> {
  const all: DatasetSummary[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const path = `/v1/datasets?limit=100${token === undefined ? '' : `&nextToken=${encodeURIComponent(token)}`}`;
    const body = await fetchPage(path);
    all.push(...body.datasets);
    if (body.nextToken === undefined) return all;
    if (seen.has(body.nextToken))
      throw new Error(`GET /v1/datasets returned the page token "${body.nextToken}" twice; the list cannot be read.`);
    seen.add(body.nextToken);
    token = body.nextToken;
  }
  throw new Error(`GET /v1/datasets had more than ${MAX_PAGES} pages; stopped reading.`);
}

export interface DatasetRowView {
  dataset: string;
  activeVersion: string;
  size: string;
  model: string;
  lastBuild: string;
  lastBuildError?: string;
}

const n = (value: number) => value.toLocaleString('en');

export function datasetRow(summary: DatasetSummary, now: number): DatasetRowView {
  const job = summary.lastJob;
  return {
    dataset: summary.dataset,
    activeVersion: summary.activeVersion ?? 'none',
    size: summary.stats
      ? `${n(summary.stats.users)} / ${n(summary.stats.items)} / ${n(summary.stats.ratings)}`
      : 'none',
    model: summary.model ?? 'none',
    lastBuild: job ? `${job.status}, ${age(job.finishedAt ?? job.updatedAt, now)}` : 'none',
    ...(job?.error && { lastBuildError: job.error.message }),
  };
}
