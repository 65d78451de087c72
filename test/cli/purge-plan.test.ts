// Which objects `affinity purge-user` reads (every interaction source, by the build's key rules) and what it does to
// each, in upload order: from the first rewrite on, every later file is written again so the order stays.
import { describe, expect, it } from 'vitest';
import { planActions, sourceKindOf } from '../../functions/cli/purge-sources.js';

describe('the sources of a dataset', () => {
  it.each([
    ['uploads/d/ratings.csv', 'upload'],
    ['uploads/d/interactions/2026-01-01.csv.gz', 'upload'],
    ['uploads/d/sub/items.csv', 'upload'], // a sub-folder's items.csv is interaction data
    ['uploads/d/snapshot/s1.tsv', 'snapshot'],
    ['events/d/20260101T000000.000Z_20260102T000000.000Z.jsonl', 'live-events'],
    ['events/d/fold-0001.jsonl', undefined], // not an event file: the build does not read it
    ['uploads/d/items.csv', undefined], // the catalogue holds no users
    ['uploads/d/items.jsonl.gz', undefined],
    ['uploads/d/config.json', undefined],
    ['uploads/d/interactions/', undefined], // a folder marker
    ['uploads/other/ratings.csv', undefined],
    ['uploads/dd/ratings.csv', undefined],
    ['events/dd/20260101T000000.000Z_20260102T000000.000Z.jsonl', undefined],
    ['reports/d/v1.json', undefined],
  ])('%s: %s', (key, kind) => {
    expect(sourceKindOf('d', key)).toBe(kind);
  });
});

describe('the plan', () => {
  const file = (holdsUsers: boolean, keepsRecords = true) => ({ holdsUsers, keepsRecords });

  it('before the first rewrite nothing moves; after it every file is written again, in order', () => {
    expect(planActions([file(false), file(true), file(false), file(true), file(false)])).toEqual([
      'unchanged',
      'rewrite',
      'reorder',
      'rewrite',
      'reorder',
    ]);
  });

  it('a file left without records is deleted, which moves nothing', () => {
    expect(planActions([file(false), file(true, false), file(false)])).toEqual(['unchanged', 'delete', 'unchanged']);
    expect(planActions([file(true), file(true, false), file(false)])).toEqual(['rewrite', 'delete', 'reorder']);
  });

  it('no file holds the users: nothing is written', () => {
    expect(planActions([file(false), file(false)])).toEqual(['unchanged', 'unchanged']);
  });
});
