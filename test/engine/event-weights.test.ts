// Typed events and time decay, from a file to the matrix and the model: weights by type (default weight, 0 =
// ignored, negative = against), sum then sign·log1p per (user, item), decay from the newest timestamp; the
// data-quality report; the same file gives the same bits. Expected values are computed by hand in each test.
import { describe, expect, it } from 'vitest';
import { buildModel, parseModelConfig } from '../../functions/engine/pipeline.js';
import { eventOptionsOf } from '../../functions/engine/model-config.js';
import { UserInputError } from '../../functions/engine/types.js';
import { approx, itemBased, type Ratings } from '../support/brute-force.js';
import { entries, load, streamOf } from './ingest-helpers.js';

const WEIGHTS = { weights: { view: 1, like: 4, dislike: -4, skip: 0 }, defaultWeight: 1 };
const signLog1p = (sum: number) => Math.fround(Math.sign(sum) * Math.log1p(Math.abs(sum)));

async function rejection(run: () => Promise<unknown>): Promise<UserInputError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected a UserInputError');
}

describe('typed events: weights and the combine rule', () => {
  it('sums a pair’s weights, then sign·log1p; weight 0 rows are ignored; unknown types get the default, reported', async () => {
    const csv = [
      'user,item,event,timestamp',
      'a,x,view,10',
      'a,x,like,20', // a-x: 1 + 4 = 5
      'a,y,view,30',
      'a,y,dislike,40', // a-y: 1 - 4 = -3
      'b,x,share,50', // unknown: default 1
      'b,z,view,60',
      'b,z,dislike,70',
      'b,z,like,80',
      'b,z,view,90', // b-z: 1 - 4 + 4 - 1... = 1 - 4 + 4 + 1 = 2
      'c,z,skip,100', // weight 0: c never becomes a user
    ].join('\n');
    const { matrix, report } = await load(csv, { events: WEIGHTS });
    expect(entries(matrix)).toEqual([
      `a|x|${signLog1p(5)} @20`,
      `a|y|${signLog1p(-3)} @40`,
      `b|x|${signLog1p(1)} @50`,
      `b|z|${signLog1p(2)} @90`,
    ]);
    expect(matrix.users.size).toBe(2);
    expect(report).toMatchObject({ rowsRead: 10, accepted: 10, duplicatesDropped: 5, ratings: 4 });
    expect(report.eventTypes).toEqual({
      types: [
        { type: 'view', weight: 1, rows: 4, weightFrom: 'eventWeights' },
        { type: 'dislike', weight: -4, rows: 2, weightFrom: 'eventWeights' },
        { type: 'like', weight: 4, rows: 2, weightFrom: 'eventWeights' },
        { type: 'share', weight: 1, rows: 1, weightFrom: 'defaultEventWeight' },
        { type: 'skip', weight: 0, rows: 1, weightFrom: 'eventWeights' },
      ],
      distinct: 5,
      ignoredRows: 1,
      defaultedRows: 1,
      defaultWeight: 1,
    });
    // The 9 rows that reach the log: weights 1 ×5, 4 ×2, -4 ×2.
    expect(report.weighting).toEqual({
      rule: 'sign-log1p',
      cancelledPairs: 0,
      effectiveWeights: [
        { value: '-4', count: 2 },
        { value: '1', count: 5 },
        { value: '4', count: 2 },
      ],
    });
    expect(report.warnings.join('\n')).toContain("event type 'share' (1 rows) not in eventWeights: weighted 1");
  });

  it('a row with both a rating and a type is worth rating × weight; a pair summing to 0 is left out and counted', async () => {
    const csv = 'user,item,rating,type\na,x,3,like\na,y,2,view\na,y,2,dislike\nb,x,5,view\n';
    const { matrix, report } = await load(csv, {
      events: { weights: { view: 1, like: 4, dislike: -1 }, defaultWeight: 1 },
    });
    expect(entries(matrix)).toEqual([`a|x|${signLog1p(12)}`, `b|x|${signLog1p(5)}`]);
    expect(report.weighting?.cancelledPairs).toBe(1);
    expect(report.warnings.join('\n')).toContain("1 (user, item) pair left out: their events' weights sum to 0");
  });

  it('reads the type from JSON Lines too, and rejects a row without a type by line', async () => {
    const jsonl =
      '{"user":"a","item":"x","type":"like"}\n{"user":"a","item":"y"}\n{"user":"b","item":"x","type":"view"}\n';
    const { matrix, report } = await load(jsonl, { events: WEIGHTS, fileName: 'e.jsonl', maxRejectedShare: 0.5 });
    expect(entries(matrix)).toEqual([`a|x|${signLog1p(4)}`, `b|x|${signLog1p(1)}`]);
    expect(report.rejected['missing-field']).toMatchObject({ count: 1, lines: [2] });
  });

  it('counts a type only once its row is accepted, and rejects an empty type by line', async () => {
    const csv = 'user,item,type\na,x,view\n,x,like\nb,x, \nb,y,view\nc,y,view\nd,y,view\ne,y,view\n';
    const { report } = await load(csv, { events: WEIGHTS, maxRejectedShare: 0.5 });
    expect(report.eventTypes?.types).toEqual([{ type: 'view', weight: 1, rows: 5, weightFrom: 'eventWeights' }]);
    expect(report.rejected['empty-id']?.lines).toEqual([3]);
    expect(report.rejected['missing-field']).toMatchObject({ lines: [4], example: 'line 4: event type is empty' });
  });

  it('fails a typed file without a type column, and columns.type without event weights, naming the field', async () => {
    const noType = await rejection(() => load('user,item,rating\na,x,1\n', { events: WEIGHTS, fileName: 'r.csv' }));
    expect(noType.where).toBe('input.columns.type');
    expect(noType.message).toContain("r.csv has no event type column (its header has 'user', 'item', 'rating')");
    const unused = await rejection(() => load('user,item,kind\na,x,view\n', { columns: { type: 'kind' } }));
    expect(unused.where).toBe('input.columns.type');
    // Named explicitly, any column is the type.
    const { report } = await load('user,item,what\na,x,view\n', { events: WEIGHTS, columns: { type: 'what' } });
    expect(report.eventTypes?.types[0]).toMatchObject({ type: 'view', rows: 1 });
  });

  it('stops at more than 1000 distinct types: that column is not an event type', async () => {
    const rows = Array.from({ length: 1001 }, (_, k) => `u${k},i${k % 7},t${k}`);
    const error = await rejection(() => load(['user,item,type', ...rows].join('\n'), { events: WEIGHTS }));
    expect(error.message).toContain('more than 1000 distinct event types');
    expect(error.where).toBe('input.columns.type');
  });

  it('without eventWeights a type column is not read (the latest row wins, as before) and the warning says why', async () => {
    const { matrix, report } = await load('user,item,rating,type,timestamp\na,x,5,like,1\na,x,2,dislike,2\n');
    expect(entries(matrix)).toEqual(['a|x|2 @2']);
    expect(report.eventTypes).toBeUndefined();
    expect(report.weighting).toBeUndefined();
    expect(report.warnings.join('\n')).toContain('event types are read when the config sets eventWeights');
  });
});

describe('time decay (halfLifeDays)', () => {
  const DAY = 86_400;

  it('an old view counts half at one half-life, measured from the newest timestamp (seconds, ms or ISO dates)', async () => {
    const typed = `user,item,type,timestamp\nold,x,view,${1_000_000}\nnew,x,view,${1_000_000 + 10 * DAY}\n`;
    const { matrix, report } = await load(typed, { events: WEIGHTS, halfLifeDays: 10 });
    expect(entries(matrix)).toEqual([
      `new|x|${signLog1p(1)} @${1_000_000 + 10 * DAY}`,
      `old|x|${signLog1p(0.5)} @1000000`,
    ]);
    expect(report.weighting).toMatchObject({
      halfLifeDays: 10,
      newestTimestamp: 1_000_000 + 10 * DAY,
      timestampUnit: 'seconds',
      effectiveWeights: [
        { value: '0.5', count: 1 },
        { value: '1', count: 1 },
      ],
    });

    // Plain ratings keep "the latest wins", and the winner decays: 4 × 0.5^(20 / 10) = 1.
    const millis = `user,item,rating,timestamp\nold,x,4,${1.7e12}\nold,x,2,${1.7e12 - 1000}\nnew,x,3,${1.7e12 + 20 * DAY * 1000}\n`;
    const plain = await load(millis, { halfLifeDays: 10 });
    expect(entries(plain.matrix)).toEqual([`new|x|3 @${1.7e12 + 20 * DAY * 1000}`, `old|x|1 @${1.7e12}`]);
    expect(plain.report.weighting).toMatchObject({ rule: 'latest', timestampUnit: 'milliseconds' });

    const iso = 'user,item,rating,timestamp\nold,x,2,2024-01-01\nnew,x,2,2024-01-31T00:00:00Z\n';
    expect(entries((await load(iso, { halfLifeDays: 30 })).matrix).map((e) => e.split(' @')[0])).toEqual([
      'new|x|2',
      'old|x|1',
    ]);
  });

  it('rejects a row without a timestamp by line, and fails a file without a timestamp column naming halfLifeDays', async () => {
    const rows = ['user,item,rating,timestamp', 'a,x,1,', ...Array.from({ length: 9 }, (_, k) => `u${k},x,1,${k}`)];
    const { report } = await load(rows.join('\n'), { halfLifeDays: 7 });
    expect(report.rejected['bad-timestamp']).toMatchObject({
      lines: [2],
      example: 'line 2: no timestamp: halfLifeDays (time decay) needs one on every row',
    });
    const error = await rejection(() => load('user,item,rating\na,x,1\n', { halfLifeDays: 7, fileName: 'r.csv' }));
    expect(error.where).toBe('halfLifeDays');
    expect(error.message).toContain('r.csv has no timestamp column');
  });
});

describe('typed events in the model', () => {
  // carol links a and c, dave links b and d; alice likes a (view) and then either likes or dislikes b.
  const file = (onB: string[]) =>
    [
      'user,item,type,timestamp',
      'carol,a,view,1',
      'carol,c,view,2',
      'dave,b,view,3',
      'dave,d,view,4',
      'alice,a,view,5',
      ...onB.map((type, k) => `alice,b,${type},${6 + k}`),
    ].join('\n');
  const config = parseModelConfig({ eventWeights: { view: 1, like: 4, dislike: -4 } });
  const recommend = async (onB: string[]) => {
    const { model } = await buildModel(streamOf(file(onB)), { config, fileName: 'events.csv' });
    return model
      .recommendForUser('alice', { limit: 5, explainTop: 0 })
      .items.map(({ item, score }) => ({ item, score }));
  };
  // The matrix by hand (sign·log1p of each pair's sum), then item-based scores by brute force.
  const byHand = (aliceOnB: number): Ratings => [
    ['carol', 'a', signLog1p(1)],
    ['carol', 'c', signLog1p(1)],
    ['dave', 'b', signLog1p(1)],
    ['dave', 'd', signLog1p(1)],
    ['alice', 'a', signLog1p(1)],
    ['alice', 'b', signLog1p(aliceOnB)],
  ];

  it('a dislike pushes an item down in item-based scores', async () => {
    const liked = await recommend(['view', 'like']); // b: 1 + 4 = 5
    const disliked = await recommend(['view', 'dislike']); // b: 1 - 4 = -3
    const strip = (items: { item: string; score: number }[]) => items.map(({ item, score }) => ({ item, score }));
    expect(liked).toEqual(strip(approx(itemBased(byHand(5), 'alice'))));
    expect(disliked).toEqual(strip(approx(itemBased(byHand(-3), 'alice'))));
    expect(liked.map((r) => r.item)).toEqual(['d', 'c']); // d, like b, first
    expect(disliked.map((r) => r.item)[0]).toBe('c'); // d, like the disliked b, no longer first
    const scoreOf = (items: typeof liked, id: string) => items.find((r) => r.item === id)?.score ?? -Infinity;
    expect(scoreOf(disliked, 'd')).toBeLessThan(0);
    expect(scoreOf(disliked, 'd')).toBeLessThan(scoreOf(liked, 'd'));
  });

  it('the same file gives a bit-identical model twice', async () => {
    const build = async () => {
      const decayed = parseModelConfig({ eventWeights: { view: 1, like: 4, dislike: -4 }, halfLifeDays: 0.5 });
      const { model } = await buildModel(streamOf(file(['view', 'like', 'dislike', 'view'])), {
        config: decayed,
        fileName: 'events.csv',
      });
      const matrix = model.matrix;
      return Buffer.concat([
        Buffer.from(matrix.byUser.values.buffer, matrix.byUser.values.byteOffset, matrix.byUser.values.byteLength),
        Buffer.from(JSON.stringify(model.recommendForUser('alice', { limit: 5 }))),
        Buffer.from(JSON.stringify(model.similarItems('b', 5))),
      ]);
    };
    expect((await build()).equals(await build())).toBe(true);
  });

  it('eventOptionsOf: absent without eventWeights; the default weight is 1 unless set', () => {
    expect(eventOptionsOf(parseModelConfig({}))).toEqual({});
    expect(eventOptionsOf(parseModelConfig({ eventWeights: {}, halfLifeDays: 3 }))).toEqual({
      events: { weights: {}, defaultWeight: 1 },
      halfLifeDays: 3,
    });
    expect(eventOptionsOf(parseModelConfig({ eventWeights: { a: 2 }, defaultEventWeight: 0 })).events).toEqual({
      weights: { a: 2 },
      defaultWeight: 0,
    });
  });
});
