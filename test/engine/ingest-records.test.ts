// Ingest record by record: numeric ids, implicit feedback, CSV quoting (RFC 4180) and duplicate interactions.
import { describe, expect, it } from 'vitest';
import { entries, load } from './ingest-helpers.js';

describe('numeric ids', () => {
  it('keeps "7", "07" and "7.0" apart', async () => {
    const { matrix } = await load('7,a,1\n07,a,2\n7.0,a,3\n7,b,4\n');
    expect(entries(matrix)).toEqual(['07|a|2', '7.0|a|3', '7|a|1', '7|b|4']);
  });

  it('maps an id to one user whether first seen as a sparse or a dense number', async () => {
    // 100000 is first seen when few ids exist (kept aside), later the dense table grows past it.
    const rows = [
      '100000,a,1',
      ...Array.from({ length: 30_000 }, (_, k) => `${k},a,1`),
      '100001,a,1',
      '100000,b,2',
      '5000000000,a,1',
      '5000000000,b,1',
    ];
    const { matrix } = await load(rows.join('\n'));
    expect(matrix.users.size).toBe(30_003);
    const row = (id: string) => {
      const u = matrix.users.indexOf(id) as number;
      return matrix.byUser.indptr[u + 1] - matrix.byUser.indptr[u];
    };
    expect(row('100000')).toBe(2);
    expect(row('5000000000')).toBe(2);
    expect(row('29999')).toBe(1);
  });
});

describe('implicit feedback', () => {
  it('treats a two-column file as implicit', async () => {
    const { matrix, report } = await load('u1,i1\nu1,i2\nu2,i1\n');
    expect(entries(matrix)).toEqual(['u1|i1|1', 'u1|i2|1', 'u2|i1|1']);
    expect(report.implicit).toBe(true);
    expect(report.warnings.join()).toMatch(/implicit/);
  });

  it('ignores the rating column with implicit: true or columns.rating null', async () => {
    for (const options of [{ implicit: true }, { columns: { rating: null } }]) {
      const { matrix, report } = await load('u1,i1,banana,5\nu2,i1,,6\n', options);
      expect(entries(matrix)).toEqual(['u1|i1|1 @5', 'u2|i1|1 @6']);
      expect(report.implicit).toBe(true);
    }
  });

  it('makes JSON Lines implicit when the first record has no rating', async () => {
    const { matrix, report } = await load('{"user":"a","item":"b"}\n{"user":"a","item":"c","rating":5}\n', {
      format: 'jsonl',
    });
    expect(entries(matrix)).toEqual(['a|b|1', 'a|c|1']);
    expect(report.implicit).toBe(true);
  });
});

describe('CSV quoting (RFC 4180)', () => {
  it('reads embedded delimiters, doubled quotes and line breaks in quoted fields', async () => {
    const text = [
      'user,item,rating',
      '"Smith, J","The ""Best"" Film",4',
      '"multi',
      'line user",plain,3',
      'u2,"tab\tinside",2',
      'u3,x,oops',
    ].join('\r\n');
    const { matrix, report } = await load(text, { maxRejectedShare: 1 }); // 1 of 4 rows bad on purpose
    expect(entries(matrix)).toEqual(['Smith, J|The "Best" Film|4', 'multi\nline user|plain|3', 'u2|tab\tinside|2']);
    // The quoted record spans lines 3-4, so the bad row is physical line 6.
    expect(report.rejected['bad-rating']?.lines).toEqual([6]);
  });

  it('reads files where every field is quoted (R write.csv, QUOTE_ALL)', async () => {
    const text =
      '"userId","movieId","rating","timestamp"\n"1","a b","4.5","100"\n"2"," x ","3",""\n"","a b","1","1"\n"3","a,b","2","7"\n';
    const { matrix, report } = await load(text, { maxRejectedShare: 1 }); // 1 of 4 rows bad on purpose
    expect(entries(matrix)).toEqual(['1|a b|4.5 @100', '2| x |3', '3|a,b|2 @7']);
    expect(report.rejected['empty-id']?.lines).toEqual([4]);
  });

  it('keeps spaces inside quotes but trims them around unquoted fields', async () => {
    const { matrix } = await load('" a ", b ,3\n');
    expect(entries(matrix)).toEqual([' a |b|3']);
  });

  it('treats a quote inside an unquoted field as a literal character', async () => {
    const { matrix } = await load('12" vinyl,item,3\n');
    expect(entries(matrix)).toEqual(['12" vinyl|item|3']);
  });

  it('reads quotes literally in TSV', async () => {
    const { matrix } = await load('"a"\t"b"\t3\n', { format: 'tsv' });
    expect(entries(matrix)).toEqual(['"a"|"b"|3']);
  });
});

describe('duplicates', () => {
  it('keeps the latest timestamp, wherever it is in the file', async () => {
    const { matrix, report } = await load('u,i,1,300\nu,i,2,100\nu,i,3,200\n');
    expect(entries(matrix)).toEqual(['u|i|1 @300']);
    expect(report).toMatchObject({ accepted: 3, duplicatesDropped: 2, ratings: 1 });
  });

  it('keeps the last occurrence without timestamps or on a tie', async () => {
    expect(entries((await load('u\ti\t3\nu\ti\t4\n')).matrix)).toEqual(['u|i|4']);
    expect(entries((await load('u,i,3,5\nu,i,4,5\n')).matrix)).toEqual(['u|i|4 @5']);
  });
});
