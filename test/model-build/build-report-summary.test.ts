// summarise() (functions/model-build/build-report.ts): what of the data-quality report the job record keeps.
import { describe, expect, it } from 'vitest';
import { MAX_FILES_IN_JOB_REPORT, summarise } from '../../functions/model-build/build-report.js';
import type { QualityReport, SourceReport } from '../../functions/engine/ingest/index.js';

const source = (k: number): SourceReport => ({
  file: `uploads/d/f${k}.csv`,
  format: 'csv',
  compressed: false,
  rowsRead: k + 2,
  accepted: k + 1,
  rejected: 1,
  duplicatesDropped: 0,
  warnings: [`file ${k} warning`],
});

const report = (files: number): QualityReport & { sources: SourceReport[] } => ({
  format: 'csv',
  compressed: false,
  header: true,
  implicit: false,
  hasTimestamps: false,
  rowsRead: 10,
  blankLines: 0,
  accepted: 9,
  duplicatesDropped: 0,
  ratings: 9,
  rejected: { 'bad-rating': { count: 1, lines: [4], example: 'line 4: bad' } },
  users: 3,
  items: 3,
  density: 1,
  ratingHistogram: [{ value: '1', count: 9 }],
  popularItems: [{ item: 'named-item', count: 3 }],
  popularityCurve: [
    { rank: 1, users: 3 },
    { rank: 3, users: 3 },
  ],
  userActivity: [{ min: 3, max: 4, users: 3 }],
  eventTypes: {
    types: [{ type: 'view', rows: 9, weight: 1, weightFrom: 'eventWeights' }],
    distinct: 1,
    ignoredRows: 0,
    defaultedRows: 0,
    defaultWeight: 1,
  },
  warnings: [],
  sources: Array.from({ length: files }, (_, k) => source(k)),
});

describe('summarise', () => {
  it('carries the chart data and each file as { file, rowsRead, accepted, rejected }', () => {
    const summary = summarise(report(2));
    expect(summary).toMatchObject({
      ratingHistogram: [{ value: '1', count: 9 }],
      popularityCurve: [
        { rank: 1, users: 3 },
        { rank: 3, users: 3 },
      ],
      userActivity: [{ min: 3, max: 4, users: 3 }],
      eventTypes: { distinct: 1, types: [{ type: 'view', rows: 9, weight: 1 }] },
      rejected: { 'bad-rating': { count: 1, example: 'line 4: bad' } },
      files: [
        { file: 'uploads/d/f0.csv', rowsRead: 2, accepted: 1, rejected: 1 },
        { file: 'uploads/d/f1.csv', rowsRead: 3, accepted: 2, rejected: 1 },
      ],
    });
    expect(summary).not.toHaveProperty('filesOmitted');
    // Item names stay in the S3 report only.
    expect(JSON.stringify(summary)).not.toContain('named-item');
  });

  it('lists the first 100 files and counts the rest in filesOmitted', () => {
    const summary = summarise(report(MAX_FILES_IN_JOB_REPORT + 7)) as {
      files: { file: string }[];
      filesOmitted: number;
    };
    expect(MAX_FILES_IN_JOB_REPORT).toBe(100);
    expect(summary.files).toHaveLength(100);
    expect(summary.files.at(-1)!.file).toBe('uploads/d/f99.csv');
    expect(summary.filesOmitted).toBe(7);
  });

  it('has no chart data for a parse that failed before the matrix', () => {
    const { ratingHistogram, popularityCurve, userActivity, popularItems, sources, eventTypes, ...log } = report(0);
    void [ratingHistogram, popularityCurve, userActivity, popularItems, sources, eventTypes];
    const summary = summarise(log);
    expect(summary).not.toHaveProperty('popularityCurve');
    expect(summary).not.toHaveProperty('files');
  });
});
