// Issue 8 point 8: CR-only line breaks (classic Mac OS) are read as line breaks (they were reported as "only a
// header"), whatever the chunk boundaries, next to LF and CRLF; the report says so. A later line's byte-order mark
// is removed and counted (it made phantom users such as "\ufeffu7").
import { describe, expect, it } from 'vitest';
import { entries, load } from './ingest-helpers.js';

const ROWS = ['userId,itemId,rating', 'u1,a,4', 'u2,b,3', 'u3,"multi', 'line",2'];

describe('line breaks, at every chunk boundary', () => {
  for (const [name, lineBreak] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR only', '\r'],
  ] as const) {
    for (const chunk of [1, 2, 3, 7, 1 << 16]) {
      it(`${name}, chunks of ${chunk} bytes`, async () => {
        const text = ROWS.join(lineBreak) + lineBreak;
        const { matrix, report } = await load(text, {}, chunk);
        expect(entries(matrix)).toEqual(['u1|a|4', 'u2|b|3', `u3|multi\nline|2`]);
        expect(report.rowsRead).toBe(3);
        const warned = report.warnings.some((w) => w.startsWith('line breaks are CR only'));
        expect(warned).toBe(name === 'CR only');
      });
    }
  }

  it('a CR-only file whose later lines end in CRLF reads each line once', async () => {
    const { matrix, report } = await load('u1,a,4\ru2,b,3\r\nu3,c,2\r\n');
    expect(entries(matrix)).toEqual(['u1|a|4', 'u2|b|3', 'u3|c|2']);
    expect(report.rejected).toEqual({});
  });

  it('a CR-only file with a few LF lines too (universal line breaks), at every chunk boundary', async () => {
    for (const chunk of [1, 2, 5, 1 << 16]) {
      const { matrix, report } = await load('u1,a,4\ru2,b,3\nu3,c,2\r\n\ru4,d,1', {}, chunk);
      expect(entries(matrix)).toEqual(['u1|a|4', 'u2|b|3', 'u3|c|2', 'u4|d|1']);
      expect(report.blankLines).toBe(1);
    }
  });

  it('in an LF file a CR inside a line stays part of it', async () => {
    const { matrix } = await load('u1,a,4\nu2,b\rc,3\n', {}, 3);
    expect(entries(matrix)).toEqual(['u1|a|4', 'u2|b\rc|3']);
  });
});

describe('byte-order marks after the first line', () => {
  it('are removed from the ids and counted in one warning', async () => {
    const bom = '\ufeff';
    const { matrix, report } = await load(`u1,a,4\n${bom}u7,a,3\n${bom}{x},b,2\n`, {}, 1);
    expect(matrix.users.indexOf('u7')).toBeDefined();
    expect(matrix.users.indexOf(`${bom}u7`)).toBeUndefined();
    expect(report.warnings).toContain(
      '2 lines began with a byte-order mark (U+FEFF), removed: e.g. line 2 (files joined together?)',
    );
  });
});
