import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRatingMatrix } from '../../functions/engine/data/index.js';
import { loadRatings } from '../../functions/engine/ingest/index.js';
import {
  SyntheticSource,
  clusterGenre,
  syntheticCatalogue,
  syntheticInteractions,
  syntheticLog,
  writeSyntheticItemMetadata,
  writeSyntheticRatings,
  type SyntheticOptions,
} from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'affinity-synthetic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SMALL: SyntheticOptions = { users: 300, items: 400, ratings: 9000, seed: 42 };

/** Rows of a csv file as string arrays, header dropped. */
async function csvRows(path: string): Promise<string[][]> {
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  return lines.slice(1).map((line) => line.split(','));
}

function countsPerItem(options: SyntheticOptions): number[] {
  const counts = new Array<number>(options.items).fill(0);
  for (const { item } of syntheticInteractions(options)) counts[Number(item.slice(1))]++;
  return counts;
}

describe('synthetic ratings: determinism and counts', () => {
  it('the same seed gives identical bytes; another seed gives different ones', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const c = join(dir, 'c.csv');
    await writeSyntheticRatings(a, SMALL);
    await writeSyntheticRatings(b, SMALL);
    await writeSyntheticRatings(c, { ...SMALL, seed: 43 });
    const [bytesA, bytesB, bytesC] = await Promise.all([readFile(a), readFile(b), readFile(c)]);
    expect(bytesA.equals(bytesB)).toBe(true);
    expect(bytesA.equals(bytesC)).toBe(false);
  });

  it('writes exactly `ratings` rows with distinct (user, item) pairs, every user at least once, and reports the size', async () => {
    const path = join(dir, 'counts.csv');
    const result = await writeSyntheticRatings(path, SMALL);
    const text = await readFile(path, 'utf8');
    expect(result).toEqual({ ratings: 9000, bytes: Buffer.byteLength(text) });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('user,item,rating,timestamp');
    expect(lines).toHaveLength(9001);
    const pairs = new Set(lines.slice(1).map((line) => line.split(',').slice(0, 2).join('\u0000')));
    expect(pairs.size).toBe(9000);
    const users = new Set(lines.slice(1).map((line) => line.split(',')[0]));
    expect(users.size).toBe(300);
    for (let u = 0; u < 300; u++) expect(users.has(`u${u}`)).toBe(true);
  });

  it('fills the whole matrix when ratings = users x items, and heavy users stay duplicate-free', () => {
    const full = [...syntheticInteractions({ users: 6, items: 5, ratings: 30, seed: 3 })];
    expect(new Set(full.map((r) => `${r.user}/${r.item}`)).size).toBe(30);
    // 4 users, 60 items, 200 ratings: several users need most of the catalogue (the fallback sampler).
    const heavy = [...syntheticInteractions({ users: 4, items: 60, ratings: 200, seed: 9, clusters: 6 })];
    expect(heavy).toHaveLength(200);
    expect(new Set(heavy.map((r) => `${r.user}/${r.item}`)).size).toBe(200);
  });

  it('duplicates: adds exactly that many rows repeating an earlier pair with another rating, later in time', () => {
    const rows = [...syntheticInteractions({ ...SMALL, duplicates: 25 })];
    expect(rows).toHaveLength(9025);
    const byPair = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = `${row.user}/${row.item}`;
      byPair.set(key, [...(byPair.get(key) ?? []), row]);
    }
    expect(byPair.size).toBe(9000);
    const repeated = [...byPair.values()].filter((group) => group.length > 1);
    expect(repeated).toHaveLength(25);
    for (const [first, second] of repeated) {
      expect(second.value).not.toBe(first.value);
      expect(second.timestamp).toBeGreaterThan(first.timestamp as number);
    }
    // The matrix builder keeps the later one.
    const log = syntheticLog({ ...SMALL, duplicates: 25 });
    const { matrix, duplicatesDropped } = buildRatingMatrix(log);
    expect(duplicatesDropped).toBe(25);
    expect(matrix.byUser.indices.length).toBe(9000);
  });

  it('syntheticLog holds the same interactions as the generator, ids interned in first-seen order', () => {
    const log = syntheticLog(SMALL);
    const rows = [...syntheticInteractions(SMALL)];
    expect(log.length).toBe(rows.length);
    const { user, item, value, timestamp } = log.columns();
    const fromLog = Array.from(user, (u, i) => [log.users.idAt(u), log.items.idAt(item[i]), value[i], timestamp?.[i]]);
    expect(fromLog).toEqual(rows.map((row) => [row.user, row.item, row.value, row.timestamp]));
    const firstSeen = [...new Set(rows.map((row) => row.item))]; // a Set keeps insertion order
    expect(log.items.toArray()).toEqual(firstSeen);
  });
});

describe('synthetic ratings: media shape', () => {
  it('item popularity is Zipf-shaped: the top 1% of items outweigh the bottom 50% (uniform data does not)', () => {
    const options = { users: 3000, items: 1000, ratings: 24_000, seed: 5 };
    const share = (counts: number[]): { top: number; bottom: number } => {
      const sorted = [...counts].sort((a, b) => b - a);
      const total = sorted.reduce((s, c) => s + c, 0);
      const top = sorted.slice(0, 10).reduce((s, c) => s + c, 0) / total;
      const bottom = sorted.slice(500).reduce((s, c) => s + c, 0) / total;
      return { top, bottom };
    };
    const zipf = share(countsPerItem(options));
    // Pure Zipf(1) over 1000 items would give 39% vs 9%; one rating per (user, item) caps the head.
    expect(zipf.top).toBeGreaterThan(1.4 * zipf.bottom);
    expect(zipf.top).toBeGreaterThan(0.1); // uniform would give ~0.01
    const uniform = share(countsPerItem({ ...options, zipf: 0 }));
    expect(uniform.top).toBeLessThan(uniform.bottom); // the same inequalities fail without Zipf
    expect(uniform.top).toBeLessThan(0.03);
  });

  it('user activity is long-tailed: the heaviest user rates far more than the median user', () => {
    const source = new SyntheticSource({ users: 2000, items: 3000, ratings: 100_000, seed: 8 });
    const counts = [...source.counts].sort((a, b) => a - b);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(100_000);
    expect(counts[0]).toBeGreaterThanOrEqual(1);
    expect(counts[counts.length - 1]).toBeGreaterThan(8 * counts[1000]);
  });

  it("a user's ratings concentrate in at most two clusters, and are higher there", () => {
    const options = { users: 400, items: 600, ratings: 20_000, seed: 11, clusters: 8 };
    const { cluster } = syntheticCatalogue(options);
    const source = new SyntheticSource(options);
    const byUser = new Map<string, { item: number; value: number }[]>();
    for (const row of syntheticInteractions(options)) {
      byUser.set(row.user, [...(byUser.get(row.user) ?? []), { item: Number(row.item.slice(1)), value: row.value }]);
    }
    let shareSum = 0;
    let users = 0;
    let inSum = 0;
    let inCount = 0;
    let outSum = 0;
    let outCount = 0;
    for (const [user, rows] of byUser) {
      const preferred = source.preferredClusters(Number(user.slice(1)));
      expect(preferred.length === 1 || preferred.length === 2).toBe(true);
      for (const { item, value } of rows) {
        if (preferred.includes(cluster[item])) {
          inSum += value;
          inCount++;
        } else {
          outSum += value;
          outCount++;
        }
      }
      if (rows.length < 20) continue;
      // Share of the two most-rated clusters (computed from the data, not from the preferences).
      const perCluster = new Array<number>(8).fill(0);
      for (const { item } of rows) perCluster[cluster[item]]++;
      const [first, second] = perCluster.sort((a, b) => b - a);
      shareSum += (first + second) / rows.length;
      users++;
    }
    expect(users).toBeGreaterThan(100);
    // Uniform choice over 8 clusters would give about 2/8 plus noise (~0.4 for 20 ratings). The old hard
    // clusters gave > 0.6; the taste factors leave ~30% of draws to global popularity and some liked factors
    // outside the two genres, so the bound is 0.5.
    expect(shareSum / users).toBeGreaterThan(0.5);
    expect(inSum / inCount - outSum / outCount).toBeGreaterThan(0.6);
  });

  it('a series a user has is watched in part order, and parts of one series share a factor', () => {
    const options = { users: 1500, items: 800, ratings: 60_000, seed: 13 };
    const { series, part, factor, next } = syntheticCatalogue(options);
    for (let i = 0; i < options.items; i++) {
      if (next[i] >= 0) {
        expect(series[next[i]]).toBe(series[i]);
        expect(part[next[i]]).toBe(part[i] + 1);
        expect(factor[next[i]]).toBe(factor[i]);
      }
    }
    const lastPart = new Map<string, number>(); // user/series -> part seen last
    let ordered = 0;
    for (const { user, item } of syntheticInteractions(options)) {
      const i = Number(item.slice(1));
      if (series[i] < 0) continue;
      const key = `${user}/${series[i]}`;
      const before = lastPart.get(key);
      if (before !== undefined) {
        expect(part[i]).toBeGreaterThan(before);
        ordered++;
      }
      lastPart.set(key, part[i]);
    }
    expect(ordered).toBeGreaterThan(1000); // users do watch several parts
  });

  it('sequels follow in the same session: a series item is followed by its next part far above chance', () => {
    const options = { users: 1500, items: 800, ratings: 60_000, seed: 13 };
    const { next } = syntheticCatalogue(options);
    let followed = 0;
    let series = 0;
    let previous = { user: '', item: -1 };
    for (const { user, item } of syntheticInteractions(options)) {
      const i = Number(item.slice(1));
      if (previous.user === user && next[previous.item] >= 0) {
        series++;
        if (next[previous.item] === i) followed++;
      }
      previous = { user, item: i };
    }
    // A random next item would be the sequel about 1 time in 800.
    expect(followed / series).toBeGreaterThan(0.2);
  });

  it('ratings are higher, and less spread, the more the user likes the factor of the item', () => {
    const options = { users: 800, items: 600, ratings: 30_000, seed: 17 };
    const { factor } = syntheticCatalogue(options);
    const source = new SyntheticSource(options);
    const strong: number[] = [];
    const none: number[] = [];
    for (let u = 0; u < options.users; u++) {
      const { factors, shares } = source.likedFactors(u);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (let k = 1; k < shares.length; k++) expect(shares[k]).toBeLessThanOrEqual(shares[k - 1]);
      const rows = source.fillUser(u);
      for (let r = 0; r < rows; r++) {
        const f = factor[source.item[r]];
        if (f === factors[0]) strong.push(source.value[r]);
        else if (!factors.includes(f)) none.push(source.value[r]);
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    expect(strong.length).toBeGreaterThan(1000);
    expect(mean(strong) - mean(none)).toBeGreaterThan(1);
    expect(sd(strong)).toBeLessThan(sd(none));
  });

  it('implicit data has the same pairs and timestamps as explicit data', () => {
    const options = { users: 200, items: 300, ratings: 6000, seed: 19 };
    const explicit = [...syntheticInteractions(options)].map((r) => `${r.user}/${r.item}@${r.timestamp}`);
    const implicit = [...syntheticInteractions({ ...options, implicit: true })].map(
      (r) => `${r.user}/${r.item}@${r.timestamp}`,
    );
    expect(implicit).toEqual(explicit);
  });

  it('timestamps are realistic epoch seconds, strictly increasing per user', () => {
    const problems: string[] = [];
    let lastUser = '';
    let last = 0;
    for (const { user, timestamp } of syntheticInteractions(SMALL)) {
      const t = timestamp as number;
      if (!Number.isInteger(t) || t < Date.UTC(2015, 0, 1) / 1000 || t >= Date.UTC(2024, 0, 1) / 1000)
        problems.push(`${user}: ${t}`);
      if (user === lastUser && !(t > last)) problems.push(`${user}: ${t} after ${last}`);
      lastUser = user;
      last = t;
    }
    expect(problems).toEqual([]);
  });

  it('ratings are whole numbers 1-5 using the whole scale', () => {
    const histogram = new Map<number, number>();
    for (const { value } of syntheticInteractions(SMALL)) histogram.set(value, (histogram.get(value) ?? 0) + 1);
    expect([...histogram.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('synthetic ratings: formats', () => {
  it('csv / tsv / dat / jsonl hold the same rows; .gz is the same bytes compressed', async () => {
    const options = { users: 20, items: 30, ratings: 150, seed: 2 };
    const expected = [...syntheticInteractions(options)].map((r) => [
      r.user,
      r.item,
      String(r.value),
      String(r.timestamp),
    ]);
    await writeSyntheticRatings(join(dir, 'f.csv'), options);
    await writeSyntheticRatings(join(dir, 'f.tsv'), options);
    await writeSyntheticRatings(join(dir, 'f.dat'), options);
    await writeSyntheticRatings(join(dir, 'f.jsonl'), options);
    await writeSyntheticRatings(join(dir, 'f.csv.gz'), options);
    await writeSyntheticRatings(join(dir, 'forced.txt'), options, 'tsv');
    const lines = async (name: string): Promise<string[]> =>
      (await readFile(join(dir, name), 'utf8')).trimEnd().split('\n');
    expect(await csvRows(join(dir, 'f.csv'))).toEqual(expected);
    const tsv = await lines('f.tsv');
    expect(tsv[0]).toBe('user\titem\trating\ttimestamp');
    expect(tsv.slice(1).map((l) => l.split('\t'))).toEqual(expected);
    expect(await lines('forced.txt')).toEqual(tsv);
    expect((await lines('f.dat')).map((l) => l.split('::'))).toEqual(expected); // no header
    const json = (await lines('f.jsonl')).map((l) => JSON.parse(l));
    expect(json.map((o) => [o.user, o.item, String(o.rating), String(o.timestamp)])).toEqual(expected);
    expect(gunzipSync(await readFile(join(dir, 'f.csv.gz'))).equals(await readFile(join(dir, 'f.csv')))).toBe(true);
  });

  it('implicit mode has no rating column; without timestamps no timestamp column', async () => {
    const options = { users: 10, items: 20, ratings: 60, seed: 4, implicit: true };
    await writeSyntheticRatings(join(dir, 'i.csv'), options);
    await writeSyntheticRatings(join(dir, 'i.jsonl'), { ...options, timestamps: false });
    const csv = (await readFile(join(dir, 'i.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('user,item,timestamp');
    expect(csv.slice(1).every((line) => /^u\d+,i\d+,\d{10}$/.test(line))).toBe(true);
    const json = (await readFile(join(dir, 'i.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json).toHaveLength(60);
    expect(json.every((o) => Object.keys(o).join() === 'user,item')).toBe(true);
    expect([...syntheticInteractions(options)].every((r) => r.value === 1)).toBe(true);
  });

  it('id prefixes apply to every id', () => {
    const rows = [
      ...syntheticInteractions({ users: 3, items: 4, ratings: 6, userPrefix: 'viewer-', itemPrefix: 'film.' }),
    ];
    expect(rows.every((r) => /^viewer-\d+$/.test(r.user) && /^film\.\d+$/.test(r.item))).toBe(true);
  });

  it('the ingest reads the files back to the same matrix', async () => {
    const options = { users: 50, items: 80, ratings: 900, seed: 12 };
    const expected = buildRatingMatrix(syntheticLog(options)).matrix;
    for (const name of ['r.csv', 'r.dat', 'r.jsonl.gz']) {
      await writeSyntheticRatings(join(dir, name), options);
      const { matrix } = await loadRatings(join(dir, name));
      expect(matrix.users.size).toBe(50);
      expect(matrix.byUser.indices.length).toBe(900);
      expect(Array.from(matrix.byUser.indptr)).toEqual(Array.from(expected.byUser.indptr));
      expect(Array.from(matrix.byUser.values)).toEqual(Array.from(expected.byUser.values));
      expect(Array.from(matrix.timestamps ?? [])).toEqual(Array.from(expected.timestamps ?? []));
    }
  });

  it('item metadata: one RFC 4180 row per catalogue item, the cluster genre first', async () => {
    const options = { users: 10, items: 200, ratings: 40, seed: 6, clusters: 5 };
    const path = join(dir, 'items.csv');
    await writeSyntheticItemMetadata(path, options);
    const records: string[][] = parse(await readFile(path, 'utf8'));
    expect(records[0]).toEqual(['item', 'title', 'genres', 'tags', 'text']);
    expect(records).toHaveLength(201);
    const { cluster } = syntheticCatalogue(options);
    records.slice(1).forEach(([item, title, genres], i) => {
      expect(item).toBe(`i${i}`);
      expect(title).toMatch(/\(\d{4}\)$/);
      expect(genres.split('|')[0]).toBe(clusterGenre(cluster[i]));
    });
    // Some titles need quoting, and they survive it.
    expect(records.some(([, title]) => title.includes(','))).toBe(true);
    expect(records.some(([, title]) => title.includes('"'))).toBe(true);
  });
});

describe('synthetic ratings: mistakes', () => {
  it.each([
    [{ users: 10, items: 5, ratings: 9 }, /smaller than users/],
    [{ users: 2, items: 3, ratings: 7 }, /exceeds users x items/],
    [{ users: 0, items: 3, ratings: 7 }, /users must be a positive integer/],
    [{ users: 2, items: 3, ratings: 4, clusters: 4 }, /clusters \(4\) exceeds items/],
    [{ users: 2, items: 3, ratings: 4, zipf: -1 }, /zipf/],
    [{ users: 2, items: 3, ratings: 4, seed: 1.5 }, /seed must be an integer/],
    [{ users: 2, items: 3, ratings: 4, userPrefix: 'a,b' }, /userPrefix/],
    [{ users: 2, items: 3, ratings: 4, duplicates: 5 }, /duplicates/],
  ])('%j is refused with a UserInputError', (options, message) => {
    expect(() => [...syntheticInteractions(options as SyntheticOptions)]).toThrow(UserInputError);
    expect(() => [...syntheticInteractions(options as SyntheticOptions)]).toThrow(message);
  });

  it('refuses an unknown format, an implicit .dat with timestamps, and a missing folder before writing', async () => {
    await expect(writeSyntheticRatings(join(dir, 'x.out'), SMALL, 'xml' as 'csv')).rejects.toThrow(
      /unknown synthetic format "xml"/,
    );
    await expect(writeSyntheticRatings(join(dir, 'x.dat'), { ...SMALL, implicit: true })).rejects.toThrow(
      /dat has no header/,
    );
    await expect(writeSyntheticRatings(join(dir, 'missing', 'x.csv'), SMALL)).rejects.toThrow(/folder does not exist/);
  });
});
