// Content and hybrid item rows: the row dictionary with cold catalogue items, content rows, the hybrid blend by
// hand, cold items recommended and explained by their shared terms. Oracles: content/kernel (tested against a
// brute-force cosine in content-kernel.test.ts), the whole-term TF-IDF reference of content-model-helpers.ts, and
// the brute-force item-kNN of test/support (config {"model":"item-knn"} for the hybrid's CF part).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../functions/engine/catalogue/types.js';
import {
  contentItemIds,
  contentNeighbourBlock,
  resolveContentOptions,
  vectoriseCatalogue,
} from '../../functions/engine/content/index.js';
import { ratingMatrixFromDense } from '../../functions/engine/data/index.js';
import type { ModelSpec } from '../../functions/engine/models/index.js';
import { buildModel, parseModelConfig } from '../../functions/engine/pipeline.js';
import { explanationRecord, InMemoryModel } from '../../functions/engine/recommend/index.js';
import type { Contribution } from '../../functions/engine/types.js';
import { cosineTopK, rowsOf, topK } from '../support/brute-force.js';
import { referenceCosine, referenceSharedValues, referenceVectors } from './content-model-helpers.js';

const ITEMS = ['i0', 'i1', 'i2', 'i3', 'i4'];
// Users × items; i3 has interactions but no catalogue entry.
const DENSE = [
  [1, 1, 0, 0, 0],
  [0, 1, 0, 1, 0],
  [0, 0, 1, 0, 1],
  [1, 0, 1, 1, 0],
  [0, 0, 0, 1, 1],
  [1, 0, 0, 0, 0],
];
// N = 7 entries, so maxDfShare 0.5 keeps terms in at most 3 of them; `unique` (df 1) is dropped by minDf 2.
const ENTRIES: CatalogueEntry[] = [
  { item: 'i0', tags: ['jazz', 'live'] },
  { item: 'i1', tags: ['jazz', 'piano'], categories: ['night'] },
  { item: 'i2', tags: ['rock', 'live'], categories: ['loud'] },
  { item: 'i4', tags: ['rock', 'guitar'], categories: ['loud'] },
  { item: 'c0', tags: ['jazz', 'piano', 'live'], categories: ['night'] },
  { item: 'c1', tags: ['rock', 'guitar'], categories: ['loud'] },
  { item: 'c2', tags: ['unique'] },
];
const CATALOGUE = new Map(ENTRIES.map((entry) => [entry.item, entry]));
const ROW_IDS = ['i0', 'i1', 'i2', 'i3', 'i4', 'c0', 'c1', 'c2'];
const CONTENT = resolveContentOptions({ k: 10 });
const REFERENCE = referenceVectors(ENTRIES, { minDf: 2, maxDfShare: 0.5 });

const matrix = ratingMatrixFromDense(DENSE, undefined, ITEMS);
const contentSpec: ModelSpec = { model: 'content', content: CONTENT };

function rowIdsOf(model: InMemoryModel): string[] {
  const ids = model.rowIds('item');
  return Array.from({ length: ids.size }, (_, i) => ids.idAt(i));
}

describe('the row dictionary of content rows', () => {
  it('is the matrix’s items in order, then the catalogue-only items in catalogue order', () => {
    const ids = contentItemIds(matrix.items, CATALOGUE);
    expect(Array.from({ length: ids.size }, (_, i) => ids.idAt(i))).toEqual(ROW_IDS);
  });
});

describe('model content', () => {
  it('has the rows of contentNeighbourBlock over the catalogue entries in the row dictionary’s order', async () => {
    const model = await InMemoryModel.build(matrix, { spec: contentSpec, catalogue: CATALOGUE });
    expect(rowIdsOf(model)).toEqual(ROW_IDS);
    // The entries present, in row-dictionary order (i3 has none): the kernel's rows by id.
    const present = ROW_IDS.filter((id) => CATALOGUE.has(id));
    const block = contentNeighbourBlock(
      vectoriseCatalogue(
        present.map((id) => CATALOGUE.get(id)!),
        CONTENT,
      ),
      CONTENT.k,
    );
    for (const id of ROW_IDS) {
      const row = present.indexOf(id);
      const expected =
        row < 0
          ? []
          : Array.from({ length: block.count[row] }, (_, s) => ({
              id: present[block.neighbour[row * block.k + s]],
              similarity: block.similarity[row * block.k + s],
              support: block.support[row * block.k + s],
            }));
      const actual = model
        .neighboursOf('item', id)!
        .map(({ id, similarity, support }) => ({ id, similarity, support }));
      expect(actual, id).toEqual(expected);
      // And each similarity is the reference TF-IDF cosine.
      for (const neighbour of actual)
        expect(neighbour.similarity).toBeCloseTo(referenceCosine(REFERENCE, id, neighbour.id), 12);
    }
    expect(model.neighboursOf('item', 'i3')).toEqual([]);
    expect(model.neighboursOf('item', 'c2')).toEqual([]);
  });

  it('recommends a cold item whose tags match the history, scored as Σ cosine·value, explained by shared terms', async () => {
    const model = await InMemoryModel.build(matrix, { spec: contentSpec, catalogue: CATALOGUE });
    // u5's history is i0 alone: item-based scores over content rows are the cosines with i0.
    const expected = ROW_IDS.filter((id) => id !== 'i0')
      .map((id) => ({ item: id, score: referenceCosine(REFERENCE, 'i0', id) }))
      .filter(({ score }) => score > 1e-12)
      .sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1));
    expect(expected.map(({ item }) => item)).toContain('c0');
    const result = model.recommendForUser('u5', { limit: 10 });
    expect(result.algorithm).toBe('item');
    expect(result.items.map(({ item }) => item)).toEqual(expected.map(({ item }) => item));
    result.items.forEach((rec, r) => expect(rec.score).toBeCloseTo(expected[r].score, 12));

    const cold = result.items.find(({ item }) => item === 'c0')!;
    const because = cold.because[0] as Contribution;
    expect(because.id).toBe('i0');
    expect(because.terms).toEqual(referenceSharedValues(REFERENCE, 'i0', 'c0'));
    expect(because.terms).toEqual(expect.arrayContaining(['jazz', 'live']));
    expect(explanationRecord(because)).toMatchObject({ id: 'i0', kind: 'item', terms: because.terms });
  });

  it('lists a cold item among a history item’s similar items, and gives the cold item similar items of its own', async () => {
    const model = await InMemoryModel.build(matrix, { spec: contentSpec, catalogue: CATALOGUE });
    expect(model.similarItems('i1')!.map(({ id }) => id)).toContain('c0');
    const ofCold = model.similarItems('c1')!;
    const expected = ROW_IDS.filter((id) => id !== 'c1' && referenceCosine(REFERENCE, 'c1', id) > 1e-12);
    expect(ofCold.map(({ id }) => id).sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(['i2', 'i4']));
    for (const neighbour of ofCold)
      expect(neighbour.terms).toEqual(referenceSharedValues(REFERENCE, 'c1', neighbour.id));
    // A posted history of a cold item alone is answered from its row.
    const fromCold = model.recommendForHistory([{ item: 'c0', value: 1 }], { limit: 3 });
    expect(fromCold.algorithm).toBe('item');
    expect(fromCold.items[0].item).toBe('i1');
    expect(model.similarItems('nope')).toBeUndefined();
  });

  it('keeps popularity to the interactions: no cold item is popular', async () => {
    const model = await InMemoryModel.build(matrix, { spec: contentSpec, catalogue: CATALOGUE });
    expect(model.popularity.map(({ item }) => item).sort()).toEqual([...ITEMS].sort());
  });

  it('refuses to build without catalogue entries, naming model', async () => {
    const refusal = await InMemoryModel.build(matrix, { spec: contentSpec }).catch((caught: unknown) => caught);
    expect(refusal).toMatchObject({ name: 'UserInputError', where: 'model' });
    expect((refusal as Error).message).toMatch(/model content needs the dataset's catalogue: upload uploads\//);
  });
});

describe('model hybrid {"model":"item-knn"} as its CF part', () => {
  const evidence = 2;
  // Not the grid's default (0.1): the rows must follow the spec's γ.
  const contentWeight = 0.7;
  const similarity = cosineTopK(10);
  const spec: ModelSpec = {
    model: 'hybrid',
    cf: { model: 'item-knn', similarity },
    content: CONTENT,
    contentWeight,
    evidence,
  };

  /**
   * The blend by hand: a matrix item's row keeps its CF weight and adds content × γ·β/(n_i + β)·max|cf row|, n_i
   * the candidate's interactions (counted from DENSE); a cold catalogue item's row is its content row.
   */
  function handRows(): Map<string, { id: string; w: number }[]> {
    const cfRows = topK(rowsOf(DENSE, ITEMS.length, 'items'), similarity);
    const interactions = (id: string): number => {
      const i = ITEMS.indexOf(id);
      return i < 0 ? 0 : DENSE.filter((row) => row[i] !== 0).length;
    };
    const rows = new Map<string, { id: string; w: number }[]>();
    ROW_IDS.forEach((j, jRow) => {
      const warm = jRow < ITEMS.length;
      const cf = new Map<string, number>();
      const cfRow = warm ? cfRows[jRow] : [];
      const maxAbs = Math.max(0, ...cfRow.map(({ similarity: s }) => Math.abs(s)));
      for (const { neighbour, similarity: s } of cfRow) cf.set(ITEMS[neighbour], s);
      const row: { id: string; w: number; index: number }[] = [];
      ROW_IDS.forEach((i, iRow) => {
        if (i === j) return;
        const content = referenceCosine(REFERENCE, j, i);
        const inContent = content > 1e-12;
        if (!cf.has(i) && !inContent) return;
        const contentPart = inContent ? content : 0;
        const w = warm
          ? (cf.get(i) ?? 0) + contentWeight * (evidence / (interactions(i) + evidence)) * maxAbs * contentPart
          : contentPart;
        if (w !== 0) row.push({ id: i, w, index: iRow });
      });
      row.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.index - b.index);
      rows.set(
        j,
        row.map(({ id, w }) => ({ id, w })),
      );
    });
    return rows;
  }

  it('blends each pair as computed by hand, and a cold item’s row is its content row', async () => {
    const model = await InMemoryModel.build(matrix, { spec, catalogue: CATALOGUE });
    expect(rowIdsOf(model)).toEqual(ROW_IDS);
    const expected = handRows();
    for (const j of ROW_IDS) {
      const actual = model.neighboursOf('item', j)!;
      expect(
        actual.map(({ id }) => id),
        j,
      ).toEqual(expected.get(j)!.map(({ id }) => id));
      actual.forEach((neighbour, s) => expect(neighbour.similarity).toBeCloseTo(expected.get(j)![s].w, 12));
    }
    // c0 has no interactions: its row is its content row.
    const contentModel = await InMemoryModel.build(matrix, { spec: contentSpec, catalogue: CATALOGUE });
    expect(model.neighboursOf('item', 'c0')!.map(({ id, similarity: s }) => [id, s])).toEqual(
      contentModel.neighboursOf('item', 'c0')!.map(({ id, similarity: s }) => [id, s]),
    );
  });

  it('sets terms only where the content part is > 0', async () => {
    const model = await InMemoryModel.build(matrix, { spec, catalogue: CATALOGUE });
    const row = model.neighboursOf('item', 'i1')!;
    // i1 and i3 share users (u1) but i3 has no entry: CF only, no terms. i1 and i0 share jazz.
    expect(row.find(({ id }) => id === 'i3')).toBeDefined();
    expect(row.find(({ id }) => id === 'i3')!.terms).toBeUndefined();
    expect(row.find(({ id }) => id === 'i0')!.terms).toEqual(referenceSharedValues(REFERENCE, 'i1', 'i0'));
  });
});

describe('buildModel with a catalogue', () => {
  const csv = (): Readable =>
    Readable.from(
      'user,item,rating\n' +
        DENSE.flatMap((row, u) => row.flatMap((v, i) => (v === 0 ? [] : [`u${u},${ITEMS[i]},${v}\n`]))).join(''),
    );

  it('builds model content over the matrix’s items and the cold catalogue items, as InMemoryModel.build does', async () => {
    const config = parseModelConfig({ model: 'content', content: { k: 10 }, evaluate: false });
    const built = await buildModel(csv(), { config, fileName: 'r.csv', catalogue: CATALOGUE });
    expect(built.spec).toEqual(contentSpec);
    // The file's first-seen item order, then the catalogue-only items.
    const { items } = built.model.matrix;
    const fileOrder = Array.from({ length: items.size }, (_, i) => items.idAt(i));
    expect(fileOrder).toEqual(['i0', 'i1', 'i3', 'i2', 'i4']);
    expect(rowIdsOf(built.model)).toEqual([...fileOrder, 'c0', 'c1', 'c2']);
    const direct = await InMemoryModel.build(built.model.matrix, { spec: contentSpec, catalogue: CATALOGUE });
    for (const id of ROW_IDS) expect(built.model.neighboursOf('item', id), id).toEqual(direct.neighboursOf('item', id));
    expect(built.model.similarItems('c0')!.length).toBeGreaterThan(0);
  });
});
