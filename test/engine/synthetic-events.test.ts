// Typed synthetic events: deterministic by seed, plausible shares, the pairs of the data set without events, and
// the default outputs unchanged (their hashes were taken without the option; retaken when the taste model of
// docs/SYNTHETIC.md replaced the hard clusters). Also the combine-rule
// evaluation that chose sign·log1p is deterministic.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evaluateCombineRules } from '../../functions/engine/evaluate/index.js';
import {
  EVENT_TYPES,
  SyntheticEventSource,
  SyntheticSource,
  syntheticChunks,
  type SyntheticFormat,
} from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';

const OPTIONS = { users: 300, items: 120, ratings: 4000, seed: 9 };

function sha(chunks: Iterable<Buffer>): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

describe('synthetic typed events', () => {
  it('leaves the outputs without events byte-identical to before the option', () => {
    const options = { ...OPTIONS, duplicates: 50 };
    const before: Record<string, string> = {
      csv: 'a8b47c3a4cbc67c72630072ff8811e0f539208d5ebf204d340192bbdd23e6d2d',
      jsonl: 'af7cc6e2a6c8eccc3ba9a519621c2c962e5ced3e0e4c0afc26c190fb11ec03db',
    };
    for (const format of ['csv', 'jsonl'] as SyntheticFormat[]) {
      expect(sha(syntheticChunks(options, format))).toBe(before[format]);
      expect(sha(syntheticChunks({ ...options, events: false }, format))).toBe(before[format]);
    }
  });

  it('is deterministic by seed, and each interaction of the data set starts with a view at its timestamp', () => {
    expect(sha(syntheticChunks({ ...OPTIONS, events: true }))).toBe(sha(syntheticChunks({ ...OPTIONS, events: true })));
    expect(sha(syntheticChunks({ ...OPTIONS, events: true }))).not.toBe(
      sha(syntheticChunks({ ...OPTIONS, seed: 10, events: true })),
    );
    const plain = new SyntheticSource(OPTIONS);
    const typed = new SyntheticEventSource(OPTIONS);
    for (let u = 0; u < OPTIONS.users; u++) {
      const n = plain.fillUser(u);
      const views: string[] = [];
      const pairs = new Set<number>();
      for (let r = 0, m = typed.fillUser(u); r < m; r++) {
        pairs.add(typed.item[r]);
        if (EVENT_TYPES[typed.type[r]] === 'view')
          views.push(`${typed.item[r]}@${typed.timestamp[r]}/${typed.rating[r]}`);
      }
      const expected = Array.from({ length: n }, (_, r) => `${plain.item[r]}@${plain.timestamp[r]}/${plain.value[r]}`);
      expect(views).toEqual(expected);
      expect(pairs.size).toBe(n);
    }
  });

  it('has plausible shares: views most, then plays, completes; likes, skips and dislikes a few percent each', () => {
    const source = new SyntheticEventSource({ users: 2000, items: 1000, ratings: 60_000, seed: 42 });
    const counts = new Array<number>(EVENT_TYPES.length).fill(0);
    let total = 0;
    for (let u = 0; u < 2000; u++) {
      const n = source.fillUser(u);
      for (let r = 0; r < n; r++) counts[source.type[r]]++;
      total += n;
    }
    const share = Object.fromEntries(EVENT_TYPES.map((type, k) => [type, counts[k] / total]));
    expect(counts[0]).toBe(60_000);
    expect(share.view).toBeGreaterThan(share.play);
    expect(share.play).toBeGreaterThan(share.complete);
    expect(share.complete).toBeGreaterThan(share.like);
    for (const type of ['like', 'skip', 'dislike']) {
      expect(share[type]).toBeGreaterThan(0.01);
      expect(share[type]).toBeLessThan(0.1);
    }
  });

  it('writes csv with a type column; refuses .dat and implicit', () => {
    const text = Buffer.concat([...syntheticChunks({ ...OPTIONS, events: true })]).toString();
    expect(text.split('\n')[0]).toBe('user,item,type,timestamp');
    expect(text.split('\n')[1]).toMatch(/^u0,i\d+,view,\d+$/);
    expect(() => [...syntheticChunks({ ...OPTIONS, events: true }, 'dat')]).toThrow(UserInputError);
    expect(() => new SyntheticEventSource({ ...OPTIONS, implicit: true })).toThrow(/implicit/);
  });

  it('the combine-rule evaluation gives the same table twice, with sign-log1p ahead of sum', async () => {
    const run = () =>
      evaluateCombineRules({
        // Big enough that the ordering is the data's, not the noise's (on 400 × 200 × 8000 sum came first).
        synthetic: { users: 2000, items: 1000, ratings: 60_000, seed: 3 },
        weights: { view: 1, play: 1, complete: 2, like: 2, skip: -1, dislike: -1 },
        rules: ['sum', 'sign-log1p'],
      });
    const strip = (report: Awaited<ReturnType<typeof run>>) =>
      report.rows.map(({ buildSeconds: _b, recommendSeconds: _r, ...metrics }) => metrics);
    const first = await run();
    expect(strip(first)).toEqual(strip(await run()));
    expect(first.rows.map((row) => row.name)).toEqual(['unweighted', 'sum', 'sign-log1p']);
    expect(first.rows[2].ndcg).toBeGreaterThan(first.rows[1].ndcg);
  });
});
