// Issue 8 point 7: a file most of whose lines are rejected must not become a model. Above `maxRejectedShare`
// (default 0.1) of the data rows rejected, ingest fails with a DataQualityError: a UserInputError that carries the
// data-quality report, so the build can still write it while the previous model keeps serving.
import { describe, expect, it } from 'vitest';
import { DataQualityError, DEFAULT_MAX_REJECTED_SHARE } from '../../functions/engine/ingest/index.js';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { buildModel } from '../../functions/engine/pipeline.js';
import { UserInputError } from '../../functions/engine/types.js';
import { load, streamOf } from './ingest-helpers.js';

/** `bad` lines of invalid UTF-8 ids among `good` lines, the bad ones first after one good line. */
function mostlyInvalid(good: number, bad: number): Buffer {
  const lines: Buffer[] = [Buffer.from('u0,i0,4\n')];
  for (let k = 0; k < bad; k++)
    lines.push(Buffer.concat([Buffer.from(`u${k}`), Buffer.from([0xff]), Buffer.from(',i,4\n')]));
  for (let k = 1; k < good; k++) lines.push(Buffer.from(`u${k},i${k % 7},3\n`));
  return Buffer.concat(lines);
}

async function failure(run: () => Promise<unknown>): Promise<DataQualityError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataQualityError);
  expect(error).toBeInstanceOf(UserInputError);
  return error as DataQualityError;
}

describe('the rejection threshold', () => {
  it('defaults to 0.1', () => {
    expect(DEFAULT_MAX_REJECTED_SHARE).toBe(0.1);
    expect(parseModelConfig({}).maxRejectedShare).toBe(0.1);
  });

  it('fails a file with 99.8% of its lines rejected (invalid UTF-8), with the report', async () => {
    const error = await failure(() => load(mostlyInvalid(1, 499), { fileName: 'events.csv' }));
    expect(error.message).toBe(
      'events.csv: 499 of 500 rows were rejected (99.8%), more than maxRejectedShare 0.1 (10%) allows — ' +
        "bad-id: 499 (e.g. line 2: user id 'u0\uFFFD' is not valid UTF-8)",
    );
    expect(error.where).toBe('events.csv');
    expect(error.hint).toMatch(/fix the rejected lines .* or raise maxRejectedShare/);
    expect(error.report).toMatchObject({ rowsRead: 500, accepted: 1, rejected: { 'bad-id': { count: 499 } } });
  });

  it('at exactly the threshold the file is accepted; one more rejected row fails it', async () => {
    // 10 of 100 rejected = 0.1: allowed. 11 of 100: not.
    const atLimit = await load(mostlyInvalid(90, 10));
    expect(atLimit.report.rowsRead).toBe(100);
    expect(atLimit.report.rejected['bad-id']?.count).toBe(10);
    const error = await failure(() => load(mostlyInvalid(89, 11)));
    expect(error.message).toMatch(/^input: 11 of 100 rows were rejected \(11\.0%\), more than maxRejectedShare 0\.1/);
  });

  it('is configurable: 0 refuses any rejected row, 1 accepts any file with one usable row', async () => {
    await failure(() => load(mostlyInvalid(99, 1), { maxRejectedShare: 0 }));
    const lenient = await load(mostlyInvalid(1, 499), { maxRejectedShare: 1 });
    expect(lenient.report.accepted).toBe(1);
  });

  it('a build from a config applies the config value (and the default)', async () => {
    const strict = parseModelConfig({ maxRejectedShare: 0.001 });
    await failure(() => buildModel(streamOf(mostlyInvalid(999, 2)), { config: strict, threads: 1 }));
    const built = await buildModel(streamOf(mostlyInvalid(999, 2)), { threads: 1 });
    expect(built.report.rejected['bad-id']?.count).toBe(2);
  });

  it('a config value outside 0..1 is refused by name', () => {
    expect(() => parseModelConfig({ maxRejectedShare: 1.5 })).toThrow(
      /maxRejectedShare: must be a number from 0 to 1 \(got 1\.5\)/,
    );
  });
});
