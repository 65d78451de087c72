import { describe, expect, it } from 'vitest';
import { age, metricsSeries, versionAxisLabel, type VersionBody } from '../../functions/console/version-metrics.js';

const version = (id: string, createdAt: string, validation?: VersionBody['validation']): VersionBody =>
  ({ version: id, createdAt, validation }) as VersionBody;

const candidate = (name: string, ndcg: number) => ({
  name,
  model: 'ease',
  ndcg,
  recall: ndcg / 2,
  hitRate: ndcg * 2,
  coverage: 0.1,
});

describe('validation metrics per version', () => {
  it('orders versions oldest first, takes the served candidate, and leaves a gap for a version without validation', () => {
    const series = metricsSeries([
      version('v3', '2026-03-01T00:00:00Z', {
        k: 10,
        chosen: 'b',
        reason: 'best',
        split: {} as never,
        candidates: [candidate('a', 0.1), candidate('b', 0.3)],
      } as VersionBody['validation']),
      version('v1', '2026-01-01T00:00:00Z'),
      version('v2', '2026-02-01T00:00:00Z', {
        k: 10,
        chosen: 'a',
        reason: 'only',
        split: {} as never,
        candidates: [candidate('a', 0.2)],
      } as VersionBody['validation']),
    ]);
    expect(series.versions).toEqual(['v1', 'v2', 'v3']);
    expect(series.ndcg).toEqual([null, 0.2, 0.3]);
    expect(series.recall).toEqual([null, 0.1, 0.15]);
    expect(series.hitRate).toEqual([null, 0.4, 0.6]);
  });

  it('says ages in words', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(age('2026-01-01T23:59:30Z', now)).toBe('30 s ago');
    expect(age('2026-01-01T23:00:00Z', now)).toBe('1 h ago');
    expect(age('2026-01-01T23:55:00Z', now)).toBe('5 min ago');
    expect(age('2025-12-30T00:00:00Z', now)).toBe('3 d ago');
    expect(age(null, now)).toBe('never');
  });

  it('labels a build version id by its build time on the chart axis, other ids as they are', () => {
    expect(versionAxisLabel('20261202T124556Z-a05e56b1')).toBe('12-02 12:45');
    expect(versionAxisLabel('v3')).toBe('v3');
    expect(versionAxisLabel('20261202T124556Z')).toBe('20261202T124556Z');
  });
});
