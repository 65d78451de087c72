// Issue 8 point 6: a bad line is a rejected line, whatever it holds. A JSON Lines value nested 100,000 deep (which
// overflows the stack of anything recursive, e.g. JSON.stringify in a message) and a line longer than the line
// limit (never buffered whole, however long) are rejected and counted; the parse goes on; nothing escapes as a
// RangeError (which the build would take for an infrastructure fault, retry and park in the dead-letter queue).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadRatings, MAX_LINE_BYTES } from '../../functions/engine/ingest/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { entries, load } from './ingest-helpers.js';

const DEPTH = 100_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

const GOOD = '{"user":"u1","item":"i1","rating":4}';
const GOOD_2 = '{"user":"u2","item":"i2","rating":3}';

describe('deeply nested JSON Lines values are rejected lines', () => {
  const cases = [
    { name: 'a whole line', line: deepArray, reason: 'bad-json' },
    { name: 'the user id', line: `{"user":${deepArray},"item":"x","rating":1}`, reason: 'bad-id' },
    { name: 'the item id', line: `{"user":"x","item":${deepObject},"rating":1}`, reason: 'bad-id' },
    { name: 'the rating', line: `{"user":"x","item":"y","rating":${deepArray}}`, reason: 'bad-rating' },
    {
      name: 'the timestamp',
      line: `{"user":"x","item":"y","rating":1,"timestamp":${deepObject}}`,
      reason: 'bad-timestamp',
    },
  ] as const;
  for (const { name, line, reason } of cases) {
    it(`nested ${DEPTH} deep in ${name}: ${reason}`, async () => {
      const { matrix, report } = await load([GOOD, line, GOOD_2].join('\n'), {
        format: 'jsonl',
        maxRejectedShare: 1,
      });
      expect(entries(matrix)).toEqual(['u1|i1|4', 'u2|i2|3']);
      expect(report.rejected[reason]?.lines).toEqual([2]);
      expect(report.rejected[reason]?.example.length).toBeLessThan(200);
      expect(report.rowsRead).toBe(3);
    });
  }

  it('a deeply nested array in a file read by position', async () => {
    const { matrix, report } = await load(['["u1","i1",4]', `[${deepArray},"i2",3]`, '["u2","i2",3]'].join('\n'), {
      format: 'jsonl',
      maxRejectedShare: 1,
    });
    expect(entries(matrix)).toEqual(['u1|i1|4', 'u2|i2|3']);
    expect(report.rejected['bad-id']?.example).toBe(
      'line 2: user id element 0 must be a string or a number, found an array (nested too deeply to show)',
    );
  });
});

describe(`a line longer than ${MAX_LINE_BYTES} bytes is rejected as line-too-long`, () => {
  it('is 1 MiB', () => {
    expect(MAX_LINE_BYTES).toBe(1 << 20);
  });

  it('skips the line (never buffering it) and goes on with the next', async () => {
    const chunk = Buffer.alloc(256 << 10, 0x61); // 'a'
    const long = Array.from({ length: 12 }, () => chunk); // 3 MiB without a line break
    const source = Readable.from([Buffer.from('u,i,1\nu,'), ...long, Buffer.from(',4\nv,i,2\n')]);
    const { matrix, report } = await loadRatings(source, { maxRejectedShare: 1 });
    expect(entries(matrix)).toEqual(['u|i|1', 'v|i|2']);
    expect(report.rejected['line-too-long']).toEqual({
      count: 1,
      lines: [2],
      example: 'line 2: longer than 1048576 bytes (1 MiB, the limit on one line): skipped up to its line break',
    });
    expect(report.rowsRead).toBe(3);
  });

  it('a 1 GB line without any line break: one rejected line, and memory stays flat', async () => {
    const chunk = Buffer.alloc(4 << 20, 0x61);
    const chunks = 256; // 1 GiB, generated lazily: the parser must drop it as it goes
    async function* gigabyte() {
      yield Buffer.from('u,i,1\n');
      for (let k = 0; k < chunks; k++) yield chunk;
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const { report } = await loadRatings(Readable.from(gigabyte()), { maxRejectedShare: 1 });
      expect(report.rejected['line-too-long']?.lines).toEqual([2]);
      expect(report.accepted).toBe(1);
    } finally {
      clearInterval(timer);
    }
    expect(peak - before).toBeLessThan(256 << 20);
  });

  it('a file that is one over-long line has no usable rows (a UserInputError naming the limit)', async () => {
    const error = await loadRatings(Readable.from([Buffer.alloc(MAX_LINE_BYTES + 10, 0x61)])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toBe(
      'input has no usable rows: all 1 were rejected — line-too-long: 1 (e.g. line 1: longer than 1048576 bytes (1 MiB, the limit on one line): skipped up to its line break)',
    );
  });
});
