// Upload keys under uploads/ that cannot be a dataset (a file directly under uploads/, an empty or over-long
// dataset name, a folder marker) build nothing, but never silently: a WARN log line names the key, the reason and
// the fix, the IgnoredUploads metric counts them, and a report under reports/ignored-uploads/ tells a user who
// looks in the bucket (folder markers, which hold no data, get the log line and the metric only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DATASET_BYTES } from '../../functions/adapters/bucket-layout.js';
import { decodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';
import { runBuild } from '../../functions/model-build/run-build.js';
import { recordingLogger, recordingMetrics, s3Record } from '../support/build-recorders.js';
import { jobsOf, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack({ mode: 'capture' });
});
afterAll(async () => {
  await env?.stop();
});

const LONG_DATASET = 'd'.repeat(MAX_DATASET_BYTES + 1);
const MISTAKES = {
  'uploads/loose.csv': /directly under uploads\//,
  'uploads//nameless.csv': /empty dataset name/,
  [`uploads/${LONG_DATASET}/ratings.csv`]: new RegExp(`longer than ${MAX_DATASET_BYTES} bytes`),
};
const FOLDER_MARKER = 'uploads/shop/';
/** s3rver cannot store a key with an empty path segment (S3 can): its event is made here. */
const NOT_STORABLE_LOCALLY = 'uploads//nameless.csv';
/** Reports are named after the key, or a hash of it when the key holds '//' or would be too long. */
const REPORT_KEYS = {
  'uploads/loose.csv': 'reports/ignored-uploads/uploads/loose.csv.json',
  [NOT_STORABLE_LOCALLY]: /^reports\/ignored-uploads\/sha256-[0-9a-f]{32}\.json$/,
  [`uploads/${LONG_DATASET}/ratings.csv`]: `reports/ignored-uploads/uploads/${LONG_DATASET}/ratings.csv.json`,
};

describe('an upload key that cannot be a dataset', () => {
  it('is reported in a WARN log line, a metric and (unless it is a folder marker) a report object', async () => {
    const records = [];
    for (const key of [...Object.keys(MISTAKES), FOLDER_MARKER]) {
      if (key === NOT_STORABLE_LOCALLY) {
        records.push(s3Record(env.stack.bucket, key, { eTag: 'e', size: 16 }));
        continue;
      }
      await env.upload(key, 'user,item\nu1,i1\n');
      records.push(env.events.at(-1)!.Records[0]);
    }
    expect(env.events).toHaveLength(3);

    const logger = recordingLogger();
    const metrics = recordingMetrics();
    for (const record of records) {
      const outcome = await runBuild(record, { s3: env.s3, store: env.store, logger, metrics });
      expect(outcome).toMatchObject({ status: 'ignored', key: decodeS3EventKey(record.s3.object.key) });
    }

    expect(metrics.totals).toEqual({ IgnoredUploads: 4 });
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.key)).toEqual([...Object.keys(MISTAKES), FOLDER_MARKER]);
    for (const line of warnings) {
      expect(line.message).toBe('upload ignored: its key cannot be a dataset file');
      expect(line.fix).toMatch(/uploads\/<dataset>\/<file>|nothing to do/);
    }
    const folderWarning = warnings.find((line) => line.key === FOLDER_MARKER)!;
    expect(folderWarning.reason).toMatch(/folder marker/);
    expect(folderWarning.reportKey).toBeUndefined();

    for (const [key, reason] of Object.entries(MISTAKES)) {
      const warning = warnings.find((line) => line.key === key)!;
      expect(warning.reason).toMatch(reason);
      expect(warning.reportKey).toMatch(REPORT_KEYS[key]);
      const report = await env.getJson(warning.reportKey as string);
      expect(report).toMatchObject({
        status: 'ignored',
        bucket: env.stack.bucket,
        key,
        reason: warning.reason,
        fix: warning.fix,
      });
      expect(report?.fix).toMatch(/uploads\/<dataset>\/<file>/);
    }
    expect(await env.getJson(`reports/ignored-uploads/${FOLDER_MARKER}.json`)).toBeUndefined();
    // Nothing was built and no job was recorded.
    expect(await jobsOf(env, 'shop')).toEqual([]);
  });

  it('gets its report through the deployed build handler too', async () => {
    env.mode = 'build';
    await env.upload('uploads/also-loose.tsv', 'user\titem\nu1\ti1\n');
    expect(env.stack.bridge.failed).toEqual([]);
    expect(await env.getJson('reports/ignored-uploads/uploads/also-loose.tsv.json')).toMatchObject({
      status: 'ignored',
      key: 'uploads/also-loose.tsv',
    });
  });
});
