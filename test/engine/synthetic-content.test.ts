/**
 * The synthetic catalogue's descriptions, tags and cold items (functions/engine/synthetic/text.ts, cold-items.ts,
 * vocabulary.ts, metadata.ts): determinism, how much taste the topic words carry at contentSignal 1 / 0.5 / 0,
 * the vocabulary's disjointness, the CSV read back by the real catalogue parser, cold items outside the interactions.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalogue } from '../../functions/engine/catalogue/index.js';
import { stopWordsFor, tokenise } from '../../functions/engine/content/index.js';
import {
  GENRE_TOPIC_POOLS,
  MAX_COLD_ITEMS,
  Random,
  SHARED_WORDS,
  STOP_WORDS,
  TOPIC_WORDS,
  clusterGenre,
  describeItem,
  factorTopics,
  syntheticCatalogue,
  syntheticColdItems,
  syntheticInteractions,
  syntheticItems,
  resolveSyntheticOptions,
  writeSyntheticItemMetadata,
  type SyntheticOptions,
} from '../../functions/engine/synthetic/index.js';
import { UserInputError } from '../../functions/engine/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'affinity-synthetic-content-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SMALL: SyntheticOptions = { users: 50, items: 600, ratings: 900, seed: 3 };
/** Large enough for pseudo-word factors (genres past the named ones, and more factors per genre than a pool has). */
const WIDE: SyntheticOptions = { users: 10, items: 6000, ratings: 40, seed: 4, clusters: 20 };

/** Factor of each topic word (built here from the topics, so a word in two factors fails the disjointness test). */
function factorOfWord(topics: readonly (readonly string[])[]): Map<string, number> {
  const owner = new Map<string, number>();
  topics.forEach((words, f) => words.forEach((word) => owner.set(word, f)));
  return owner;
}

/** The topic words of a description, as the content tokeniser reads them. */
function topicTokens(text: string, owner: Map<string, number>): string[] {
  return tokenise(text, 'en').filter((word) => owner.has(word));
}

function itemsOf(options: SyntheticOptions) {
  return [...syntheticItems(options)];
}

describe('synthetic descriptions: determinism and the existing streams', () => {
  it('are the same for the same options and differ with the seed', () => {
    const a = itemsOf(SMALL);
    expect(itemsOf(SMALL)).toEqual(a);
    const other = itemsOf({ ...SMALL, seed: 4 });
    expect(other.filter((item, i) => item.text === a[i].text).length).toBe(0);
  });

  it('leave titles and genres as they were before descriptions (hashes taken from the previous generator)', () => {
    // sha256 of JSON [item, title, genres] lines, computed with the generator before text.ts existed.
    const golden: [SyntheticOptions, string][] = [
      [
        { users: 10, items: 500, ratings: 40, seed: 7, clusters: 12 },
        '0b62b54d7d785ac0edff670e152c3004409a2b9c89cdf3e6d03eda56a0c37aca',
      ],
      [
        { users: 2000, items: 1000, ratings: 60000, seed: 42 },
        'd7aea517d4645db4b16089bf043b4b2fe08cb92762c73b855423822a4338eba0',
      ],
    ];
    for (const [options, expected] of golden) {
      for (const extra of [{}, { contentSignal: 0 }, { contentSignal: 1, coldItems: 0 }]) {
        const hash = createHash('sha256');
        for (const it of syntheticItems({ ...options, ...extra })) {
          hash.update(JSON.stringify([it.item, it.title, it.genres]) + '\n');
        }
        expect(hash.digest('hex')).toBe(expected);
      }
    }
  });

  it('leave the interactions untouched: the same rows whatever contentSignal and coldItems', () => {
    const rows = (extra: Partial<SyntheticOptions>) => [...syntheticInteractions({ ...SMALL, ...extra })];
    const base = rows({});
    expect(rows({ contentSignal: 0 })).toEqual(base);
    expect(rows({ contentSignal: 1, coldItems: 200 })).toEqual(base);
  });

  it('have 30 to 80 words in sentences, and 2 to 4 distinct tags', () => {
    for (const { text, tags } of itemsOf(SMALL)) {
      const words = text.split(/\s+/);
      expect(words.length).toBeGreaterThanOrEqual(30);
      expect(words.length).toBeLessThanOrEqual(80);
      expect(text).toMatch(/^"?[A-Z].*\.$/);
      expect(tags.length).toBeGreaterThanOrEqual(2);
      expect(tags.length).toBeLessThanOrEqual(4);
      expect(new Set(tags).size).toBe(tags.length);
    }
  });
});

describe('synthetic descriptions: the vocabulary', () => {
  it('gives each factor TOPIC_WORDS words, no word to two factors, none shared with the common words', () => {
    for (const options of [SMALL, WIDE]) {
      const catalogue = syntheticCatalogue(options);
      const topics = factorTopics(catalogue);
      expect(topics).toHaveLength(catalogue.factors);
      const all = topics.flat();
      expect(topics.every((words) => words.length === TOPIC_WORDS)).toBe(true);
      expect(new Set(all).size).toBe(all.length);
      const common = new Set([...SHARED_WORDS, ...STOP_WORDS]);
      expect(all.filter((word) => common.has(word))).toEqual([]);
    }
    // WIDE has factors past the English pools: they get pseudo-words, still unique.
    const wide = factorTopics(syntheticCatalogue(WIDE)).flat();
    const english = new Set(GENRE_TOPIC_POOLS.flat());
    expect(wide.some((word) => !english.has(word))).toBe(true);
  });

  it('writes descriptions of topic words, shared words and stop words only', () => {
    const options = { ...WIDE, items: 1000 };
    const catalogue = syntheticCatalogue(options);
    const owner = factorOfWord(factorTopics(catalogue));
    const shared = new Set(SHARED_WORDS);
    const stop = stopWordsFor('en');
    for (const { text } of itemsOf(options)) {
      const raw = text.toLowerCase().match(/\p{L}+/gu) ?? [];
      for (const word of raw) expect(owner.has(word) || shared.has(word) || stop.has(word)).toBe(true);
      expect(tokenise(text).every((word) => owner.has(word) || shared.has(word))).toBe(true);
    }
  });

  it('has topic and shared words the tokeniser keeps whole, and stop words it drops', () => {
    const stop = stopWordsFor('en');
    const topics = factorTopics(syntheticCatalogue(WIDE)).flat();
    for (const word of [...topics, ...SHARED_WORDS]) {
      expect(stop.has(word)).toBe(false);
      expect(tokenise(word, 'en')).toEqual([word]);
    }
    for (const word of STOP_WORDS) expect(stop.has(word)).toBe(true);
  });
});

describe('synthetic descriptions: contentSignal', () => {
  it('1: every topic word and tag is one of the item’s own factors’ (first or second)', () => {
    const options = { ...WIDE, contentSignal: 1 };
    const catalogue = syntheticCatalogue(options);
    const owner = factorOfWord(factorTopics(catalogue));
    let secondWords = 0;
    itemsOf(options).forEach(({ text, tags }, i) => {
      const own = new Set([catalogue.factor[i], catalogue.secondFactor[i]]);
      const words = topicTokens(text, owner);
      expect(words.length).toBeGreaterThan(0);
      for (const word of [...words, ...tags]) expect(own.has(owner.get(word)!)).toBe(true);
      secondWords += words.filter((word) => owner.get(word) === catalogue.secondFactor[i]).length;
    });
    expect(secondWords).toBeGreaterThan(0); // the second factor is used, too
  });

  it.each([0, 0.5])(
    '%s: the share of topic words in the item’s own factors is s + (1 − s)·|own| / factors',
    (signal) => {
      const options = { ...WIDE, contentSignal: signal };
      const catalogue = syntheticCatalogue(options);
      const owner = factorOfWord(factorTopics(catalogue));
      let inOwn = 0;
      let expected = 0;
      let total = 0;
      itemsOf(options).forEach(({ text }, i) => {
        const own = new Set([catalogue.factor[i], catalogue.secondFactor[i]].filter((f) => f >= 0));
        for (const word of topicTokens(text, owner)) {
          total++;
          if (own.has(owner.get(word)!)) inOwn++;
          // By hand: own with probability s, else a uniform factor, which is one of the own ones |own|/F of the time.
          expected += signal + ((1 - signal) * own.size) / catalogue.factors;
        }
      });
      const p = expected / total;
      const sd = Math.sqrt((p * (1 - p)) / total);
      expect(total).toBeGreaterThan(50_000);
      expect(Math.abs(inOwn / total - p)).toBeLessThan(6 * sd);
    },
  );

  it('0: the words never depend on the item’s factors (the same stream gives the same text for any factor)', () => {
    const topics = factorTopics(syntheticCatalogue(WIDE));
    for (let item = 0; item < 200; item++) {
      const reference = describeItem(new Random(99, item), 0, -1, topics, 0);
      const f = (item * 7) % topics.length;
      const second = (f + 1 + (item % (topics.length - 1))) % topics.length;
      expect(describeItem(new Random(99, item), f, -1, topics, 0)).toEqual(reference);
      expect(describeItem(new Random(99, item), f, second, topics, 0)).toEqual(reference);
    }
  });

  it('0: topic words spread evenly over the factors, whatever the item’s factor (chi-square bound)', () => {
    const options = { ...WIDE, contentSignal: 0 };
    const catalogue = syntheticCatalogue(options);
    const owner = factorOfWord(factorTopics(catalogue));
    // Counts of topic words by (the item's factor is even or odd) × (the word's factor): independent at 0.
    const F = catalogue.factors;
    const counts = [new Float64Array(F), new Float64Array(F)];
    itemsOf(options).forEach(({ text }, i) => {
      for (const word of topicTokens(text, owner)) counts[catalogue.factor[i] % 2][owner.get(word)!]++;
    });
    const rows = counts.map((row) => row.reduce((s, x) => s + x, 0));
    const total = rows[0] + rows[1];
    let chi = 0;
    for (let f = 0; f < F; f++) {
      const column = counts[0][f] + counts[1][f];
      for (let r = 0; r < 2; r++) {
        const e = (rows[r] * column) / total;
        chi += (counts[r][f] - e) ** 2 / e;
      }
    }
    // (F − 1) degrees of freedom: mean F − 1, sd √(2(F − 1)); 6 sd is far past any chance deviation.
    expect(chi).toBeLessThan(F - 1 + 6 * Math.sqrt(2 * (F - 1)));
  });
});

describe('synthetic metadata: the CSV through the catalogue parser', () => {
  it('reads back every item with title, genres as categories, tags and text intact (commas and quotes too)', async () => {
    const options = { ...SMALL, coldItems: 25 };
    const path = join(dir, 'items.csv');
    await writeSyntheticItemMetadata(path, options);
    const { entries, report } = await parseCatalogue(path, { fileName: 'items.csv' });
    const expected = itemsOf(options);
    expect(entries.size).toBe(625);
    expect(report.rejected).toEqual({});
    expect(report.accepted).toBe(625);
    expect(report.textsCut).toBe(0);
    expect(report.columns).toMatchObject({
      item: 'item',
      title: 'title',
      categories: 'genres',
      tags: 'tags',
      text: 'text',
    });
    expect(report.unknownColumns).toEqual([]);
    for (const item of expected) {
      const entry = entries.get(item.item)!;
      expect(entry.title).toBe(item.title);
      expect(entry.categories).toEqual(item.genres);
      expect(entry.tags).toEqual(item.tags);
      expect(entry.text).toBe(item.text);
    }
    expect(expected.some(({ text }) => text.includes('"'))).toBe(true);
    expect(expected.some(({ text }) => text.includes(','))).toBe(true);
  });
});

describe('synthetic cold items', () => {
  it('are appended to the catalogue after the items and never appear in the interactions', () => {
    const options = { ...SMALL, coldItems: 30 };
    const o = resolveSyntheticOptions(options);
    const items = itemsOf(options);
    expect(items.map((item) => item.item)).toEqual(Array.from({ length: 630 }, (_, i) => `i${i}`));
    const interacted = new Set([...syntheticInteractions(options)].map((row) => row.item));
    for (let i = 600; i < 630; i++) expect(interacted.has(`i${i}`)).toBe(false);
    // Their genre is their factor's, their year a new release's.
    const catalogue = syntheticCatalogue(options);
    const cold = syntheticColdItems(o, catalogue);
    for (let k = 0; k < 30; k++) {
      expect(items[600 + k].genres[0]).toBe(clusterGenre(catalogue.factorCluster[cold.factor[k]]));
      expect(items[600 + k].title).toMatch(/\(202[56]\)$/);
    }
  });

  it('carry their factor’s topic words at contentSignal 1, so content can place them', () => {
    const options = { ...SMALL, coldItems: 30, contentSignal: 1 };
    const catalogue = syntheticCatalogue(options);
    const cold = syntheticColdItems(resolveSyntheticOptions(options), catalogue);
    const owner = factorOfWord(factorTopics(catalogue));
    itemsOf(options)
      .slice(600)
      .forEach(({ text, tags }, k) => {
        const own = new Set([cold.factor[k], cold.secondFactor[k]]);
        for (const word of [...topicTokens(text, owner), ...tags]) expect(own.has(owner.get(word)!)).toBe(true);
      });
  });

  it('do not change the warm items’ descriptions', () => {
    expect(itemsOf({ ...SMALL, coldItems: 30 }).slice(0, 600)).toEqual(itemsOf(SMALL));
  });
});

describe('synthetic content options: mistakes', () => {
  it.each([
    [{ contentSignal: -0.1 }, /contentSignal must be a number in \[0, 1\]/, 'options.contentSignal'],
    [{ contentSignal: 1.5 }, /contentSignal/, 'options.contentSignal'],
    [{ contentSignal: Number.NaN }, /contentSignal/, 'options.contentSignal'],
    [{ contentSignal: '0.5' }, /contentSignal/, 'options.contentSignal'],
    [{ coldItems: -1 }, /coldItems must be an integer/, 'options.coldItems'],
    [{ coldItems: 2.5 }, /coldItems/, 'options.coldItems'],
    [{ coldItems: MAX_COLD_ITEMS + 1 }, /coldItems/, 'options.coldItems'],
  ])('%j is refused with a UserInputError naming the option', (extra, message, where) => {
    const options = { ...SMALL, ...extra } as SyntheticOptions;
    expect(() => resolveSyntheticOptions(options)).toThrow(UserInputError);
    expect(() => resolveSyntheticOptions(options)).toThrow(message);
    try {
      resolveSyntheticOptions(options);
    } catch (error) {
      expect((error as UserInputError).where).toBe(where);
    }
  });
});
