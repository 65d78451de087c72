// Issue 8 point 5: ingest limits. Past a limit (decompressed bytes, rows, distinct users or items, or the estimated
// memory of the build) ingest stops reading at once, destroys the source stream and throws an IngestLimitError (a
// UserInputError) naming the limit, the value reached and how to raise it. The build's limits are the lower of the
// deployment's and the dataset's (config.json `limits`).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IngestLimitError,
  limitsForMemory,
  loadRatings,
  type IngestLimits,
  type IngestOptions,
} from '../../functions/engine/ingest/index.js';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { buildModel } from '../../functions/engine/pipeline.js';
import { UserInputError } from '../../functions/engine/types.js';
import { bombInflatedBytes, bombStream, gzipBomb } from './ingest-bomb-helpers.js';
import { streamOf } from './ingest-helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'affinity-ingest-limits-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function limitError(run: () => Promise<unknown>): Promise<IngestLimitError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestLimitError);
  expect(error).toBeInstanceOf(UserInputError);
  return error as IngestLimitError;
}

/** `users` × `itemsPerUser` distinct (user, item) rows, ids u<k> and i<k>. */
function ratings(users: number, itemsPerUser: number): string {
  const lines: string[] = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < itemsPerUser; i++) lines.push(`u${u},i${i},4`);
  return lines.join('\n') + '\n';
}

function loadWith(content: string | Buffer, limits: IngestLimits, options: IngestOptions = {}) {
  return loadRatings(streamOf(content), { ...options, limits });
}

describe('count limits: the first row past the limit stops the parse', () => {
  it('maxRows counts data rows (rejected ones too); the limit itself is allowed', async () => {
    const text = ratings(10, 100); // 1000 rows
    expect((await loadWith(text, { maxRows: 1000 })).report.rowsRead).toBe(1000);
    const error = await limitError(() => loadWith(text, { maxRows: 999 }, { fileName: 'big.csv' }));
    expect(error.limit).toBe('maxRows');
    expect(error.value).toBe(999);
    expect(error.reached).toBe(1000);
    expect(error.message).toBe('big.csv exceeds the maxRows limit: 1,000 rows read (at line 1,000), the limit is 999');
    expect(error.where).toBe('big.csv:1000');
    expect(error.hint).toBe('raise limits.maxRows in the dataset config, or split the file into smaller uploads');
  });

  it('maxUsers and maxItems count distinct ids', async () => {
    const text = ratings(5, 4); // 5 users, 4 items
    expect((await loadWith(text, { maxUsers: 5, maxItems: 4 })).report.accepted).toBe(20);
    const users = await limitError(() => loadWith(text, { maxUsers: 4 }));
    expect([users.limit, users.reached]).toEqual(['maxUsers', 5]);
    expect(users.message).toBe('input exceeds the maxUsers limit: 5 distinct users (at line 17), the limit is 4');
    const items = await limitError(() => loadWith(text, { maxItems: 3 }));
    expect([items.limit, items.reached]).toEqual(['maxItems', 4]);
    expect(items.message).toMatch(/: 4 distinct items \(at line 4\), the limit is 3$/);
  });
});

describe('maxBytes: decompressed bytes', () => {
  it('stops a gzip bomb of unknown size just past the limit, without inflating the rest', async () => {
    const bomb = gzipBomb(16); // 128 MiB inflated, 200 KB of gzip
    const limit = 24 << 20;
    const source = bombStream(bomb);
    const started = performance.now();
    const error = await limitError(() => loadRatings(source, { fileName: 'bomb.csv.gz', limits: { maxBytes: limit } }));
    expect(error.limit).toBe('maxBytes');
    expect(error.reached).toBeGreaterThan(limit);
    expect(error.reached).toBeLessThanOrEqual(limit + (1 << 20));
    expect(error.message).toMatch(
      /^bomb\.csv\.gz exceeds the maxBytes limit: [\d,]+ bytes after decompression \(at line [\d,]+\), the limit is 25,165,824$/,
    );
    expect(source.destroyed).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('counts plain input too (bytes before any line is complete count)', async () => {
    const error = await limitError(() => loadWith(ratings(100, 10), { maxBytes: 1000 }));
    expect(error.limit).toBe('maxBytes');
  });
});

describe('maxMemoryMb: the memory estimate, checked from the first chunk', () => {
  it('projects a gzip of known size through its inflation ratio and fails within the first MiBs', async () => {
    const bomb = gzipBomb(128); // the bomb: 1.5 MB of gzip, 1 GiB and 179 million rows inflated
    expect(bombInflatedBytes(128)).toBe(1 << 30);
    const source = bombStream(bomb);
    const error = await limitError(() =>
      loadRatings(source, {
        fileName: 'bomb.csv.gz',
        expectedBytes: bomb.length, // what the build knows: the S3 object's size
        limits: { maxMemoryMb: 2000, maxRows: 1e9, maxBytes: 1e12 },
      }),
    );
    expect(error.limit).toBe('maxMemoryMb');
    expect(error.value).toBe(2000);
    expect(error.reached).toBeGreaterThan(2000);
    expect(error.bytesRead).toBeLessThanOrEqual(4 << 20);
    expect(error.message).toMatch(
      /^bomb\.csv\.gz exceeds the maxMemoryMb limit: building it would take an estimated [\d,]+ MB \(about [\d,]+ rows; the gzip inflates [\d,]+× so far\) \(at line [\d,]+\), the limit is 2,000 MB$/,
    );
    expect(source.destroyed).toBe(true);
  });

  it('projects a plain file from its size and the bytes per row so far', async () => {
    const path = join(directory, 'plain.csv');
    writeFileSync(path, ratings(200, 500)); // 100,000 rows, ~1.3 MB: about 8 MB by the default cost per row
    expect((await loadRatings(path, { limits: { maxMemoryMb: 64 } })).report.accepted).toBe(100_000);
    const error = await limitError(() => loadRatings(path, { limits: { maxMemoryMb: 1 } }));
    expect(error.limit).toBe('maxMemoryMb');
    expect(error.message).toMatch(/estimated [\d,]+ MB \(about [\d,]+ rows; [\d,]+ bytes per row so far\)/);
  });

  it('closes the file when a limit stops the parse midway', async () => {
    const path = join(directory, 'rows.csv');
    writeFileSync(path, ratings(300, 1000));
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let k = 0; k < 3; k++) await limitError(() => loadRatings(path, { limits: { maxRows: 10 } }));
    expect(openFiles()).toBe(before);
  });
});

describe('the build: deployment limits, lowered per dataset', () => {
  const text = ratings(20, 50); // 1000 rows, 20 users, 50 items

  it('defaults fit the build function memory (3008 MB)', () => {
    expect(limitsForMemory(3008)).toEqual({
      maxMemoryMb: 2406,
      maxRows: 31_000_000,
      maxUsers: 9_800_000,
      maxItems: 9_800_000,
      maxBytes: 3_900_000_000,
    });
    expect(limitsForMemory(10_240).maxRows).toBe(100_000_000);
  });

  it('the deployment limit applies when the dataset sets none, and its hint names the deployment setting', async () => {
    const error = await limitError(() =>
      buildModel(streamOf(text), { deploymentLimits: { maxRows: 500 }, threads: 1 }),
    );
    expect([error.limit, error.value]).toEqual(['maxRows', 500]);
    expect(error.hint).toBe(
      "this is the deployment's limit: raise MAX_INPUT_ROWS in the build function's environment (CDK context buildMaxInputRows), or split the file into smaller uploads",
    );
  });

  it('a dataset may lower a limit; its hint names config.json', async () => {
    const config = parseModelConfig({ limits: { maxUsers: 10 } });
    const error = await limitError(() =>
      buildModel(streamOf(text), { config, deploymentLimits: { maxUsers: 1000 }, threads: 1 }),
    );
    expect([error.limit, error.value]).toEqual(['maxUsers', 10]);
    expect(error.hint).toBe(
      "raise limits.maxUsers in the dataset's config.json (the deployment allows up to 1,000), or split the file into smaller uploads",
    );
  });

  it("a dataset value above the deployment's does not raise it", async () => {
    const config = parseModelConfig({ limits: { maxItems: 1_000_000 } });
    const error = await limitError(() =>
      buildModel(streamOf(text), { config, deploymentLimits: { maxItems: 40 }, threads: 1 }),
    );
    expect([error.limit, error.value]).toEqual(['maxItems', 40]);
  });

  it('config limits are validated by name', () => {
    expect(() => parseModelConfig({ limits: { maxRows: 0 } })).toThrow(/limits\.maxRows: must be a whole number >= 1/);
    expect(() => parseModelConfig({ limits: { maxRow: 5 } })).toThrow(/invalid model configuration/);
  });

  it('the estimate includes the neighbour rows of the configured model kinds', async () => {
    // 20 users x 50 items: with k = 500 the item rows alone cost 50 x 500 x 16 bytes = 400 KB; a 1 MB budget holds
    // them with item rows only, not with user rows too when users are many.
    const wide = ratings(2000, 1); // 2000 users, 1 item
    const config = parseModelConfig({ k: 500, models: ['item', 'user'] });
    const error = await limitError(() =>
      buildModel(Readable.from([Buffer.from(wide)]), { config, deploymentLimits: { maxMemoryMb: 1 }, threads: 1 }),
    );
    expect(error.limit).toBe('maxMemoryMb');
    const itemOnly = parseModelConfig({ k: 500, models: ['item'] });
    const built = await buildModel(Readable.from([Buffer.from(wide)]), {
      config: itemOnly,
      deploymentLimits: { maxMemoryMb: 1 },
      threads: 1,
    });
    expect(built.report.users).toBe(2000);
  });
});
