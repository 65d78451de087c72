// Live events in the engine: each checked by the ingest's rules, and a user's events valued as a build of them alone
// would value them. Expected values by hand, then against a brute force written from the documented rules (README
// "Event types and time decay": value × weight, decayed by 0.5^(age / half-life), summed, sign·log1p; plain ratings:
// the latest timestamp wins, the later arrival on a tie).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  liveHistory,
  liveIdProblem,
  liveTimestampProblem,
  liveTypeProblem,
  liveValueProblem,
  liveWeightedValueProblem,
  type LiveEventFields,
  type LiveWeighting,
} from '../../functions/engine/ingest/index.js';

const AT = '2026-12-01T10:00:00.000Z';
let counter = 0;
const event = (fields: Partial<LiveEventFields> & { item: string }): LiveEventFields => ({
  receivedAt: AT,
  n: counter++,
  eventId: `e${counter}`,
  ...fields,
});
const TYPED: LiveWeighting = {
  events: { weights: { view: 1, play: 2, dislike: -4, skip: -1, hover: 0 }, defaultWeight: 1 },
};
const signLog1p = (sum: number) => Math.sign(sum) * Math.log1p(Math.abs(sum));

describe('one event, by the rules of a file row', () => {
  it('ids: non-empty, at most 256 UTF-8 bytes, valid UTF-8', () => {
    expect(liveIdProblem('u1', 'user')).toBeUndefined();
    expect(liveIdProblem('é'.repeat(128), 'user')).toBeUndefined(); // 256 bytes
    expect(liveIdProblem('é'.repeat(128) + 'x', 'user')).toMatch(/257 UTF-8 bytes; the limit is 256/);
    expect(liveIdProblem('', 'item')).toMatch(/item id is empty/);
    expect(liveIdProblem('bad\uFFFD', 'item')).toMatch(/not valid UTF-8/);
  });

  it('timestamps: numbers as given, ISO-8601 dates; nothing else', () => {
    for (const ok of [1_700_000_000, 1.7e12, '1700000000', '2024-05-01T12:00:00Z', '2024-05-01']) {
      expect(liveTimestampProblem(ok)).toBeUndefined();
    }
    expect(liveTimestampProblem('yesterday')).toMatch(/neither a number nor an ISO-8601 date/);
    expect(liveTimestampProblem('0x10')).toMatch(/neither a number nor an ISO-8601 date/);
    expect(liveTimestampProblem('')).toMatch(/empty/);
    expect(liveTimestampProblem(Number.POSITIVE_INFINITY)).toMatch(/finite/);
  });

  it('values: finite, within ±1e9', () => {
    expect(liveValueProblem(-1e9)).toBeUndefined();
    expect(liveValueProblem(1e9 + 1)).toMatch(/from -1000000000 to 1000000000/);
    expect(liveValueProblem(Number.NaN)).toMatch(/finite/);
  });

  it('types: trimmed text; with event weights required and one the weights name', () => {
    expect(liveTypeProblem(undefined, undefined)).toBeUndefined();
    expect(liveTypeProblem('anything', undefined)).toBeUndefined();
    expect(liveTypeProblem('   ', undefined)).toMatch(/must not be empty/);
    expect(liveTypeProblem('x'.repeat(257), undefined)).toMatch(/257 UTF-8 bytes/);
    expect(liveTypeProblem(' play ', TYPED)).toBeUndefined();
    expect(liveTypeProblem('Play', TYPED)).toMatch(/'Play' is not one of the dataset's event types \('view', 'play'/);
    expect(liveTypeProblem(undefined, TYPED)).toMatch(/type is required/);
  });

  it('value × weight stays within ±1e9', () => {
    expect(liveWeightedValueProblem(5e8, 'play', TYPED)).toBeUndefined(); // 1e9: on the bound
    expect(liveWeightedValueProblem(6e8, 'play', TYPED)).toMatch(/value × the weight of type 'play' is 1200000000/);
  });
});

describe("a user's events valued as the build would", () => {
  it('plain ratings: the latest timestamp wins, the later arrival on a tie; most recent first', () => {
    const history = liveHistory([
      event({ item: 'a', value: 3, timestamp: '100' }),
      event({ item: 'a', value: 5, timestamp: '50' }), // older timestamp, later arrival: loses
      event({ item: 'b', value: 2, timestamp: '200' }),
      event({ item: 'b', value: 4, timestamp: '200' }), // tie: the later arrival wins
      event({ item: 'c' }), // no value: 1; no timestamp: its arrival (2026, in seconds) is the most recent
    ]);
    expect(history).toEqual([
      { item: 'c', value: 1 },
      { item: 'b', value: 4 },
      { item: 'a', value: 3 },
    ]);
  });

  it('implicit datasets read every value as 1', () => {
    expect(liveHistory([event({ item: 'a', value: 5 })], { implicit: true })).toEqual([{ item: 'a', value: 1 }]);
  });

  it('typed events: weights summed, sign·log1p; weight 0 ignored; a sum of 0 left out', () => {
    const history = liveHistory(
      [
        event({ item: 'a', type: 'view', timestamp: '1' }),
        event({ item: 'a', type: 'play', timestamp: '2' }),
        event({ item: 'b', type: 'dislike', value: 0.5, timestamp: '3' }),
        event({ item: 'c', type: 'view', timestamp: '4' }),
        event({ item: 'c', type: 'skip', timestamp: '5' }),
        event({ item: 'd', type: 'hover', timestamp: '6' }),
      ],
      TYPED,
    );
    // By hand: a = log1p(1 + 2); b = -log1p(0.5 × 4); c = 1 - 1 = 0 (left out); d weighs 0 (ignored).
    expect(history.map((e) => e.item)).toEqual(['b', 'a']);
    expect(history[0].value).toBeCloseTo(-Math.log1p(2), 6);
    expect(history[1].value).toBeCloseTo(Math.log1p(3), 6);
  });

  it('time decay: ages from the newest of the events, seconds or milliseconds as the build reads them', () => {
    const day = 86_400;
    const history = liveHistory(
      [
        event({ item: 'a', type: 'play', timestamp: String(10 * day) }),
        event({ item: 'a', type: 'view', timestamp: String(20 * day) }),
        event({ item: 'b', type: 'view', timestamp: String(30 * day) }),
      ],
      { ...TYPED, halfLifeDays: 10 },
    );
    // Newest 30 days: a = log1p(2 × 0.5^2 + 1 × 0.5^1) = log1p(1); b = log1p(1).
    expect(history).toEqual([
      { item: 'b', value: Math.fround(Math.log1p(1)) },
      { item: 'a', value: Math.fround(Math.log1p(1)) },
    ]);
  });

  it('agrees with a brute force of the documented rules on random events', () => {
    const weights = { view: 1, play: 2, like: 4, dislike: -4, hover: 0 };
    const arbitraryEvent = fc.record({
      item: fc.constantFrom('a', 'b', 'c', 'd'),
      type: fc.constantFrom(...Object.keys(weights), 'other'),
      value: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
      timestamp: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
      second: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        (drawn, typed, decayed) => {
          const events = drawn.map((d, n) =>
            event({
              item: d.item,
              type: d.type,
              ...(d.value === undefined ? {} : { value: d.value }),
              timestamp: String(d.timestamp ?? 100 + d.second),
              receivedAt: `2026-12-01T10:00:0${d.second}.000Z`,
              n,
            }),
          );
          const weighting: LiveWeighting = {
            ...(typed ? { events: { weights, defaultWeight: 1 } } : {}),
            ...(decayed ? { halfLifeDays: 1 / 86_400 } : {}), // a half-life of one second of timestamp
          };
          const got = new Map(liveHistory(events, weighting).map((e) => [e.item, e.value]));
          const expected = bruteForce(events, weights, typed, decayed);
          expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
          for (const [item, value] of expected) expect(got.get(item)).toBeCloseTo(value, 4);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The rules as documented, written without the engine: one pass per item over the events in arrival order. */
function bruteForce(
  events: LiveEventFields[],
  weights: Record<string, number>,
  typed: boolean,
  decayed: boolean,
): Map<string, number> {
  const ordered = [...events].sort((a, b) =>
    a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.n - b.n,
  );
  const rows = ordered.flatMap((e) => {
    const weight = typed ? (Object.hasOwn(weights, e.type!) ? weights[e.type!] : 1) : 1;
    if (weight === 0) return [];
    return [{ item: e.item, value: (e.value ?? 1) * weight, time: Number(e.timestamp) }];
  });
  const newest = Math.max(...rows.map((r) => r.time));
  const result = new Map<string, number>();
  for (const item of new Set(rows.map((r) => r.item))) {
    const mine = rows.filter((r) => r.item === item);
    const effective = mine.map((r) => r.value * (decayed ? 0.5 ** (newest - r.time) : 1));
    let value: number;
    if (typed) value = signLog1p(effective.reduce((a, b) => a + b, 0));
    else {
      let latest = 0;
      mine.forEach((r, k) => {
        if (!(r.time < mine[latest].time)) latest = k;
      });
      value = effective[latest];
    }
    // Typed or decayed pairs that come to exactly 0 are left out; a plain rating of 0 is kept.
    if (value !== 0 || (!typed && !decayed)) result.set(item, value);
  }
  return result;
}
