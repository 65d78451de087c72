import { describe, expect, it } from 'vitest';
import {
  datasetRow,
  listAllDatasets,
  type DatasetSummary,
  type DatasetsPage,
} from '../../functions/console/datasets-list.js';

const summary = (dataset: string, overrides: Partial<DatasetSummary> = {}): DatasetSummary => ({
  dataset,
  activeVersion: 'v1',
  versions: 1,
  stats: { users: 1200, items: 30, ratings: 45000 },
  model: 'ease',
  updatedAt: '2026-01-01T00:00:00.000Z',
  lastJob: null,
  ...overrides,
});

describe('the datasets list', () => {
  it('follows nextToken to the last page, sending each token back encoded', async () => {
    const pages: Record<string, DatasetsPage> = {
      '/v1/datasets?limit=100': { datasets: [summary('a'), summary('b')], nextToken: 't 1' },
      '/v1/datasets?limit=100&nextToken=t%201': { datasets: [summary('c')], nextToken: 't2' },
      '/v1/datasets?limit=100&nextToken=t2': { datasets: [summary('d')] },
    };
    const asked: string[] = [];
    const all = await listAllDatasets(async (path) => {
      asked.push(path);
      const page = pages[path];
      if (!page) throw new Error(`unexpected ${path}`);
      return page;
    });
    expect(all.map((d) => d.dataset)).toEqual(['a', 'b', 'c', 'd']);
    expect(asked).toEqual(Object.keys(pages));
  });

  it('refuses a token that comes back twice rather than looping or cutting the list', async () => {
    await expect(listAllDatasets(async () => ({ datasets: [summary('a')], nextToken: 'same' }))).rejects.toThrow(
      'returned the page token "same" twice',
    );
  });

  it('shows a dataset without a model as none, and the last build with its age and error', () => {
    const now = Date.parse('2026-01-01T02:00:00.000Z');
    expect(
      datasetRow(
        summary('fresh', {
          activeVersion: null,
          stats: null,
          model: null,
          lastJob: {
            jobId: 'j',
            status: 'failed',
            startedAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:30:00.000Z',
            finishedAt: '2026-01-01T01:00:00.000Z',
            error: { message: 'no usable rows' },
          },
        }),
        now,
      ),
    ).toEqual({
      dataset: 'fresh',
      activeVersion: 'none',
      size: 'none',
      model: 'none',
      lastBuild: 'failed, 1 h ago',
      lastBuildError: 'no usable rows',
    });
    expect(datasetRow(summary('big'), now)).toMatchObject({ size: '1,200 / 30 / 45,000', lastBuild: 'none' });
  });
});
