import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SHARDS,
  datasetPk,
  entityRowKey,
  escapeKeyPart,
  jobKey,
  manifestKey,
  modelPartition,
  shardOf,
  versionPartitions,
} from '../../functions/adapters/dynamo/keys.js';
import { UserInputError } from '../../functions/engine/types.js';

/** Independent inverse: '%uXXXX' for lone surrogates, otherwise decodeURIComponent. */
function unescapeKeyPart(escaped: string): string {
  return escaped
    .split(/(%u[0-9A-F]{4})/)
    .map((part) =>
      part.startsWith('%u') ? String.fromCharCode(parseInt(part.slice(2), 16)) : decodeURIComponent(part),
    )
    .join('');
}

const ATTACK_IDS = [
  '',
  '#',
  '%23',
  '%',
  'a#b',
  'a%23b',
  'ds#other',
  'r#x',
  '/',
  '../x',
  '日本語',
  '😀',
  '\u0000',
  '\ud800',
  '\udc00x',
  'x'.repeat(256),
];

describe('escapeKeyPart', () => {
  it('never emits "#" and is reversible (hence injective) for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeKeyPart(value);
        expect(escaped).not.toContain('#');
        expect(unescapeKeyPart(escaped)).toBe(value);
      }),
      { numRuns: 500 },
    );
    for (const id of ATTACK_IDS) expect(unescapeKeyPart(escapeKeyPart(id))).toBe(id);
  });

  it('escapes the separator and the escape character by hand-checked values', () => {
    expect(escapeKeyPart('a#b')).toBe('a%23b');
    expect(escapeKeyPart('%23')).toBe('%2523');
    expect(escapeKeyPart('\ud800')).toBe('%uD800');
    expect(escapeKeyPart('é')).toBe('%C3%A9');
  });
});

describe('key layout', () => {
  it('gives distinct rows to every (dataset, version, kind, id) tuple built from attack strings', () => {
    const seen = new Map<string, string>();
    const parts = ['a', 'a#b', 'b', '#', '%23', 'a#i#0'];
    for (const dataset of parts) {
      for (const version of parts) {
        for (const kind of ['i', 'u', 'h'] as const) {
          for (const id of ATTACK_IDS) {
            const key = entityRowKey(dataset, version, kind, id)!;
            const address = `${key.pk}\n${key.sk}`;
            const tuple = JSON.stringify([dataset, version, kind, id]);
            expect(seen.get(address) ?? tuple).toBe(tuple);
            seen.set(address, tuple);
          }
        }
      }
    }
    expect(seen.size).toBe(6 * 6 * 3 * ATTACK_IDS.length);
  });

  it('keeps dataset rows apart from other datasets and jobs apart from the manifest', () => {
    expect(datasetPk('a')).not.toBe(datasetPk('a#b'));
    expect(manifestKey('a').pk).toBe('ds#a');
    expect(manifestKey('a#b').pk).toBe('ds#a%23b');
    expect(jobKey('a', 'manifest').sk).not.toBe(manifestKey('a').sk);
    expect(modelPartition('a', 'b#c', 'i', 3)).toBe('m#a#b%23c#i#3');
    expect(modelPartition('a#b', 'c', 'i', 3)).toBe('m#a%23b#c#i#3');
  });

  it('keeps every id of up to 256 bytes within the sort key limit; longer escaped keys are absent', () => {
    // Escaping turns each UTF-8 byte into at most 3 characters: 256 bytes -> at most 768, always a valid key.
    expect(entityRowKey('d', 'v', 'i', '#'.repeat(256))?.sk.length).toBe(2 + 256 * 3);
    expect(entityRowKey('d', 'v', 'i', '日'.repeat(85))?.sk.length).toBe(2 + 85 * 9);
    // 400 ASCII '#' escape to 1,200 bytes > 1,024: cannot be a key; reads say "absent", writes say why.
    expect(entityRowKey('d', 'v', 'i', '#'.repeat(400))).toBeUndefined();
  });

  it('rejects over-long dataset names as user input', () => {
    expect(() => datasetPk('x'.repeat(3000))).toThrow(UserInputError);
  });

  it('spreads ids over all shards, deterministically', () => {
    const counts = new Array<number>(SHARDS).fill(0);
    for (let i = 0; i < 1600; i++) counts[shardOf(escapeKeyPart(`item-${i}`))]++;
    for (const count of counts) expect(count).toBeGreaterThan(50); // 100 expected per shard
    expect(shardOf('abc')).toBe(shardOf('abc'));
    // FNV-1a 32-bit of "a" is 0xe40c292c (published test vector): 3826002220 % 16 = 12.
    expect(shardOf('a')).toBe(0xe40c292c % 16);
  });

  it('enumerates every partition a version can use', () => {
    const partitions = versionPartitions('d', 'v');
    expect(partitions).toHaveLength(4 * SHARDS + 1);
    expect(new Set(partitions).size).toBe(partitions.length);
    for (const id of ATTACK_IDS) {
      for (const kind of ['i', 'u', 'h', 'c'] as const)
        expect(partitions).toContain(entityRowKey('d', 'v', kind, id)!.pk);
    }
  });
});
