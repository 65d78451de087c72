// The fold's small rules, by hand: event-file keys carry their range (and only real instants parse), overlapping
// ranges are found exactly (adjacent ones do not overlap), folded events are deleted before the older of the cut
// and the dedupe window, and a version records the config's weighting as the build applies it.
import { describe, expect, it } from 'vitest';
import { liveEventFileKey, parseLiveEventFileKey } from '../../functions/adapters/live-event-files.js';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { deleteBefore, overlapsOf, versionWeighting } from '../../functions/model-build/live-fold.js';

const T = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('event-file keys', () => {
  it('carry their range, sortable by time, and read back exactly', () => {
    const key = liveEventFileKey('films', T(1), T(2));
    expect(key).toBe('events/films/20261201T100100.000Z_20261201T100200.000Z.jsonl');
    expect(parseLiveEventFileKey('films', key)).toEqual({ from: T(1), to: T(2) });
    expect(liveEventFileKey('films', T(1), T(9)) < liveEventFileKey('films', T(2), T(3))).toBe(true);
  });

  it('are not read from other datasets, other names, empty or impossible ranges', () => {
    const key = liveEventFileKey('films', T(1), T(2));
    expect(parseLiveEventFileKey('film', key)).toBeUndefined();
    expect(parseLiveEventFileKey('films', key.replace('.jsonl', '.csv'))).toBeUndefined();
    expect(parseLiveEventFileKey('films', liveEventFileKey('films', T(2), T(2)))).toBeUndefined();
    expect(parseLiveEventFileKey('films', 'events/films/20261301T100000.000Z_20261401T100000.000Z.jsonl')).toBe(
      undefined,
    );
    expect(parseLiveEventFileKey('films', 'events/films/notes.txt')).toBeUndefined();
  });
});

describe('overlapping ranges', () => {
  it('are the stretches two files or more hold; adjacent files share nothing', () => {
    expect(overlapsOf([])).toEqual([]);
    expect(
      overlapsOf([
        { from: T(0), to: T(1) },
        { from: T(1), to: T(2) },
      ]),
    ).toEqual([]);
    expect(
      overlapsOf([
        { from: T(0), to: T(5) },
        { from: T(3), to: T(8) },
        { from: T(7), to: T(9) },
        { from: T(9), to: T(10) },
      ]),
    ).toEqual([
      { from: T(3), to: T(5) },
      { from: T(7), to: T(8) },
    ]);
    // Three at once is one stretch, not three.
    expect(
      overlapsOf([
        { from: T(0), to: T(6) },
        { from: T(1), to: T(6) },
        { from: T(2), to: T(4) },
      ]),
    ).toEqual([{ from: T(1), to: T(6) }]);
  });
});

describe('after activation', () => {
  it('deletes before the cut, or before the dedupe window when that is older', () => {
    const now = new Date(T(30));
    expect(deleteBefore(T(29), now, { settleMs: 0, dedupeWindowMs: 10 * 60_000 })).toBe(T(20));
    expect(deleteBefore(T(5), now, { settleMs: 0, dedupeWindowMs: 10 * 60_000 })).toBe(T(5));
    expect(deleteBefore(T(29), now, { settleMs: 0, dedupeWindowMs: 0 })).toBe(T(29));
  });
});

describe("a version's weighting", () => {
  it('records what the build applies: plain ratings, typed events, decay, implicit, ignored timestamps', () => {
    expect(versionWeighting(parseModelConfig({}))).toEqual({ rule: 'latest' });
    expect(versionWeighting(parseModelConfig({ eventWeights: { view: 1, like: 4 }, halfLifeDays: 30 }))).toEqual({
      rule: 'sign-log1p',
      eventWeights: { view: 1, like: 4 },
      defaultEventWeight: 1,
      halfLifeDays: 30,
    });
    expect(versionWeighting(parseModelConfig({ implicit: true, input: { columns: { timestamp: null } } }))).toEqual({
      rule: 'latest',
      implicit: true,
      ignoreTimestamps: true,
    });
    expect(versionWeighting(parseModelConfig({ input: { columns: { rating: null } } }))).toEqual({
      rule: 'latest',
      implicit: true,
    });
  });
});
