// Pseudonymised ingest (functions/engine/ingest/pseudonymize-users.ts, withheld-text.ts): the loaded matrix holds
// keyed pseudonyms only, is otherwise the matrix of the raw file, and no report or message quotes the input.
// Expected pseudonyms come from node:crypto's HMAC directly; the raw ids hold '@' and '.', which no pseudonym
// (p_ + base64url) can contain, so a substring search for them cannot match by chance.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSources, type IngestOptions, type InteractionSource } from '../../functions/engine/ingest/index.js';
import { buildModel, parseModelConfig } from '../../functions/engine/pipeline.js';
import { UserInputError, type IdDictionaryView } from '../../functions/engine/types.js';
import { entries, load, streamOf } from './ingest-helpers.js';

const KEY = new Uint8Array(40).fill(9);
const PSEUDONYMIZE: IngestOptions = { pseudonymizeUsers: { key: KEY } };
const hmac = (id: string) => `p_${createHmac('sha256', KEY).update(id, 'utf8').digest('base64url')}`;

const RAW = ['ada@lovelace.org', 'alan.turing@bletchley', 'grace+hopper@navy.mil'];
const FILE = `user,item,rating,timestamp\n${RAW[0]},i1,4,10\n${RAW[1]},i1,5,20\n${RAW[0]},i2,3,30\n${RAW[2]},i3,1,40\n${RAW[1]},i2,2,50\n`;

const idsOf = (ids: IdDictionaryView) => Array.from({ length: ids.size }, (_, k) => ids.idAt(k));

/** Every raw id, or any 6-character piece of one (a shortened quote), found in `text`. */
function rawIdsIn(text: string, ids: readonly string[]): string[] {
  const found: string[] = [];
  for (const id of ids) {
    for (let k = 0; k + 6 <= id.length; k++) if (text.includes(id.slice(k, k + 6))) found.push(id.slice(k, k + 6));
    if (text.includes(JSON.stringify(id).slice(1, -1))) found.push(id);
  }
  return found;
}

describe('pseudonymised ingest', () => {
  it('replaces every user id by its keyed pseudonym and leaves the rest of the matrix as the raw file gives it', async () => {
    const raw = await load(FILE);
    const pseudonymized = await load(FILE, PSEUDONYMIZE);
    expect(idsOf(pseudonymized.matrix.users)).toEqual(idsOf(raw.matrix.users).map(hmac));
    // The same users in the same order: the CSR arrays are identical, the entries differ only in the user id.
    expect(pseudonymized.matrix.byUser).toEqual(raw.matrix.byUser);
    expect(pseudonymized.matrix.byItem).toEqual(raw.matrix.byItem);
    expect(idsOf(pseudonymized.matrix.items)).toEqual(idsOf(raw.matrix.items));
    expect(entries(pseudonymized.matrix)).toEqual(
      entries(raw.matrix)
        .map((entry) => {
          const [user, ...rest] = entry.split('|');
          return [hmac(user), ...rest].join('|');
        })
        .sort(),
    );
    expect(pseudonymized.report.privacy).toMatchObject({ userIds: 'pseudonymized', inputText: 'withheld' });
    expect(raw.report.privacy).toBeUndefined();
    expect(rawIdsIn(JSON.stringify(pseudonymized.report), RAW)).toEqual([]);
  });

  it('keeps ids that are pseudonyms already and merges an id with its own pseudonym into one user', async () => {
    const ada = hmac(RAW[0]);
    // A folded live event of ada (stored id) and ada's own row (raw id): one user with both items; the pair
    // (ada, i1) twice: the later timestamp wins (value 5).
    const { matrix, report } = await load(`u,i,r,t\n${RAW[0]},i1,4,10\n${ada},i2,3,20\n${ada},i1,5,30\n`, PSEUDONYMIZE);
    expect(entries(matrix)).toEqual([`${ada}|i1|5 @30`, `${ada}|i2|3 @20`]);
    expect(report).toMatchObject({ users: 1, ratings: 2, duplicatesDropped: 1 });
  });

  it('hashes across files: a user of two files is one pseudonym', async () => {
    const file = (name: string, content: string): InteractionSource => ({
      name,
      open: () => Promise.resolve(streamOf(content)),
    });
    const { matrix, report } = await loadSources(
      [file('a.csv', `${RAW[0]},i1,1\n${RAW[1]},i1,1\n`), file('b.csv', `${RAW[0]},i2,1\n`)],
      PSEUDONYMIZE,
    );
    expect(entries(matrix)).toEqual([`${hmac(RAW[0])}|i1|1`, `${hmac(RAW[0])}|i2|1`, `${hmac(RAW[1])}|i1|1`].sort());
    expect(report.privacy?.userIds).toBe('pseudonymized');
  });
});

describe('input text withheld', () => {
  const long = `${RAW[0]}${'x'.repeat(300)}`;
  // One bad line per rejection reason a CSV can have, each carrying a raw id (or the whole line).
  const BAD = [
    'user,item,rating,timestamp',
    `${RAW[0]},i1,4,10`,
    `${RAW[1]},i2,5,20`,
    `${RAW[2]},i3,2,30`,
    `${RAW[0]},i4,3,40`,
    `${RAW[1]},i1,not-${RAW[1]},50`, // bad-rating quoting a value
    `${RAW[2]},i2,4,when-${RAW[2]}`, // bad-timestamp
    `${long},i1,4,60`, // id-too-long
    `${RAW[0]}`, // missing-field
    `${RAW[1]},i3,"4" ${RAW[1]},70`, // bad-quoting
    `${RAW[2]},i4,1,80,extra-${RAW[2]}`, // extra fields (a warning)
  ].join('\n');
  const ALL = [...RAW, long];

  it('quotes no input in rejection examples and warnings, and does so only for pseudonymised parses', async () => {
    const options = { maxRejectedShare: 1 };
    const plain = await load(BAD, options);
    const withheld = await load(BAD, { ...options, ...PSEUDONYMIZE });
    expect(Object.keys(withheld.report.rejected).sort()).toEqual(
      ['bad-quoting', 'bad-rating', 'bad-timestamp', 'id-too-long', 'missing-field'].sort(),
    );
    // The test can fail: the same file without the option quotes the raw ids.
    expect(rawIdsIn(JSON.stringify(plain.report), ALL).length).toBeGreaterThan(0);
    expect(rawIdsIn(JSON.stringify(withheld.report), ALL)).toEqual([]);
    expect(withheld.report.rejected['bad-rating']?.example).toBe('line 6: rating <withheld> is not a number');
    // JSON Lines: a record that is not JSON (V8's message quotes it) and one that is not an object.
    const jsonl = `{"user":"u","item":"i"}\n[${RAW[1]}]\n"${RAW[2]}"\n`;
    expect(
      rawIdsIn(JSON.stringify((await load(jsonl, { ...options, fileName: 'x.jsonl' })).report), RAW).length,
    ).toBeGreaterThan(0);
    const jsonlWithheld = await load(jsonl, { ...options, fileName: 'x.jsonl', ...PSEUDONYMIZE });
    expect(jsonlWithheld.report.rejected['bad-json']?.count).toBe(2);
    expect(rawIdsIn(JSON.stringify(jsonlWithheld.report), RAW)).toEqual([]);
    expect(withheld.report.warnings.join('\n')).toContain('<withheld>');
    // The counts and line numbers are those of the plain parse.
    expect(withheld.report.rejected).toEqual(
      Object.fromEntries(
        Object.entries(plain.report.rejected).map(([reason, r]) => [reason, { ...r, example: expect.any(String) }]),
      ),
    );
  });

  it('is a setting of each parse: concurrent parses with and without it do not mix', async () => {
    // Chunks of 7 bytes: both parses wait on their streams many times, interleaved.
    const [plain, withheld] = await Promise.all([
      load(BAD, { maxRejectedShare: 1 }, 7),
      load(BAD, { maxRejectedShare: 1, ...PSEUDONYMIZE }, 7),
    ]);
    expect(rawIdsIn(JSON.stringify(plain.report), ALL).length).toBeGreaterThan(0);
    expect(rawIdsIn(JSON.stringify(withheld.report), ALL)).toEqual([]);
  });

  it('quotes no input in the errors that stop a parse', async () => {
    const failures: [string, string, IngestOptions][] = [
      // The first line does not fit the declared format.
      ['declared JSON Lines', `${RAW[0]},i1,4\n`, { format: 'jsonl' }],
      // Not valid JSON on the first line of a .jsonl file, and a first record that is not an object.
      ['bad JSON', `[${RAW[0]}]\n`, { fileName: 'x.jsonl' }],
      ['not an object', `"${RAW[0]}"\n`, { fileName: 'x.jsonl' }],
      // No usable rows: the error lists an example of each reason.
      ['no usable rows', `u,i,r\n${RAW[0]},i1,bad-${RAW[0]}\n`, {}],
      // An unknown column: the error lists the header, which may be a data line.
      ['unknown column', `${RAW[0]},i1,x\n${RAW[1]},i2,y\n`, { header: true, columns: { user: 'who' } }],
      ['no format', `${RAW[0]}\n`, { fileName: 'x.bin' }],
    ];
    for (const [what, content, options] of failures) {
      const plain = await load(content, options).catch((error: unknown) => error);
      const withheld = await load(content, { ...options, ...PSEUDONYMIZE }).catch((error: unknown) => error);
      expect(plain, what).toBeInstanceOf(UserInputError);
      expect(withheld, what).toBeInstanceOf(UserInputError);
      const text = (error: unknown) => JSON.stringify({ ...(error as UserInputError), message: String(error) });
      expect(rawIdsIn(text(plain), RAW).length, `${what} (plain)`).toBeGreaterThan(0);
      expect(rawIdsIn(text(withheld), RAW), what).toEqual([]);
    }
  });
});

describe('the build option', () => {
  it('is validated and off by default', () => {
    expect(parseModelConfig({}).pseudonymizeUsers).toBe(false);
    expect(parseModelConfig({ pseudonymizeUsers: true }).pseudonymizeUsers).toBe(true);
    expect(() => parseModelConfig({ pseudonymizeUsers: 'yes' })).toThrow(
      /pseudonymizeUsers: must be true or false \(got "yes"\)/,
    );
  });

  it('never builds raw: without a key the build fails before reading anything', async () => {
    const error = await buildModel(streamOf(FILE), {
      config: parseModelConfig({ pseudonymizeUsers: true, model: 'item-knn' }),
      fileName: 'r.csv',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect(error).toMatchObject({ where: 'pseudonymizeUsers', message: expect.stringMatching(/no id hashing key/) });
  });

  it('with a key, builds the model of the raw file under pseudonyms', async () => {
    const config = parseModelConfig({ pseudonymizeUsers: true, model: 'user-knn', k: 5 });
    const raw = await buildModel(streamOf(FILE), {
      config: { ...config, pseudonymizeUsers: false },
      fileName: 'r.csv',
    });
    const built = await buildModel(streamOf(FILE), { config, fileName: 'r.csv', idHashKey: KEY });
    for (const id of RAW) {
      expect(built.model.neighboursOf('user', hmac(id))).toEqual(
        raw.model.neighboursOf('user', id)?.map((n) => ({ ...n, id: hmac(n.id) })),
      );
      expect(built.model.recommendForUser(hmac(id), { algorithm: 'user' }).items).toEqual(
        raw.model.recommendForUser(id, { algorithm: 'user' }).items,
      );
    }
  });
});
