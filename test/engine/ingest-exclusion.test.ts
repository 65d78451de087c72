// Erasure at ingest (functions/engine/ingest/exclusion.ts): rows of excluded users and items are dropped from
// every file, the ids never reach the matrix, each id is asked once, and the report counts what was dropped.
// Expected matrices are written out by hand from the files below.
import { describe, expect, it } from 'vitest';
import { loadSources, type InteractionSource } from '../../functions/engine/ingest/index.js';
import type { IdDictionaryView } from '../../functions/engine/types.js';
import { entries, streamOf } from './ingest-helpers.js';

const ids = (dictionary: IdDictionaryView) => Array.from({ length: dictionary.size }, (_, k) => dictionary.idAt(k));

function file(name: string, content: string): InteractionSource {
  return { name, size: Buffer.byteLength(content), open: () => Promise.resolve(streamOf(content)) };
}

// "gone" is in both files; "pulled" is an item of two users; "only-pulled" interacted with nothing else.
const A = 'user,item,rating\nana,i1,5\ngone,i1,4\ngone,i2,3\nbo,pulled,2\n';
const B = 'user,item,rating\ngone,i3,1\nbo,i2,4\nonly-pulled,pulled,5\nana,i2,1\n';

describe('excluded users and items', () => {
  it('drop every row of theirs from every file; the ids are in neither dictionary', async () => {
    const { matrix, report } = await loadSources([file('a.csv', A), file('b.csv', B)], {
      exclude: { user: (id) => id === 'gone', item: (id) => id === 'pulled' },
    });
    expect(entries(matrix)).toEqual(['ana|i1|5', 'ana|i2|1', 'bo|i2|4']);
    // No user is left without rows: only-pulled's one row was of the taken-down item.
    expect(ids(matrix.users)).toEqual(['ana', 'bo']);
    expect(ids(matrix.items)).toEqual(['i1', 'i2']);
    // gone: 2 rows in a.csv + 1 in b.csv; pulled: 1 + 1. Accepted as parsed, then dropped.
    expect(report).toMatchObject({ accepted: 8, ratings: 3, erased: { rows: 5, users: 1, items: 1 } });
    expect(report.sources.map((s) => s.erased)).toEqual([3, 2]);
    expect(JSON.stringify(report)).not.toMatch(/gone|pulled/);
  });

  it('ask about each distinct id once, across files', async () => {
    const asked: string[] = [];
    await loadSources([file('a.csv', A), file('b.csv', B)], {
      exclude: {
        user: (id) => {
          asked.push(id);
          return id === 'gone';
        },
      },
    });
    expect(asked.sort()).toEqual(['ana', 'bo', 'gone', 'only-pulled']);
  });

  it('a user whose every row was of a taken-down item is asked once, even when met again', async () => {
    const asked: string[] = [];
    const C = 'user,item\nonly-pulled,pulled\n';
    const D = 'user,item\nonly-pulled,pulled\nonly-pulled,i9\n';
    const { matrix } = await loadSources([file('c.csv', C), file('d.csv', D)], {
      exclude: { user: (id) => (asked.push(id), false), item: (id) => id === 'pulled' },
    });
    expect(asked).toEqual(['only-pulled']);
    expect(entries(matrix)).toEqual(['only-pulled|i9|1']);
  });

  it('without an exclusion the matrix is the same as with one that excludes nothing', async () => {
    const plain = await loadSources([file('a.csv', A), file('b.csv', B)]);
    const none = await loadSources([file('a.csv', A), file('b.csv', B)], { exclude: { user: () => false } });
    expect(entries(none.matrix)).toEqual(entries(plain.matrix));
    expect(ids(none.matrix.users)).toEqual(ids(plain.matrix.users));
    expect(ids(none.matrix.items)).toEqual(ids(plain.matrix.items));
    expect(plain.report.erased).toBeUndefined();
    expect(none.report.erased).toEqual({ rows: 0, users: 0, items: 0 });
  });
});
