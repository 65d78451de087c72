import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import { exportRecommendations } from '../../functions/engine/export/index.js';
import { InMemoryModel, isContribution, recommendPopular } from '../../functions/engine/recommend/index.js';
import { UserInputError, type RecommendationResult } from '../../functions/engine/types.js';

// Ids that break naive CSV writers: delimiters, quotes, line breaks, the `because` separators, unicode.
const USERS = ['plain', 'comma,user', 'quote"user', 'multi\nline', 'crlf\r\nuser', 'ünïcødé 😀', ' spaced '];
const ITEMS = ['x,1', 'y"2', 'z\n3', 'semi;4', 'colon:5%', 'émoji🎬', 'i7', 'i8'];
const DENSE = [
  [5, 3, 0, 1, 0, 0, 2, 0],
  [4, 0, 0, 1, 2, 0, 0, 3],
  [1, 1, 0, 5, 0, 4, 0, 0],
  [0, 1, 5, 4, 0, 0, 1, 0],
  [0, 0, 4, 0, 5, 1, 0, 2],
  [2, 0, 0, 0, 4, 5, 3, 0],
  [0, 3, 2, 0, 0, 0, 4, 1],
];

let dir: string;
let model: InMemoryModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'affinity-export-'));
  model = await InMemoryModel.build(ratingMatrixFromDense(DENSE, USERS, ITEMS), {
    models: ['item', 'user'],
    threads: 1,
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Decodes the `because` column: split on ';', each part at its last ':', then percent-decoding. */
function decodeBecause(field: string): { id: string; share: number }[] {
  if (field === '') return [];
  return field.split(';').map((part) => {
    const colon = part.lastIndexOf(':');
    return { id: decodeURIComponent(part.slice(0, colon)), share: Number(part.slice(colon + 1)) };
  });
}

/** The CSV rows the model's own answers imply. */
function expectedRows(results: Map<string, RecommendationResult>, explain: boolean): string[][] {
  const rows: string[][] = [];
  for (const [user, result] of results) {
    result.items.forEach((recommendation, index) => {
      // Popularity rows explain nothing in CSV: their score is the count, and the fallback column says why.
      const because = explain
        ? recommendation.because.flatMap((c) => (!isContribution(c) ? [] : [`${c.id}:${c.share.toFixed(4)}`]))
        : [];
      rows.push([
        user,
        String(index + 1),
        recommendation.item,
        String(recommendation.score),
        result.fallback?.reason ?? '',
        because.join('|'),
      ]);
    });
  }
  return rows;
}

describe('exportRecommendations: CSV', () => {
  it('round-trips awkward ids through RFC 4180 CSV, with explanations', async () => {
    const path = join(dir, 'recs.csv');
    const summary = await exportRecommendations(model, path, {
      format: 'csv',
      limit: 3,
      algorithm: 'item',
      explain: true,
    });
    const results = new Map(
      USERS.map((user) => [user, model.recommendForUser(user, { limit: 3, algorithm: 'item', explainTop: 3 })]),
    );
    const records: string[][] = parse(await readFile(path, 'utf8'));
    expect(records[0]).toEqual(['user', 'rank', 'item', 'score', 'fallback', 'because']);
    const decoded = records.slice(1).map(([user, rank, item, score, fallback, because]) => [
      user,
      rank,
      item,
      score,
      fallback,
      decodeBecause(because)
        .map((c) => `${c.id}:${c.share.toFixed(4)}`)
        .join('|'),
    ]);
    expect(decoded).toEqual(expectedRows(results, true));
    const rows = [...results.values()].reduce((sum, r) => sum + r.items.length, 0);
    expect(rows).toBeGreaterThan(USERS.length); // the fixture does produce lists
    expect(summary).toEqual({ users: USERS.length, rows, unknownUsers: [] });
    // Explanations were really written, including ids with ';', ':' and '%', which are percent-encoded there.
    const becauseIds = records.slice(1).flatMap((record) => decodeBecause(record[5]).map((c) => c.id));
    expect(becauseIds).toContain('semi;4');
    expect(becauseIds).toContain('colon:5%');
    expect(records.slice(1).some((record) => record[5].includes('semi%3B4'))).toBe(true);
  });

  it('leaves the because column empty without explain, and exports user-based lists', async () => {
    const path = join(dir, 'user.csv');
    await exportRecommendations(model, path, { format: 'csv', limit: 2, algorithm: 'user' });
    const results = new Map(USERS.map((user) => [user, model.recommendForUser(user, { limit: 2, algorithm: 'user' })]));
    const records: string[][] = parse(await readFile(path, 'utf8'), { from_line: 2 });
    expect(records).toEqual(expectedRows(results, false));
  });

  it('lists unknown users and gives them the flagged popularity fallback; users in the order given, once each', async () => {
    const path = join(dir, 'some.csv');
    const summary = await exportRecommendations(model, path, {
      format: 'csv',
      users: ['ghost', 'quote"user', 'plain', 'quote"user', 'nobody,else'],
      limit: 2,
      algorithm: 'item',
    });
    expect(summary.unknownUsers).toEqual(['ghost', 'nobody,else']);
    expect(summary.users).toBe(4);
    const records: string[][] = parse(await readFile(path, 'utf8'), { from_line: 2 });
    expect(records.map((r) => r[0])).toEqual([
      'ghost',
      'ghost',
      'quote"user',
      'quote"user',
      'plain',
      'plain',
      'nobody,else',
      'nobody,else',
    ]);
    expect(summary.rows).toBe(8);
    // Unknown users: the two most popular items, flagged. By hand from DENSE, 4 raters each: 'x,1' (sum 12),
    // 'semi;4' (11), 'i7' (10), 'y"2' (8); every other item has 3.
    for (const user of ['ghost', 'nobody,else']) {
      const rows = records.filter((r) => r[0] === user);
      expect(rows.map((r) => [r[2], r[4]])).toEqual([
        ['x,1', 'unknown-user'],
        ['semi;4', 'unknown-user'],
      ]);
    }
    expect(records.filter((r) => r[0] === 'plain').every((r) => r[4] === '')).toBe(true);
  });

  it('popularity exports the most popular unseen items', async () => {
    const path = join(dir, 'pop.csv');
    await exportRecommendations(model, path, { format: 'csv', limit: 4, algorithm: 'popularity', users: ['plain'] });
    const records: string[][] = parse(await readFile(path, 'utf8'), { from_line: 2 });
    // By hand from DENSE: 'plain' has seen x,1 / y"2 / semi;4 / i7. Raters: z\n3: 3 (mean 11/3), colon:5%: 3 (11/3),
    // émoji🎬: 3 (10/3), i8: 3 (6/3). Ties on count go by mean desc, then id asc ('colon:5%' < 'z\n3').
    expect(records.map((r) => r[2])).toEqual(['colon:5%', 'z\n3', 'émoji🎬', 'i8']);
    expect(records.map((r) => r[3])).toEqual(['3', '3', '3', '3']);
    const direct = recommendPopular(model.popularity, { limit: 4 }, ['x,1', 'y"2', 'semi;4', 'i7']);
    expect(records.map((r) => r[2])).toEqual(direct.items.map((i) => i.item));
  });

  it('gzips when the path ends in .gz', async () => {
    await exportRecommendations(model, join(dir, 'plain.csv'), { format: 'csv', limit: 3 });
    await exportRecommendations(model, join(dir, 'packed.csv.gz'), { format: 'csv', limit: 3 });
    expect(gunzipSync(await readFile(join(dir, 'packed.csv.gz'))).equals(await readFile(join(dir, 'plain.csv')))).toBe(
      true,
    );
  });
});

describe('exportRecommendations: JSON Lines and streams', () => {
  it('writes one object per user to a slow Writable with a tiny buffer, and leaves it open', async () => {
    const chunks: Buffer[] = [];
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        waits++;
        setTimeout(done, 1);
      },
    });
    const summary = await exportRecommendations(model, slow, {
      format: 'jsonl',
      limit: 3,
      algorithm: 'item',
      explain: true,
    });
    expect(slow.writableEnded).toBe(false);
    expect(waits).toBeGreaterThan(0);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(USERS.length);
    const objects = lines.map((line) => JSON.parse(line));
    expect(objects.map((o) => o.user)).toEqual(USERS);
    for (const object of objects) {
      const direct = model.recommendForUser(object.user, { limit: 3, algorithm: 'item', explainTop: 3 });
      expect(object.algorithm).toBe(direct.algorithm);
      expect(object.fallback).toBe(direct.fallback?.reason ?? null);
      expect(object.items).toEqual(
        direct.items.map((r, index) => ({
          rank: index + 1,
          item: r.item,
          score: r.score,
          because: r.because.map((c) =>
            !isContribution(c)
              ? c
              : { id: c.id, kind: c.kind, similarity: c.similarity, value: c.value, share: c.share },
          ),
        })),
      );
    }
    expect(summary.rows).toBe(objects.reduce((sum, o) => sum + o.items.length, 0));
  });

  it('respects backpressure: the sink never holds much more than one batch', async () => {
    const { buildRatingMatrix } = await import('../../functions/engine/data/index.js');
    const { syntheticLog } = await import('../../functions/engine/synthetic/index.js');
    const big = await InMemoryModel.build(
      buildRatingMatrix(syntheticLog({ users: 1500, items: 300, ratings: 15_000, seed: 3 })).matrix,
      {
        threads: 1,
      },
    );
    let text = '';
    let maxBuffered = 0;
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        maxBuffered = Math.max(maxBuffered, sink.writableLength);
        setImmediate(done);
      },
    });
    const summary = await exportRecommendations(big, sink, { format: 'csv', limit: 10 });
    expect(summary).toEqual({ users: 1500, rows: 15_000, unknownUsers: [] });
    expect(text.trimEnd().split('\n')).toHaveLength(15_001);
    expect(text.length).toBeGreaterThan(400_000);
    // Without waiting for 'drain' the whole export (> 400 kB) would pile up in the sink's buffer.
    expect(maxBuffered).toBeLessThan(150_000);
  });
});

describe('exportRecommendations: mistakes', () => {
  it('refuses bad options and unwritable paths with UserInputError', async () => {
    await expect(exportRecommendations(model, join(dir, 'a.xml'), { format: 'xml' as 'csv' })).rejects.toThrow(
      /format must be "csv" or "jsonl"/,
    );
    await expect(exportRecommendations(model, join(dir, 'a.csv'), { format: 'csv', limit: 0 })).rejects.toThrow(
      /limit must be an integer/,
    );
    await expect(
      exportRecommendations(model, join(dir, 'a.csv'), { format: 'csv', algorithm: 'svd' as 'item' }),
    ).rejects.toThrow(/algorithm/);
    await expect(
      exportRecommendations(model, join(dir, 'a.csv'), { format: 'csv', users: 'plain' as unknown as string[] }),
    ).rejects.toThrow(UserInputError);
    await expect(exportRecommendations(model, join(dir, 'no', 'such', 'a.csv'), { format: 'csv' })).rejects.toThrow(
      /folder does not exist/,
    );
  });
});
