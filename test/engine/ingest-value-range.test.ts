// Issue 8 point 2 (ingest part): ratings that fit a double but not the model's stored number format (float32) or
// its scoring range are rejected at ingest as bad-rating, counted with line numbers and an example, in every
// format; exactly ±MAX_ABS_VALUE is still accepted. Only decimal numbers are ratings (no hex, octal or binary).
import { describe, expect, it } from 'vitest';
import { MAX_ABS_VALUE } from '../../functions/engine/types.js';
import { entries, load } from './ingest-helpers.js';

/** Lines 2.. of each file hold these ratings after one good line; every one of them must be rejected. */
const OUT_OF_RANGE = ['1e39', '3.4e38', '-3.4e38', '1000000001', '-1000000001', '999999999999999', '1e10'];

const FORMATS = [
  { name: 'ratings.csv', row: (user: string, item: string, rating: string) => `${user},${item},${rating}` },
  { name: 'ratings.tsv', row: (user: string, item: string, rating: string) => `${user}\t${item}\t${rating}` },
  { name: 'ratings.dat', row: (user: string, item: string, rating: string) => `${user}::${item}::${rating}` },
  {
    name: 'ratings.jsonl',
    // A JSON number, as most JSON Lines writers emit it (1e39 is a valid JSON number, written 1e+39 by JSON.stringify).
    row: (user: string, item: string, rating: string) => JSON.stringify({ user, item, rating: Number(rating) }),
  },
];

describe(`ratings beyond ±${MAX_ABS_VALUE} are rejected, not stored`, () => {
  for (const format of FORMATS) {
    it(`in ${format.name}`, async () => {
      const lines = [
        format.row('u0', 'good', '4'),
        ...OUT_OF_RANGE.map((rating, k) => format.row(`u${k + 1}`, `i${k + 1}`, rating)),
      ];
      // Half the file is bad on purpose: the rejection threshold is not what this test is about.
      const { matrix, report } = await load(lines.join('\n') + '\n', { fileName: format.name, maxRejectedShare: 1 });
      expect(entries(matrix)).toEqual(['u0|good|4']);
      const rejected = report.rejected['bad-rating'];
      expect(rejected?.count).toBe(OUT_OF_RANGE.length);
      expect(rejected?.lines).toEqual(OUT_OF_RANGE.map((_, k) => k + 2));
      expect(rejected?.example).toMatch(/^line 2: rating '1e\+?39' is outside ±1000000000/);
      expect(report.accepted).toBe(1);
    });
  }

  it('accepts exactly ±MAX_ABS_VALUE (and keeps it exact in the matrix)', async () => {
    const { matrix, report } = await load(`u,a,${MAX_ABS_VALUE}\nu,b,-${MAX_ABS_VALUE}\nu,c,1e9\n`);
    expect(report.rejected).toEqual({});
    expect(entries(matrix)).toEqual(['u|a|1000000000', 'u|b|-1000000000', 'u|c|1000000000']);
  });

  it('the fast byte path and the text path agree (a quoted rating takes the text path)', async () => {
    const { report } = await load('u,a,4\nu,b,"1e10"\nu,c,12345678901\nu,d,"5"\n', { maxRejectedShare: 1 });
    expect(report.rejected['bad-rating']?.lines).toEqual([2, 3]);
    expect(report.accepted).toBe(2);
  });
});

describe('only decimal numbers are ratings', () => {
  it('rejects hex, octal and binary literals that Number() would accept', async () => {
    const { matrix, report } = await load('u,a,4\nu,b,0x10\nu,c,0o7\nu,d,0b101\nu,e,+2.5\nu,f,.5\nu,g,5e-1\n', {
      maxRejectedShare: 1,
    });
    expect(report.rejected['bad-rating']).toEqual({
      count: 3,
      lines: [2, 3, 4],
      example: "line 2: rating '0x10' is not a decimal number (hex, octal and binary are not accepted)",
    });
    expect(entries(matrix)).toEqual(['u|a|4', 'u|e|2.5', 'u|f|0.5', 'u|g|0.5']);
  });

  it('rejects hex timestamps too (a number timestamp is decimal)', async () => {
    const { report } = await load('u,a,4,100\nu,b,4,0x10\n', { maxRejectedShare: 1 });
    expect(report.rejected['bad-timestamp']?.lines).toEqual([2]);
  });
});
