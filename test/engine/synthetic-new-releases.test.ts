// Option `newReleases` (engine/synthetic/new-releases.ts): a share of the items come last in every history that has
// them, so a time-based hold-out is rich in items with few earlier interactions.
import { describe, expect, it } from 'vitest';
import {
  SyntheticSource,
  syntheticCatalogue,
  syntheticInteractions,
  type SyntheticOptions,
} from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';

const OPTIONS: SyntheticOptions = { users: 400, items: 500, ratings: 8000, seed: 5 };
const rows = (options: SyntheticOptions) =>
  [...syntheticInteractions(options)].map(({ user, item, value, timestamp }) => ({
    user,
    item: Number(item.slice(1)),
    value,
    timestamp: timestamp as number,
  }));

describe('synthetic new releases', () => {
  it('0 (the default) changes nothing', () => {
    expect(rows({ ...OPTIONS, newReleases: 0 })).toEqual(rows(OPTIONS));
  });

  it('picks round(share · items) items, one per stratum of popularity ranks, over most factors', () => {
    const flags = new SyntheticSource({ ...OPTIONS, newReleases: 0.1 }).newRelease;
    const { rank, factor, factors } = syntheticCatalogue(OPTIONS);
    const chosen = [...flags.keys()].filter((i) => flags[i] === 1);
    expect(chosen.length).toBe(50);
    // 50 strata of 10 ranks each: ranks 1–10 hold exactly one, and so does every later block of 10.
    const perBlock = new Array<number>(50).fill(0);
    for (const i of chosen) perBlock[Math.floor((rank[i] - 1) / 10)]++;
    expect(perBlock).toEqual(new Array<number>(50).fill(1));
    // Ranks are shuffled over ids independently of the factors: 50 draws over ~10 factors miss few of them.
    expect(new Set(chosen.map((i) => factor[i])).size).toBeGreaterThanOrEqual(Math.min(factors, 40) * 0.6);
    // Its own stream: another share picks another set, another seed too.
    const other = new SyntheticSource({ ...OPTIONS, seed: 6, newReleases: 0.1 }).newRelease;
    expect([...other]).not.toEqual([...flags]);
  });

  it('each user has the same items and ratings; new releases come after the rest; timestamps still increase', () => {
    const options = { ...OPTIONS, newReleases: 0.2 };
    const { series, part } = syntheticCatalogue(options);
    const flags = new SyntheticSource(options).newRelease;
    const before = rows(OPTIONS);
    const after = rows(options);
    const key = ({ user, item, value }: { user: string; item: number; value: number }) => `${user}/${item}/${value}`;
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
    const problems: string[] = [];
    let users = 0;
    const byUser = new Map<string, typeof after>();
    for (const row of after) byUser.set(row.user, [...(byUser.get(row.user) ?? []), row]);
    for (const [user, list] of byUser) {
      for (let k = 1; k < list.length; k++)
        if (!(list[k].timestamp > list[k - 1].timestamp)) problems.push(`${user}: time not increasing at ${k}`);
      // Series parts keep part order, which may move a part across the boundary; every other item obeys it.
      const plain = list.filter(({ item }) => series[item] < 0).map(({ item }) => flags[item]);
      const firstNew = plain.indexOf(1);
      if (firstNew >= 0 && plain.lastIndexOf(0) > firstNew) problems.push(`${user}: an older item after a new one`);
      if (firstNew > 0) users++;
      const lastPart = new Map<number, number>();
      for (const { item } of list) {
        if (series[item] < 0) continue;
        if ((lastPart.get(series[item]) ?? 0) > part[item])
          problems.push(`${user}: series ${series[item]} out of order`);
        lastPart.set(series[item], part[item]);
      }
    }
    expect(problems).toEqual([]);
    expect(users).toBeGreaterThan(100); // many users have both kinds, so the order was tested
  });

  it.each([-0.1, 0.6, Number.NaN])('newReleases %s is refused with a UserInputError', (newReleases) => {
    expect(() => new SyntheticSource({ ...OPTIONS, newReleases })).toThrow(UserInputError);
    expect(() => new SyntheticSource({ ...OPTIONS, newReleases })).toThrow(
      /newReleases must be a number in \[0, 0.5\]/,
    );
  });
});
