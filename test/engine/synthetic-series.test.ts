// Options `seriesInCatalogue` (the metadata's series column, engine/synthetic/metadata.ts) and `newReleaseSequels`
// (new releases prefer later series parts, engine/synthetic/new-releases.ts): off by default, every output as before;
// on, the column names each item's series as the generator's catalogue has it and the interactions do not move.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalogue } from '../../functions/engine/catalogue/index.js';
import {
  METADATA_HEADER,
  SyntheticSource,
  resolveSyntheticOptions,
  syntheticCatalogue,
  syntheticInteractions,
  syntheticItems,
  writeSyntheticItemMetadata,
  type SyntheticOptions,
} from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'affinity-synthetic-series-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const OPTIONS: SyntheticOptions = { users: 400, items: 500, ratings: 8000, seed: 5, coldItems: 20 };

async function metadata(options: SyntheticOptions, name: string): Promise<string> {
  const path = join(dir, name);
  await writeSyntheticItemMetadata(path, options);
  return readFile(path, 'utf8');
}

describe('synthetic series in the catalogue (seriesInCatalogue)', () => {
  it('off (the default): the metadata file and the items are those of before, byte for byte', async () => {
    const plain = await metadata(OPTIONS, 'default.csv');
    expect(await metadata({ ...OPTIONS, seriesInCatalogue: false }, 'off.csv')).toBe(plain);
    expect(plain.slice(0, plain.indexOf('\n'))).toBe('item,title,genres,tags,text');
    expect(METADATA_HEADER.join(',')).toBe('item,title,genres,tags,text');
    expect([...syntheticItems(OPTIONS)].every((item) => !('series' in item))).toBe(true);
  });

  it('on: the parser reads each item’s series; parts of one series share it, other items have none', async () => {
    const options = { ...OPTIONS, seriesInCatalogue: true };
    const path = join(dir, 'series.csv');
    await writeSyntheticItemMetadata(path, options);
    const { entries, report } = await parseCatalogue(path, { fileName: 'series.csv' });
    expect(report.accepted).toBe(520);
    expect(report.rejected).toEqual({});
    expect(report.columns).toMatchObject({ series: 'series' });
    expect(report.unknownColumns).toEqual([]);
    // Oracle: the catalogue's series index (what users continue in part order), grouped here independently.
    const { series, next } = syntheticCatalogue(options);
    const members = new Map<number, string[]>();
    for (let i = 0; i < 500; i++)
      if (series[i] >= 0) members.set(series[i], [...(members.get(series[i]) ?? []), `i${i}`]);
    expect(members.size).toBeGreaterThan(20);
    for (const list of members.values()) {
      const labels = new Set(list.map((id) => entries.get(id)!.series));
      expect(labels.size).toBe(1);
      expect([...labels][0]).toMatch(/^s\d+$/);
    }
    // Distinct series, distinct labels; next parts share their predecessor's label.
    const labels = [...members.values()].map((list) => entries.get(list[0])!.series);
    expect(new Set(labels).size).toBe(members.size);
    for (let i = 0; i < 500; i++) {
      if (series[i] < 0) expect(entries.get(`i${i}`)!.series).toBeUndefined();
      if (next[i] >= 0) expect(entries.get(`i${next[i]}`)!.series).toBe(entries.get(`i${i}`)!.series);
    }
    // Cold items are in no series.
    for (let k = 0; k < 20; k++) expect(entries.get(`i${500 + k}`)!.series).toBeUndefined();
  });

  it('on: every other column, and the interactions, are unchanged', async () => {
    const on = { ...OPTIONS, seriesInCatalogue: true };
    const [header, ...rows] = (await metadata(on, 'on.csv')).split('\n');
    expect(header).toBe('item,title,genres,tags,text,series');
    // Each record with its last field (empty or `s<n>`) dropped is the record of the file without the option.
    const stripped = [METADATA_HEADER.join(','), ...rows.map((line) => line.replace(/,(s\d+)?$/, ''))].join('\n');
    expect(stripped).toBe(await metadata(OPTIONS, 'plain.csv'));
    expect([...syntheticInteractions(on)]).toEqual([...syntheticInteractions(OPTIONS)]);
  });
});

describe('synthetic new releases preferring sequels (newReleaseSequels)', () => {
  const base = { ...OPTIONS, newReleases: 0.2 };
  const chosen = (options: SyntheticOptions) => {
    const flags = new SyntheticSource(options).newRelease;
    return [...flags.keys()].filter((i) => flags[i] === 1);
  };

  it('off: the new releases of before', () => {
    expect(chosen({ ...base, newReleaseSequels: false })).toEqual(chosen(base));
  });

  it('on: one per stratum still, a later part wherever the stratum has one; the histories hold the same pairs', () => {
    const options = { ...base, newReleaseSequels: true };
    const { rank, part } = syntheticCatalogue(options);
    const picked = chosen(options);
    expect(picked.length).toBe(100);
    // 100 strata of 5 ranks each, brute force over the ranks.
    const byRank = new Array<number>(500);
    for (let i = 0; i < 500; i++) byRank[rank[i] - 1] = i;
    const set = new Set(picked);
    let sequels = 0;
    for (let s = 0; s < 100; s++) {
      const stratum = byRank.slice(5 * s, 5 * s + 5);
      expect(stratum.filter((i) => set.has(i)).length).toBe(1);
      const pick = stratum.find((i) => set.has(i))!;
      if (stratum.some((i) => part[i] >= 2)) {
        expect(part[pick]).toBeGreaterThanOrEqual(2);
        sequels++;
      }
    }
    expect(sequels).toBeGreaterThan(30);
    const before = chosen(base).filter((i) => part[i] >= 2).length;
    expect(picked.filter((i) => part[i] >= 2).length).toBeGreaterThan(before);
    const key = ({ user, item, value }: { user: string; item: string; value: number }) => `${user}/${item}/${value}`;
    expect([...syntheticInteractions(options)].map(key).sort()).toEqual(
      [...syntheticInteractions(base)].map(key).sort(),
    );
  });
});

describe('synthetic series options: mistakes', () => {
  it.each([
    [{ seriesInCatalogue: 'yes' }, 'options.seriesInCatalogue'],
    [{ seriesInCatalogue: 1 }, 'options.seriesInCatalogue'],
    [{ newReleaseSequels: 'true' }, 'options.newReleaseSequels'],
  ])('%j is refused with a UserInputError naming the option', (extra, where) => {
    const options = { ...OPTIONS, ...extra } as unknown as SyntheticOptions;
    expect(() => resolveSyntheticOptions(options)).toThrow(UserInputError);
    expect(() => resolveSyntheticOptions(options)).toThrow(/must be true or false/);
    try {
      resolveSyntheticOptions(options);
    } catch (error) {
      expect((error as UserInputError).where).toBe(where);
    }
  });
});
