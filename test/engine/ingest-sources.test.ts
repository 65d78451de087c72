// Many files -> one matrix (functions/engine/ingest/load-sources.ts): the union, the duplicate rule across files,
// per-file counts, and limits that apply to the total. Expected values are worked out by hand in the comments.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IngestLimitError, loadSources, type InteractionSource } from '../../functions/engine/ingest/index.js';
import { entries, streamOf } from './ingest-helpers.js';

function file(name: string, content: string | Buffer): InteractionSource {
  return { name, size: Buffer.byteLength(content), open: () => Promise.resolve(streamOf(content)) };
}

// a.csv is uploaded first, b.csv later.
const A = 'user,item,rating,timestamp\nu1,i1,1,100\nu1,i2,2,200\nu2,i1,3,100\n';
const B = 'user,item,rating,timestamp\nu1,i1,5,100\nu1,i2,4,150\nu3,i3,1,50\nu3,i3,2,50\n';

describe('the union of interaction files', () => {
  it('applies the duplicate rule across files: latest timestamp wins, then the later file, then the later row', async () => {
    const { matrix, report } = await loadSources([file('a.csv', A), file('b.csv', B)], { fileName: 'uploads/d/' });
    // (u1,i1): both at 100, b.csv is later -> 5 (a.csv loses one row).
    // (u1,i2): a.csv at 200 beats b.csv at 150 -> 2 (b.csv loses one row).
    // (u3,i3): both in b.csv at 50, the later row -> 2 (b.csv loses another).
    expect(entries(matrix)).toEqual(['u1|i1|5 @100', 'u1|i2|2 @200', 'u2|i1|3 @100', 'u3|i3|2 @50']);
    expect(report).toMatchObject({ file: 'uploads/d/', rowsRead: 7, accepted: 7, duplicatesDropped: 3, ratings: 4 });
    expect(report.sources).toEqual([
      expect.objectContaining({ file: 'a.csv', rowsRead: 3, accepted: 3, rejected: 0, duplicatesDropped: 1 }),
      expect.objectContaining({ file: 'b.csv', rowsRead: 4, accepted: 4, rejected: 0, duplicatesDropped: 2 }),
    ]);
  });

  it('without timestamps, the later file wins', async () => {
    const { matrix, report } = await loadSources([file('old.csv', 'u,x,1\nv,x,1\n'), file('new.csv', 'u,x,3\n')]);
    expect(entries(matrix)).toEqual(['u|x|3', 'v|x|1']);
    expect(report.sources.map((s) => s.duplicatesDropped)).toEqual([1, 0]);
  });

  it('reads each file in its own format (CSV, gzip JSON Lines) and reports its rejections under its name', async () => {
    const jsonl = gzipSync('{"user":"u9","item":"i9","rating":4}\n{"user":"u8","item":"i9","rating":"bad"}\n');
    const { matrix, report } = await loadSources([file('a.csv', A), file('more/b.jsonl.gz', jsonl)], {
      maxRejectedShare: 0.5,
    });
    expect(entries(matrix)).toContain('u9|i9|4');
    expect(report.sources[1]).toMatchObject({ format: 'jsonl', compressed: true, rowsRead: 2, rejected: 1 });
    expect(report.rejected['bad-rating']).toMatchObject({ count: 1 });
    expect(report.rejected['bad-rating']?.example).toMatch(/^more\/b\.jsonl\.gz: line 2/);
    expect(report.warnings.join('\n')).toMatch(/several formats \(csv, jsonl\)/);
  });

  it('applies the row limit to the total, naming the file that went past it', async () => {
    // 3 rows + 4 rows with a limit of 5: the second file's third row is the 6th.
    const failure = loadSources([file('a.csv', A), file('b.csv', B)], { limits: { maxRows: 5 } });
    await expect(failure).rejects.toBeInstanceOf(IngestLimitError);
    await expect(failure).rejects.toMatchObject({
      limit: 'maxRows',
      value: 5,
      reached: 6,
      message:
        "b.csv takes the dataset's interaction files past the maxRows limit: 6 rows counting the 3 rows of the 1 " +
        'file(s) before it (at b.csv:4), the limit is 5 rows',
    });
    // Each file alone fits.
    await expect(loadSources([file('b.csv', B)], { limits: { maxRows: 5 } })).resolves.toBeDefined();
  });

  it('applies the user limit to the distinct users of all files', async () => {
    // a.csv: u1, u2; b.csv: u1, u3 -> 3 distinct users.
    const failure = loadSources([file('a.csv', A), file('b.csv', B)], { limits: { maxUsers: 2 } });
    await expect(failure).rejects.toMatchObject({
      limit: 'maxUsers',
      reached: 3,
      message: expect.stringMatching(/3 distinct users once b\.csv is read/) as unknown,
    });
  });

  it('refuses an empty list of files', async () => {
    await expect(loadSources([], { fileName: 'uploads/empty/' })).rejects.toThrow(/has no interaction files/);
  });
});
