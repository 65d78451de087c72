import { describe, expect, it } from 'vitest';
import {
  filesTable,
  popularityTailChart,
  rejectedTable,
  userActivityChart,
  valueChart,
} from '../../functions/console/quality-report.js';

describe('data-quality charts from a job report', () => {
  it('draws the value histogram in the report order with its counts; the summary names the largest bar', () => {
    const chart = valueChart({
      ratingHistogram: [
        { value: '1', count: 2 },
        { value: '2', count: 5 },
        { value: '3', count: 1 },
      ],
    });
    expect(chart).toMatchObject({
      kind: 'bars',
      title: 'Interaction values',
      labels: ['1', '2', '3'],
      values: [2, 5, 1],
      summary: 'Bar chart of interactions per value: 3 bins; the largest is 2 with 5 interactions.',
    });
  });

  it('prefers the event-type counts when the dataset has typed events, labelled with each weight', () => {
    const chart = valueChart({
      ratingHistogram: [{ value: '1', count: 13 }],
      eventTypes: {
        types: [
          { type: 'view', rows: 10, weight: 1 },
          { type: 'buy', rows: 3, weight: 5 },
        ],
        distinct: 2,
      },
    });
    expect(chart).toMatchObject({
      kind: 'bars',
      title: 'Event types',
      labels: ['view (weight 1)', 'buy (weight 5)'],
      values: [10, 3],
    });
  });

  it('says why a chart is missing: an older job without the field, or a field in another shape', () => {
    expect(valueChart({})).toEqual({
      kind: 'missing',
      title: 'Interaction values',
      reason: 'No interaction values: this job was built before the report had it (no `ratingHistogram`).',
    });
    expect(valueChart(undefined).kind).toBe('missing');
    const malformed = valueChart({ ratingHistogram: [{ value: '1', count: -1 }] });
    expect(malformed).toMatchObject({ kind: 'missing' });
    expect((malformed as { reason: string }).reason).toContain('not in the expected shape');
    expect(userActivityChart({}).kind).toBe('missing');
    expect(popularityTailChart({}).kind).toBe('missing');
  });

  it('labels the power-of-two activity bins by their bounds', () => {
    const chart = userActivityChart({
      userActivity: [
        { min: 1, max: 1, users: 4 },
        { min: 2, max: 3, users: 6 },
        { min: 4, max: 7, users: 1 },
      ],
    });
    expect(chart).toMatchObject({ kind: 'bars', labels: ['1', '2–3', '4–7'], values: [4, 6, 1] });
    expect((chart as { summary: string }).summary).toBe(
      'Bar chart of users by how many items they interacted with: 3 bins; the largest is 2–3 with 6 users.',
    );
  });

  it('draws the long tail as ranks and users, and refuses a point log axes cannot place', () => {
    const chart = popularityTailChart({
      popularityCurve: [
        { rank: 1, users: 50 },
        { rank: 10, users: 7 },
        { rank: 100, users: 1 },
      ],
    });
    expect(chart).toMatchObject({ kind: 'log-line', x: [1, 10, 100], y: [50, 7, 1] });
    expect((chart as { summary: string }).summary).toBe(
      'Line chart on log axes of users per item by popularity rank: the item at rank 1 has 50 users, the one at rank 100 1 user.',
    );
    expect(popularityTailChart({ popularityCurve: [{ rank: 0, users: 3 }] }).kind).toBe('missing');
    expect(popularityTailChart({ popularityCurve: [{ rank: 2, users: 0 }] }).kind).toBe('missing');
    expect(popularityTailChart({ popularityCurve: [] }).kind).toBe('missing');
  });
});

describe('data-quality tables', () => {
  it('lists every file with its counts and how many more the S3 report holds', () => {
    const files = [
      { file: 'a.csv', rowsRead: 10, accepted: 8, rejected: 2 },
      { file: 'b.csv', rowsRead: 5, accepted: 5, rejected: 0 },
    ];
    expect(filesTable({ files })).toEqual({ rows: files, omitted: 0 });
    expect(filesTable({ files, filesOmitted: 3 })).toEqual({ rows: files, omitted: 3 });
    // Jobs built before the list was added counted the files instead.
    expect(filesTable({ files: 1 })).toEqual({
      missing: 'No per-file table: this job was built before the report listed its files (it read 1 file).',
    });
    expect(filesTable({})).toEqual({
      missing: 'No per-file table: this job was built before the report had it (no `files`).',
    });
  });

  it('orders rejected lines by count (ties by reason), each with its words and example', () => {
    const table = rejectedTable({
      rejected: {
        'missing-field': { count: 3, example: 'line 9: 2 fields' },
        'bad-rating': { count: 7, example: "line 2: rating 'x'" },
        'bad-json': { count: 3, example: 'line 4: not JSON' },
      },
    });
    expect(table).toEqual({
      rows: [
        { reason: 'bad-rating', words: 'the value is not a number in range', count: 7, example: "line 2: rating 'x'" },
        { reason: 'bad-json', words: 'the line is not valid JSON', count: 3, example: 'line 4: not JSON' },
        { reason: 'missing-field', words: 'a field is missing', count: 3, example: 'line 9: 2 fields' },
      ],
    });
    expect(rejectedTable({ rejected: {} })).toEqual({ rows: [] });
    expect('missing' in rejectedTable({})).toBe(true);
  });
});
