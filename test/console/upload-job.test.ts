import { describe, expect, it } from 'vitest';
import { uploadKey } from '../../functions/adapters/bucket-layout.js';
import {
  CATALOGUE_NAME,
  uploadJob,
  uploadName,
  uploadPath,
  uploadStatusText,
} from '../../functions/console/upload-job.js';
import type { JobWithSource, UploadReceipt } from '../../functions/console/upload-job.js';
import { CATALOGUE_FILE, parseUploadKey } from '../../functions/model-build/upload-key.js';

const job = (
  jobId: string,
  key: string,
  eTag: string | undefined,
  extra: Partial<JobWithSource> = {},
): JobWithSource => ({
  jobId,
  status: 'running',
  source: { key, ...(eTag !== undefined && { eTag }) },
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  ...extra,
});

describe('upload names', () => {
  it('uses the same catalogue names as the build', () => {
    expect(CATALOGUE_NAME.source).toBe(CATALOGUE_FILE.source);
  });

  it('names each kind so the build classifies the key as that kind', () => {
    const cases: [Parameters<typeof uploadName>[0], string, string, 'ratings' | 'catalogue' | 'config'][] = [
      ['interactions', 'ratings.csv', 'ratings.csv', 'ratings'],
      ['interactions', 'events 2026.jsonl.gz', 'events 2026.jsonl.gz', 'ratings'],
      ['catalogue', 'items.tsv', 'items.tsv', 'catalogue'],
      ['catalogue', 'movies.csv', 'items.csv', 'catalogue'],
      ['catalogue', 'Shop.JSONL.gz', 'items.jsonl.gz', 'catalogue'],
      ['config', 'my-config.json', 'config.json', 'config'],
      ['config', 'config.json', 'config.json', 'config'],
    ];
    for (const [kind, file, expected, built] of cases) {
      const result = uploadName(kind, file);
      expect(result, file).toMatchObject({ ok: true, name: expected });
      if (!result.ok) continue;
      expect(parseUploadKey(uploadKey('shop', result.name)).kind, file).toBe(built);
    }
    expect(uploadName('catalogue', 'movies.csv')).toMatchObject({ note: expect.stringContaining('items.csv') });
  });

  it('refuses what would end up as the wrong kind, with the reason', () => {
    expect(uploadName('catalogue', 'items.xlsx')).toEqual({
      ok: false,
      error: 'A catalogue is a .csv, .tsv or .jsonl file (optionally .gz); "items.xlsx" is none of these.',
    });
    expect(uploadName('config', 'config.yaml')).toMatchObject({ ok: false });
    expect(uploadName('interactions', 'items.csv')).toMatchObject({
      ok: false,
      error: expect.stringContaining('catalogue'),
    });
    expect(uploadName('interactions', 'config.json')).toMatchObject({
      ok: false,
      error: expect.stringContaining('config'),
    });
    expect(uploadName('interactions', '  ')).toEqual({ ok: false, error: 'Choose a file to upload.' });
  });

  it('encodes the dataset and the name each as one path segment', () => {
    expect(uploadPath('my/data', 'a b#1.csv')).toBe('/console/uploads/my%2Fdata/a%20b%231.csv');
  });
});

describe('the job of an upload', () => {
  const receipt = { key: 'uploads/d/r.csv', eTag: '"abc"' };

  it('is the job with the same key and ETag, quoted or bare', () => {
    const jobs = [job('newer-other', 'uploads/d/other.csv', 'abc'), job('mine', 'uploads/d/r.csv', 'abc')];
    expect(uploadJob(jobs, receipt)?.jobId).toBe('mine');
    expect(uploadJob([job('quoted', 'uploads/d/r.csv', '"abc"')], receipt)?.jobId).toBe('quoted');
  });

  it('is never an older upload of the same key, nor a job without an ETag', () => {
    expect(uploadJob([job('old', 'uploads/d/r.csv', 'zzz')], receipt)).toBeUndefined();
    expect(uploadJob([job('unknown', 'uploads/d/r.csv', undefined)], receipt)).toBeUndefined();
    expect(uploadJob([], receipt)).toBeUndefined();
  });
});

describe('the upload status line', () => {
  const receipt: UploadReceipt = { bucket: 'b', key: 'uploads/d/r.csv', eTag: '"e"', kind: 'ratings' };
  const now = Date.parse('2026-01-01T00:00:10.000Z');

  it('follows the build: waiting, then phase and progress', () => {
    expect(uploadStatusText({ step: 'waiting', receipt }, now)).toBe(
      'Uploaded uploads/d/r.csv; waiting for its build to start…',
    );
    expect(
      uploadStatusText(
        {
          step: 'waiting',
          receipt,
          job: job('j', receipt.key, 'e', { progress: { phase: 'parse', done: 5, total: 10 } }),
        },
        now,
      ),
    ).toBe('Build running: parse 5 / 10, 10 s elapsed.');
  });

  it('ends with the status word, and the version on success or the error on failure', () => {
    const finishedAt = '2026-01-01T00:00:04.000Z';
    const succeeded = job('j', receipt.key, 'e', { status: 'succeeded', version: 'v7', finishedAt });
    expect(uploadStatusText({ step: 'done', receipt, job: succeeded }, now)).toBe(
      'Build succeeded in 4 s: version v7 is active.',
    );
    const failed = job('j', receipt.key, 'e', {
      status: 'failed',
      finishedAt,
      error: { message: 'no usable rows', where: 'uploads/d/r.csv', hint: 'check the columns' },
    });
    expect(uploadStatusText({ step: 'done', receipt, job: failed }, now)).toBe(
      'Build failed: no usable rows (at uploads/d/r.csv). How to fix: check the columns',
    );
  });

  it('says a config starts no build', () => {
    expect(
      uploadStatusText({ step: 'done', receipt: { ...receipt, key: 'uploads/d/config.json', kind: 'config' } }, now),
    ).toBe("Uploaded uploads/d/config.json. A config starts no build: the next data upload's build reads it.");
  });
});
