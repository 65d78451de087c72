import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';
import {
  ContentKernel,
  contentNeighbourBlock,
  resolveContentOptions,
  sharedTerms,
  vectoriseCatalogue,
  type ContentOptions,
  type ContentOptionsInput,
} from '../../functions/engine/content/index.js';
import type { NeighbourBlock } from '../../functions/engine/types.js';

// Words that are no stop word in any list and that ICU keeps whole, so the reference below may split on spaces.
const VOCABULARY = 'jazz live rock piano guitar night city river summer drums opera vinyl radio festival'.split(' ');
const TAGS = ['live', 'studio', 'acoustic', 'remix', 'classic'];
const CATEGORIES = ['jazz', 'rock', 'pop', 'folk'];

/** A small seeded catalogue (its own LCG: independent of the engine's Random). */
function catalogue(items: number, seed: number): CatalogueEntry[] {
  let state = seed >>> 0;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const words = (n: number): string => Array.from({ length: n }, () => VOCABULARY[next(VOCABULARY.length)]).join(' ');
  const some = (values: string[]): string[] => values.filter(() => next(3) === 0);
  return Array.from({ length: items }, (_, i) => {
    const entry: CatalogueEntry = { item: `i${i}` };
    if (next(5) !== 0) entry.title = words(1 + next(3));
    if (next(4) !== 0) entry.text = words(next(12));
    const tags = some(TAGS);
    if (tags.length > 0) entry.tags = tags;
    const categories = some(CATEGORIES);
    if (categories.length > 0) entry.categories = categories;
    if (next(3) === 0) entry.series = `s${next(4)}`;
    if (next(2) === 0) entry.attributes = { mood: ['calm', 'loud'][next(2)], year: 2000 + next(3) };
    return entry;
  });
}

/** Reference: dense per-item maps, TF-IDF or BM25 written from the formulas, all-pairs cosine. */
function bruteForce(entries: CatalogueEntry[], o: ContentOptions): { neighbour: number; similarity: number }[][] {
  const n = entries.length;
  const attributeWeight = (name: string): number =>
    typeof o.fields.attributes === 'number' ? o.fields.attributes : (o.fields.attributes[name] ?? 0);
  const fieldsOf = (e: CatalogueEntry): { weight: number; terms: string[] }[] => [
    { weight: o.fields.title, terms: e.title ? e.title.split(' ') : [] },
    { weight: o.fields.text, terms: e.text ? e.text.split(' ').filter((w) => w !== '') : [] },
    { weight: o.fields.tags, terms: (e.tags ?? []).map((t) => `tag:${t}`) },
    { weight: o.fields.categories, terms: (e.categories ?? []).map((c) => `cat:${c}`) },
    { weight: o.fields.series, terms: e.series ? [`series:${e.series}`] : [] },
    ...Object.entries(e.attributes ?? {}).map(([name, value]) => ({
      weight: attributeWeight(name),
      terms: [`attr:${name}=${String(value)}`],
    })),
  ];
  const perItem = entries.map((e) => {
    const stat = new Map<string, number>();
    let length = 0;
    for (const { weight, terms } of fieldsOf(e)) {
      if (weight === 0) continue;
      length += weight * terms.length;
      const counts = new Map<string, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, c] of counts)
        stat.set(t, (stat.get(t) ?? 0) + (o.scheme === 'tfidf' ? weight * (1 + Math.log(c)) : weight * c));
    }
    return { stat, length };
  });
  const df = new Map<string, number>();
  for (const { stat } of perItem) for (const t of stat.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const keep = (t: string): boolean => df.get(t)! >= o.minDf && df.get(t)! <= o.maxDfShare * n;
  const avg = perItem.reduce((s, x) => s + x.length, 0) / n;
  const k1 = o.bm25?.k1 ?? 1.2;
  const b = o.bm25?.b ?? 0.75;
  const vectors = perItem.map(({ stat, length }) => {
    const v = new Map<string, number>();
    for (const [t, s] of stat) {
      if (!keep(t)) continue;
      const d = df.get(t)!;
      if (o.scheme === 'tfidf') v.set(t, s * (1 + Math.log((1 + n) / (1 + d))));
      else v.set(t, (Math.log(1 + (n - d + 0.5) / (d + 0.5)) * s * (k1 + 1)) / (s + k1 * (1 - b + (b * length) / avg)));
    }
    const norm = Math.hypot(...v.values());
    for (const [t, x] of v) v.set(t, x / norm);
    return v;
  });
  return vectors.map((va, a) => {
    const row: { neighbour: number; similarity: number }[] = [];
    vectors.forEach((vb, nb) => {
      if (nb === a) return;
      let dot = 0;
      for (const [t, x] of va) dot += x * (vb.get(t) ?? 0);
      if (dot > 1e-12) row.push({ neighbour: nb, similarity: dot });
    });
    return row.sort((x, y) => y.similarity - x.similarity || x.neighbour - y.neighbour);
  });
}

/** The block agrees with the reference up to rounding: same length, right similarities, nothing better missed. */
function expectMatches(block: NeighbourBlock, reference: ReturnType<typeof bruteForce>): void {
  const k = block.k;
  for (let a = block.start; a < block.end; a++) {
    const expected = reference[a];
    const count = block.count[a - block.start];
    expect(count).toBe(Math.min(k, expected.length));
    const byNeighbour = new Map(expected.map((x) => [x.neighbour, x.similarity]));
    let previous = { similarity: Infinity, neighbour: -1 };
    for (let j = 0; j < count; j++) {
      const neighbour = block.neighbour[(a - block.start) * k + j];
      const similarity = block.similarity[(a - block.start) * k + j];
      expect(neighbour).not.toBe(a);
      expect(similarity).toBeCloseTo(byNeighbour.get(neighbour)!, 12);
      // Sorted: similarity descending, then neighbour ascending.
      expect(similarity < previous.similarity || neighbour > previous.neighbour).toBe(true);
      previous = { similarity, neighbour };
    }
    if (count > 0) expect(previous.similarity).toBeGreaterThan(expected[count - 1].similarity - 1e-12);
  }
}

function options(input: ContentOptionsInput): ContentOptions {
  return resolveContentOptions(input);
}

describe('content kernel: by hand (3 items)', () => {
  const entries: CatalogueEntry[] = [
    { item: 'A', text: 'jazz jazz live', tags: ['x'] },
    { item: 'B', text: 'jazz', tags: ['x'] },
    { item: 'C', text: 'rock' },
  ];
  const o = options({
    fields: { title: 0, text: 1, tags: 1, categories: 0, series: 0, attributes: 0 },
    minDf: 1,
    maxDfShare: 1,
  });

  it('gives the TF-IDF cosine computed by hand', () => {
    // n = 3; df(jazz) = df(tag:x) = 2, df(live) = df(rock) = 1; smoothed idf = 1 + ln(4 / (1 + df)).
    const idfShared = 1 + Math.log(4 / 3);
    const idfOnce = 1 + Math.log(2);
    // A: jazz twice (sublinear tf 1 + ln 2), live once, tag x once. B: jazz and tag x once each (equal weights).
    const a = { jazz: (1 + Math.log(2)) * idfShared, live: idfOnce, x: idfShared };
    const normA = Math.sqrt(a.jazz ** 2 + a.live ** 2 + a.x ** 2);
    const cosine = ((a.jazz + a.x) * Math.SQRT1_2) / normA;

    const block = contentNeighbourBlock(vectoriseCatalogue(entries, o), 5);
    expect([...block.count]).toEqual([1, 1, 0]);
    expect(block.neighbour[0]).toBe(1);
    expect(block.neighbour[5]).toBe(0);
    expect(block.similarity[0]).toBeCloseTo(cosine, 14);
    expect(block.similarity[5]).toBe(block.similarity[0]);
    expect(block.support[0]).toBe(2);
  });

  it('gives the BM25 cosine computed by hand', () => {
    // Lengths (words + tags): A 4, B 2, C 1, average 7/3; idf = ln(1 + (3 − df + 0.5) / (df + 0.5)).
    const idfShared = Math.log(1 + 1.5 / 2.5);
    const idfOnce = Math.log(1 + 2.5 / 1.5);
    const [k1, b] = [1.2, 0.75];
    const lengthA = 1 - b + (b * 4) / (7 / 3);
    const term = (idf: number, tf: number) => (idf * tf * (k1 + 1)) / (tf + k1 * lengthA);
    const a = { jazz: term(idfShared, 2), live: term(idfOnce, 1), x: term(idfShared, 1) };
    // B's two terms have tf 1 and the same idf and length: equal weights, 1/√2 each once normalised.
    const cosine = ((a.jazz + a.x) * Math.SQRT1_2) / Math.hypot(a.jazz, a.live, a.x);
    const block = contentNeighbourBlock(vectoriseCatalogue(entries, { ...o, scheme: 'bm25' }), 5);
    expect([...block.count]).toEqual([1, 1, 0]);
    expect(block.similarity[0]).toBeCloseTo(cosine, 14);
  });

  it('names the shared terms, largest contribution first, summing to the cosine', () => {
    const vectors = vectoriseCatalogue(entries, o);
    const shared = sharedTerms(vectors, 0, 1, 5);
    expect(shared.map((s) => s.term)).toEqual(['jazz', 'tag:x']);
    expect(shared.map((s) => s.value)).toEqual(['jazz', 'x']);
    expect(shared.map((s) => s.field)).toEqual(['words', 'tags']);
    const block = contentNeighbourBlock(vectors, 5);
    expect(shared[0].contribution + shared[1].contribution).toBeCloseTo(block.similarity[0], 14);
    expect(sharedTerms(vectors, 0, 1, 1).map((s) => s.term)).toEqual(['jazz']);
    expect(sharedTerms(vectors, 0, 2, 5)).toEqual([]);
    expect(() => sharedTerms(vectors, 0, 3, 5)).toThrow(RangeError);
  });
});

describe('content kernel against a brute-force reference', () => {
  const entries = catalogue(80, 7);
  const cases: [string, ContentOptionsInput][] = [
    ['tfidf, defaults', {}],
    ['tfidf, every term kept', { minDf: 1, maxDfShare: 1 }],
    [
      'tfidf, other weights, one attribute',
      { fields: { title: 3, text: 0.5, tags: 2, categories: 0, series: 1.5, attributes: { mood: 2 } }, minDf: 1 },
    ],
    ['bm25, defaults', { scheme: 'bm25' }],
    ['bm25, k1 2, b 0.3, df share 0.3', { scheme: 'bm25', bm25: { k1: 2, b: 0.3 }, maxDfShare: 0.3 }],
    [
      'bm25, text and categories left out',
      { scheme: 'bm25', fields: { text: 0, categories: 0, attributes: { year: 1 } }, minDf: 1 },
    ],
  ];
  for (const [name, input] of cases) {
    it(name, () => {
      const o = options({ ...input, k: 7 });
      expectMatches(contentNeighbourBlock(vectoriseCatalogue(entries, o), o.k), bruteForce(entries, o));
    });
  }

  it('gives identical results for any split into row ranges, with a reused or a fresh kernel', () => {
    const o = options({ k: 5, minDf: 1 });
    const vectors = vectoriseCatalogue(entries, o);
    const whole = contentNeighbourBlock(vectors, 5);
    const kernel = new ContentKernel(vectors, 5);
    for (const cuts of [
      [0, 1, 80],
      [0, 13, 14, 50, 80],
      [0, 40, 40, 80],
    ]) {
      for (let i = 0; i + 1 < cuts.length; i++) {
        for (const part of [
          kernel.computeRange(cuts[i], cuts[i + 1]),
          contentNeighbourBlock(vectors, 5, cuts[i], cuts[i + 1]),
        ]) {
          const from = cuts[i] * 5;
          const to = cuts[i + 1] * 5;
          expect([...part.count]).toEqual([...whole.count.subarray(cuts[i], cuts[i + 1])]);
          expect([...part.neighbour]).toEqual([...whole.neighbour.subarray(from, to)]);
          expect([...part.similarity]).toEqual([...whole.similarity.subarray(from, to)]);
          expect([...part.support]).toEqual([...whole.support.subarray(from, to)]);
        }
      }
    }
    expect(() => kernel.computeRange(10, 81)).toThrow(RangeError);
    expect(() => kernel.computeRange(5, 4)).toThrow(RangeError);
  });

  it('is symmetric bit for bit: the pair (a, b) has the same similarity in both rows', () => {
    const o = options({ k: 80, minDf: 1, scheme: 'bm25' });
    const block = contentNeighbourBlock(vectoriseCatalogue(entries, o), 80);
    const sims = new Map<string, number>();
    for (let a = 0; a < 80; a++)
      for (let j = 0; j < block.count[a]; j++)
        sims.set(`${a}-${block.neighbour[a * 80 + j]}`, block.similarity[a * 80 + j]);
    for (const [pair, similarity] of sims) {
      const [a, b] = pair.split('-');
      expect(sims.get(`${b}-${a}`)).toBe(similarity);
    }
  });

  it.each(['tfidf', 'bm25'] as const)(
    'is deterministic and does not depend on the order of the entries (%s)',
    (scheme) => {
      const o = options({ k: 6, minDf: 1, scheme });
      const first = contentNeighbourBlock(vectoriseCatalogue(entries, o), 6);
      const again = contentNeighbourBlock(vectoriseCatalogue(catalogue(80, 7), o), 6);
      expect(again).toEqual(first);
      const reversed = [...entries].reverse();
      const block = contentNeighbourBlock(vectoriseCatalogue(reversed, o), 6);
      const rowOf = (b: NeighbourBlock, list: CatalogueEntry[], item: string) => {
        const r = list.findIndex((e) => e.item === item);
        return Array.from({ length: b.count[r] }, (_, j) => ({
          id: list[b.neighbour[r * 6 + j]].item,
          similarity: b.similarity[r * 6 + j],
        }));
      };
      for (const { item } of entries) {
        const x = rowOf(first, entries, item);
        const y = rowOf(block, reversed, item);
        // Same similarities bit for bit; the order may differ only within exact ties (index tie-break).
        expect(y.map((n) => n.similarity)).toEqual(x.map((n) => n.similarity));
        const key = (list: typeof x) => list.map((n) => `${n.similarity}:${n.id}`).sort();
        const lastSim = x.at(-1)?.similarity;
        expect(key(y.filter((n) => n.similarity !== lastSim))).toEqual(key(x.filter((n) => n.similarity !== lastSim)));
      }
    },
  );
});

describe('content kernel: edge cases', () => {
  it('handles an empty catalogue', () => {
    const vectors = vectoriseCatalogue([], options({}));
    expect(vectors.items).toBe(0);
    expect(vectors.terms).toEqual([]);
    const block = contentNeighbourBlock(vectors, 3);
    expect(block.count.length).toBe(0);
  });

  it('gives items without terms no neighbours and never lists them', () => {
    const entries: CatalogueEntry[] = [
      { item: 'a', title: 'jazz night' },
      { item: 'empty' },
      { item: 'b', title: 'jazz city' },
      { item: 'stop words only', title: 'The and of it' },
    ];
    const vectors = vectoriseCatalogue(entries, options({ minDf: 1, maxDfShare: 1 }));
    const block = contentNeighbourBlock(vectors, 3);
    expect([...block.count]).toEqual([1, 0, 1, 0]);
    expect(block.neighbour[0]).toBe(2);
    expect(block.neighbour[6]).toBe(0);
    expect(vectors.rowPtr[2] - vectors.rowPtr[1]).toBe(0);
  });

  it('never reports a similarity above 1, even where rounding gives 1 + 2⁻⁵²', () => {
    // Found by search: unclamped, this text's unit vector has a dot product with itself of 1.0000000000000002.
    const text = 'vinyl rock festival rock live jazz drums summer drums guitar drums';
    const entries: CatalogueEntry[] = [
      { item: 'a', text },
      { item: 'b', text },
      { item: 'c', text: 'zzz' },
    ];
    const block = contentNeighbourBlock(vectoriseCatalogue(entries, options({ minDf: 1, maxDfShare: 1 })), 2);
    expect([...block.count]).toEqual([1, 1, 0]);
    expect(block.similarity[0]).toBe(1);
    expect(block.similarity[2]).toBe(1);
  });

  it('gives BM25 weights that do not depend on the order of the entries, even with fractional lengths', () => {
    // Lengths 0.1, 0.2, 0.3: summed in the given order 0.1 + 0.2 + 0.3 = 0.6000000000000001, reversed 0.6.
    const entries: CatalogueEntry[] = [
      { item: 'a', title: 'jazz' },
      { item: 'b', title: 'jazz night' },
      { item: 'c', title: 'jazz night city' },
    ];
    const o = options({ scheme: 'bm25', fields: { title: 0.1 }, minDf: 1, maxDfShare: 1 });
    const forward = vectoriseCatalogue(entries, o);
    const reversed = vectoriseCatalogue([...entries].reverse(), o);
    for (let r = 0; r < 3; r++) {
      const row = (v: typeof forward, i: number) => [...v.weight.subarray(v.rowPtr[i], v.rowPtr[i + 1])];
      expect(row(reversed, 2 - r)).toEqual(row(forward, r));
    }
  });

  it('matches tags as whole terms only', () => {
    const entries: CatalogueEntry[] = [
      { item: 'a', tags: ['live music'] },
      { item: 'b', tags: ['Live  Music'] },
      { item: 'c', text: 'live music' },
      { item: 'd', tags: ['live'] },
    ];
    const vectors = vectoriseCatalogue(entries, options({ minDf: 1, maxDfShare: 1 }));
    expect(vectors.terms).toEqual(['live', 'music', 'tag:live', 'tag:live music']);
    const block = contentNeighbourBlock(vectors, 3);
    expect([...block.count]).toEqual([1, 1, 0, 0]);
    expect(block.neighbour[0]).toBe(1);
    expect(block.similarity[0]).toBe(1);
  });

  it('keeps every row at unit norm with positive weights, and drops terms outside minDf / maxDfShare', () => {
    const entries = catalogue(60, 3);
    for (const scheme of ['tfidf', 'bm25'] as const) {
      const o = options({ scheme, minDf: 3, maxDfShare: 0.4 });
      const v = vectoriseCatalogue(entries, o);
      for (const d of v.df) {
        expect(d).toBeGreaterThanOrEqual(3);
        expect(d).toBeLessThanOrEqual(0.4 * 60);
      }
      for (let r = 0; r < v.items; r++) {
        let squares = 0;
        for (let p = v.rowPtr[r]; p < v.rowPtr[r + 1]; p++) {
          expect(v.weight[p]).toBeGreaterThan(0);
          squares += v.weight[p] ** 2;
        }
        if (v.rowPtr[r + 1] > v.rowPtr[r]) expect(squares).toBeCloseTo(1, 12);
      }
      expect([...v.terms]).toEqual([...v.terms].sort());
    }
  });

  it('leaves a field of weight 0 out entirely', () => {
    const entries: CatalogueEntry[] = [
      { item: 'a', categories: ['jazz'], title: 'night' },
      { item: 'b', categories: ['jazz'], title: 'day' },
    ];
    const o = options({ fields: { categories: 0 }, minDf: 1, maxDfShare: 1 });
    const vectors = vectoriseCatalogue(entries, o);
    expect(vectors.terms).toEqual(['day', 'night']);
    expect([...contentNeighbourBlock(vectors, 2).count]).toEqual([0, 0]);
  });
});
