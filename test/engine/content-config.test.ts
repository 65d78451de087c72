import { describe, expect, it } from 'vitest';
import { resolveContentOptions } from '../../functions/engine/content/index.js';
import { UserInputError } from '../../functions/engine/types.js';

function rejection(input: unknown): UserInputError {
  try {
    resolveContentOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('ContentOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveContentOptions(undefined)).toEqual({
      fields: { title: 2, text: 1, tags: 1, categories: 1, series: 1, attributes: 1 },
      scheme: 'tfidf',
      k: 50,
      minDf: 2,
      maxDfShare: 0.5,
    });
    expect(resolveContentOptions({ fields: { text: 3 } }).fields).toEqual({
      title: 2,
      text: 3,
      tags: 1,
      categories: 1,
      series: 1,
      attributes: 1,
    });
  });

  it('accepts BM25 with its constants, and per-attribute weights', () => {
    const o = resolveContentOptions({ scheme: 'bm25', bm25: { k1: 2 }, fields: { attributes: { mood: 2, era: 0 } } });
    expect(o.bm25).toEqual({ k1: 2, b: 0.75 });
    expect(o.fields.attributes).toEqual({ mood: 2, era: 0 });
  });

  it('names the field, the rule and the value of each problem', () => {
    const error = rejection({ k: 0, fields: { title: -1 } });
    expect(error.message).toContain('k: must be an integer from 1 to 500 (got 0)');
    expect(error.message).toContain('fields.title: must be a number from 0 to 100 (0 leaves the field out) (got -1)');
    expect(error.where).toBe('content');
  });

  it('rejects unknown keys, in the options and in fields', () => {
    expect(rejection({ neighbours: 5 }).message).toMatch(/neighbours/);
    expect(rejection({ fields: { body: 1 } }).message).toMatch(/body/);
  });

  it('rejects all weights 0, a bad scheme, bm25 constants without bm25, and bad df bounds', () => {
    expect(
      rejection({ fields: { title: 0, text: 0, tags: 0, categories: 0, series: 0, attributes: {} } }).message,
    ).toContain('must give at least one field a weight above 0');
    expect(rejection({ scheme: 'bm42' }).message).toContain('scheme: must be tfidf or bm25 (got "bm42")');
    expect(rejection({ bm25: { k1: 1 } }).message).toContain('bm25: is read only with "scheme": "bm25"');
    expect(rejection({ scheme: 'bm25', bm25: { b: 2 } }).message).toContain('bm25.b: must be a number from 0 to 1');
    expect(rejection({ minDf: 0 }).message).toContain('minDf: must be an integer >= 1');
    expect(rejection({ maxDfShare: 0 }).message).toContain('maxDfShare: must be a number > 0, at most 1');
    expect(rejection({ fields: { attributes: { mood: 101 } } }).message).toContain('fields.attributes');
  });

  it('accepts one positive attribute weight as the only field', () => {
    const fields = { title: 0, text: 0, tags: 0, categories: 0, series: 0, attributes: { mood: 1 } };
    expect(resolveContentOptions({ fields }).fields).toEqual(fields);
  });
});
