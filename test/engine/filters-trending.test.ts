import { describe, expect, it } from 'vitest';
import { buildRatingMatrix, InteractionLog } from '../../functions/engine/data/index.js';
import { trendingFromLog, trendingRanking } from '../../functions/engine/filters/index.js';
import { UserInputError } from '../../functions/engine/types.js';

const DAY = 86_400;
/** 2023-11-14 in seconds: in milliseconds it is above 1e11, so trending reads it as milliseconds. */
const BASE = 1_700_000_000;

/** (user, item, day) events; `unit` seconds (1) or milliseconds (1000). */
function log(events: [string, string, number][], unit = 1): InteractionLog {
  const result = new InteractionLog();
  for (const [user, item, day] of events)
    result.add(user, item, 1, Number.isNaN(day) ? NaN : (BASE + day * DAY) * unit);
  return result;
}

const events: [string, string, number][] = [
  ['u1', 'x', 5],
  ['u1', 'x', 10],
  ['u2', 'x', 9],
  ['u1', 'y', 8],
  ['u3', 'y', 10],
  ['u2', 'z', 2],
  ['u3', 'z', 3],
  ['u4', 'w', NaN],
];
const options = { windowDays: 7, halfLifeDays: 2 };

describe('trending', () => {
  it('matches a hand calculation over the matrix (one count per pair, at its latest timestamp)', () => {
    const matrix = buildRatingMatrix(log(events)).matrix;
    // now = day 10 (the newest); window [3, 10]; weight 0.5^(age/2).
    // x: u1@10 → 1, u2@9 → 0.5^0.5; y: u1@8 → 0.5, u3@10 → 1; z: u3@3 → 0.5^3.5 (u2@2 is outside); w: no time.
    const ranked = trendingRanking(matrix, options);
    expect(ranked.map((t) => [t.item, t.count])).toEqual([
      ['x', 2],
      ['y', 2],
      ['z', 1],
    ]);
    expect(ranked[0].score).toBeCloseTo(1 + Math.SQRT1_2, 12);
    expect(ranked[1].score).toBeCloseTo(1.5, 12);
    expect(ranked[2].score).toBeCloseTo(0.5 ** 3.5, 12);
    expect(trendingRanking(matrix, options, 2).map((t) => t.item)).toEqual(['x', 'y']);
  });

  it('counts every event of a log (repeat interactions)', () => {
    const ranked = trendingFromLog(log(events), options);
    expect(ranked[0]).toMatchObject({ item: 'x', count: 3 });
    expect(ranked[0].score).toBeCloseTo(1 + Math.SQRT1_2 + 0.5 ** 2.5, 12);
  });

  it('judges at a given now (ms), leaving out later interactions; milliseconds timestamps read the same', () => {
    const now = (BASE + 9 * DAY) * 1000;
    const expected = [
      ['x', 1, 1], // u2@9 (u1@10 is after now)
      ['y', 1, Math.SQRT1_2], // u1@8 (u3@10 is after now)
      ['z', 2, 0.5 ** 3 + 0.5 ** 3.5], // u3@3, u2@2: window [2, 9]
    ];
    for (const unit of [1, 1000]) {
      const ranked = trendingRanking(buildRatingMatrix(log(events, unit)).matrix, { ...options, now });
      expect(ranked.map((t) => [t.item, t.count])).toEqual(expected.map(([item, count]) => [item, count]));
      ranked.forEach((t, i) => expect(t.score).toBeCloseTo(expected[i][2] as number, 12));
    }
  });

  it('breaks ties by in-window count, then item id', () => {
    // p: two events a half-life old (0.5 + 0.5 = 1 exactly); q and r: one event now (1).
    const ranked = trendingFromLog(
      log([
        ['u1', 'r', 10],
        ['u1', 'q', 10],
        ['u1', 'p', 8],
        ['u2', 'p', 8],
      ]),
      options,
    );
    expect(ranked.map((t) => [t.item, t.score, t.count])).toEqual([
      ['p', 1, 2],
      ['q', 1, 1],
      ['r', 1, 1],
    ]);
  });

  it('refuses data without timestamps and bad options', () => {
    const untimed = new InteractionLog();
    untimed.add('u', 'i', 1);
    expect(() => trendingFromLog(untimed, options)).toThrow(UserInputError);
    expect(() => trendingRanking(buildRatingMatrix(untimed).matrix, options)).toThrow(UserInputError);
    const matrix = buildRatingMatrix(log(events)).matrix;
    for (const bad of [{ windowDays: 0 }, { halfLifeDays: -1 }, { windowDays: Infinity }, { now: NaN }])
      expect(() => trendingRanking(matrix, { ...options, ...bad })).toThrow(UserInputError);
    expect(() => trendingRanking(matrix, options, 0)).toThrow(UserInputError);
  });
});
