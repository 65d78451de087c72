// The ingest quality report.
import { describe, expect, it } from 'vitest';
import { ingestToLog } from '../../functions/engine/ingest/index.js';
import { streamOf, entries, load } from './ingest-helpers.js';

describe('quality report', () => {
  // Lines: 1 header; 2-5 valid (5 is an older duplicate of 4); 6 bad rating; 7 blank; 8 valid; 9 empty user id.
  const tiny =
    'userId,movieId,rating,timestamp\n1,10,4,100\n1,20,3.5,100\n2,10,5,200\n2,10,2,150\n3,30,abc,100\n\n3,10,1,300\n,10,1,1\n';

  it('matches hand-computed figures', async () => {
    // 2 of 7 rows bad on purpose, above the default rejection threshold.
    const { matrix, report } = await load(tiny, { fileName: 'tiny.csv', maxRejectedShare: 1 });
    expect(entries(matrix)).toEqual(['1|10|4 @100', '1|20|3.5 @100', '2|10|5 @200', '3|10|1 @300']);
    expect(report).toMatchObject({
      file: 'tiny.csv',
      format: 'csv',
      header: true,
      implicit: false,
      hasTimestamps: true,
      rowsRead: 7,
      blankLines: 1,
      accepted: 5,
      duplicatesDropped: 1,
      ratings: 4,
      users: 3, // item 30 and its line were rejected, so it is not counted
      items: 2,
    });
    expect(report.density).toBeCloseTo(4 / 6, 12);
    expect(report.rejected).toEqual({
      'bad-rating': { count: 1, lines: [6], example: "line 6: rating 'abc' is not a number" },
      'empty-id': { count: 1, lines: [9], example: 'line 9: user id is empty' },
    });
    expect(report.ratingHistogram).toEqual([
      { value: '1', count: 1 },
      { value: '3.5', count: 1 },
      { value: '4', count: 1 },
      { value: '5', count: 1 },
    ]);
    expect(report.popularItems).toEqual([
      { item: '10', count: 3 },
      { item: '20', count: 1 },
    ]);
    expect(report.warnings.some((w) => w.includes('2 of 7 rows rejected'))).toBe(true);
    expect(report.warnings.some((w) => w.includes('1 duplicate'))).toBe(true);
  });

  it('ingestToLog returns the log in file order with the parse figures', async () => {
    const { log, report } = await ingestToLog(streamOf(tiny), { maxRejectedShare: 1 });
    expect(log.length).toBe(5);
    const { user, item, value } = log.columns();
    expect([...value]).toEqual([4, 3.5, 5, 2, 1]);
    expect(log.users.idAt(user[3])).toBe('2');
    expect(log.items.idAt(item[4])).toBe('10');
    expect(report).toMatchObject({ rowsRead: 7, accepted: 5 });
    expect('ratings' in report).toBe(false);
  });

  it('bins more than 20 distinct values into 10 equal-width bins', async () => {
    // Values 0, 1, ..., 29 (one each): width 2.9, bin b holds values in [2.9b, 2.9(b+1)), the last bin is closed.
    const lines = Array.from({ length: 30 }, (_, v) => `u${v},i,${v}`).join('\n');
    const { report } = await load(lines);
    const expected = Array.from({ length: 10 }, (_, b) => {
      const count = Array.from({ length: 30 }, (_, v) => v).filter(
        (v) => Math.min(9, Math.floor(v / 2.9)) === b,
      ).length;
      return { value: `${Number((2.9 * b).toPrecision(4))}–${Number((2.9 * (b + 1)).toPrecision(4))}`, count };
    });
    expect(report.ratingHistogram).toEqual(expected);
    expect(report.ratingHistogram[0]).toEqual({ value: '0–2.9', count: 3 });
  });

  it('lists at most 10 popular items, by distinct users then id', async () => {
    // Item "i<k>" is rated by k users (k = 1..12); i12 has a duplicate row that must not count twice.
    const rows: string[] = [];
    for (let k = 1; k <= 12; k++) for (let u = 0; u < k; u++) rows.push(`u${u},i${k},1`);
    rows.push('u0,i12,1', 'u0,a,1', 'u1,a,1', 'u2,b,1', 'u3,b,1');
    const { report } = await load(rows.join('\n'), { implicit: true });
    expect(report.popularItems.map((p) => `${p.item}:${p.count}`)).toEqual([
      'i12:12',
      'i11:11',
      'i10:10',
      'i9:9',
      'i8:8',
      'i7:7',
      'i6:6',
      'i5:5',
      'i4:4',
      'i3:3',
    ]);
    const ties = await load('u1,b,1\nu1,a,1\nu2,c,1\n');
    expect(ties.report.popularItems.map((p) => p.item)).toEqual(['a', 'b', 'c']);
  });

  it('warns when every explicit rating is the same', async () => {
    const { report } = await load('a,x,1\nb,x,1\nc,y,1\n');
    expect(report.warnings.join()).toMatch(/implicit/);
  });
});
