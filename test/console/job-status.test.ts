import { describe, expect, it } from 'vitest';
import {
  duration,
  elapsed,
  isActiveJob,
  jobErrorText,
  jobOutcome,
  progressView,
  type JobView,
} from '../../functions/console/job-status.js';

const job = (overrides: Partial<JobView>): JobView => ({
  jobId: 'j1',
  status: 'running',
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:30.000Z',
  ...overrides,
});

describe('build jobs in words', () => {
  it('writes durations in seconds, minutes and hours', () => {
    expect(duration(59_400)).toBe('59 s');
    expect(duration(65_000)).toBe('1 min 5 s');
    expect(duration(3_700_000)).toBe('1 h 1 min');
    expect(duration(-5)).toBe('0 s');
  });

  it('measures a running job to now and a finished one to its finish', () => {
    const now = Date.parse('2026-01-01T00:02:00.000Z');
    expect(elapsed(job({}), now)).toBe('2 min 0 s');
    expect(elapsed(job({ status: 'succeeded', finishedAt: '2026-01-01T00:00:42.000Z' }), now)).toBe('42 s');
    // A finished job without finishedAt (older records): its last update.
    expect(elapsed(job({ status: 'failed' }), now)).toBe('30 s');
    expect(isActiveJob({ status: 'queued' })).toBe(true);
    expect(isActiveJob({ status: 'superseded' })).toBe(false);
  });

  it('gives the progress as a fraction within 0–1, and none when the total is unknown', () => {
    expect(progressView(job({ progress: { phase: 'parse', done: 1200, total: 4800 } }))).toEqual({
      phase: 'parse',
      fraction: 0.25,
      counts: '1,200 / 4,800',
    });
    expect(progressView(job({ progress: { phase: 'rows', done: 9, total: 5 } }))?.fraction).toBe(1);
    expect(progressView(job({ progress: { phase: 'parse', done: 7, total: 0 } }))).toEqual({
      phase: 'parse',
      counts: '7',
    });
    expect(progressView(job({}))).toBeUndefined();
  });

  it("puts a job's error as what, where and how to fix", () => {
    const failed = job({
      status: 'failed',
      error: { message: 'no usable rows', where: 'uploads/d/a.csv', hint: 'check the columns' },
    });
    expect(jobErrorText(failed)).toBe('no usable rows (at uploads/d/a.csv). How to fix: check the columns');
    expect(jobErrorText(job({ error: { message: 'boom' } }))).toBe('boom');
    expect(jobErrorText(job({}))).toBeUndefined();
    expect(jobOutcome(failed)).toBe('failed: no usable rows (at uploads/d/a.csv). How to fix: check the columns');
    expect(jobOutcome(job({ status: 'succeeded', version: 'v2', activated: false }))).toBe(
      'succeeded, version v2, kept but not activated (the promotion gate held it back)',
    );
  });
});
