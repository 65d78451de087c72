/**
 * The upload page's logic: which object name a dropped file goes to, and which build job is that upload's.
 * Pure; tested in test/console/upload-job.test.ts.
 *
 * Safety properties (each tested):
 * - A catalogue upload keeps its own name only when the build recognises it as a catalogue
 *   (`items.csv|tsv|jsonl[.gz]`, model-build/upload-key.ts); any other name becomes `items.<ext>` by its format, and a
 *   file whose format is not a catalogue's is an error, never uploaded as interaction data by mistake.
 * - The job matched is the one whose source has the uploaded key and the same ETag (quoted or not: PutObject
 *   answers it quoted, S3 events carry it bare); a job of an older upload of the same key is never followed.
 */
import { elapsed, jobErrorText, progressView, type JobView } from './job-status.js';

export type UploadKind = 'interactions' | 'catalogue' | 'config';

/** The build's catalogue names (model-build/upload-key.ts CATALOGUE_FILE; copied: the console imports no server code). */
export const CATALOGUE_NAME = /^items\.(csv|tsv|jsonl)(\.gz)?$/;

export type NameResult = { ok: true; name: string; note?: string } | { ok: false; error: string };

/** The object name under uploads/<dataset>/ for a file of this kind. */
export function uploadName(kind: UploadKind, fileName: string): NameResult {
  const name = fileName.trim();
  if (name === '') return { ok: false, error: 'Choose a file to upload.' };
  if (kind === 'config') {
    if (!/\.json$/i.test(name)) return { ok: false, error: `A config is a JSON file; "${name}" is not named .json.` };
    return name === 'config.json'
      ? { ok: true, name }
      : { ok: true, name: 'config.json', note: `uploaded as config.json` };
  }
  if (kind === 'catalogue') {
    if (CATALOGUE_NAME.test(name)) return { ok: true, name };
    const format = /\.(csv|tsv|jsonl)(\.gz)?$/i.exec(name);
    if (!format)
      return {
        ok: false,
        error: `A catalogue is a .csv, .tsv or .jsonl file (optionally .gz); "${name}" is none of these.`,
      };
    const renamed = `items.${format[1].toLowerCase()}${format[2] ? '.gz' : ''}`;
    return {
      ok: true,
      name: renamed,
      note: `uploaded as ${renamed}: the build reads a catalogue only under that name`,
    };
  }
  if (name === 'config.json' || CATALOGUE_NAME.test(name))
    return {
      ok: false,
      error: `"${name}" is the name of the dataset's ${name === 'config.json' ? 'config' : 'catalogue'}; choose that kind, or rename the file.`,
    };
  return { ok: true, name };
}

/** PUT /console/uploads/{dataset}/{fileName}'s path. */
export const uploadPath = (dataset: string, name: string): string =>
  `/console/uploads/${encodeURIComponent(dataset)}/${encodeURIComponent(name)}`;

/** The upload's 201 answer. */
export interface UploadReceipt {
  bucket: string;
  key: string;
  eTag: string;
  kind: 'ratings' | 'catalogue' | 'config';
}

const unquote = (eTag: string) => eTag.replace(/^"|"$/g, '');

interface JobSource {
  source: { key: string; eTag?: string };
}

/** The job of this upload among a job list (newest first), or undefined while the build has not claimed it. */
export function uploadJob<J extends JobSource>(
  jobs: readonly J[],
  receipt: Pick<UploadReceipt, 'key' | 'eTag'>,
): J | undefined {
  return jobs.find(
    (job) =>
      job.source.key === receipt.key &&
      job.source.eTag !== undefined &&
      unquote(job.source.eTag) === unquote(receipt.eTag),
  );
}

export type JobWithSource = JobView & { source: { key: string; eTag?: string } };

/** Where an upload is: what the page's status line says. */
export type UploadStatus =
  | { step: 'idle' }
  | { step: 'uploading'; name: string }
  | { step: 'waiting'; receipt: UploadReceipt; job?: JobWithSource }
  | { step: 'done'; receipt: UploadReceipt; job?: JobWithSource }
  | { step: 'error'; message: string };

/** The status line (role="status"): while uploading, the build's phase; at the end its status word, version or error. */
export function uploadStatusText(status: UploadStatus, now: number): string {
  switch (status.step) {
    case 'idle':
      return 'Choose or drop a file.';
    case 'uploading':
      return `Uploading ${status.name}…`;
    case 'error':
      return status.message;
    case 'waiting': {
      const job = status.job;
      if (!job) return `Uploaded ${status.receipt.key}; waiting for its build to start…`;
      const progress = progressView(job);
      return `Build ${job.status}${progress ? `: ${progress.phase} ${progress.counts}` : ''}, ${elapsed(job, now)} elapsed.`;
    }
    case 'done': {
      if (status.receipt.kind === 'config')
        return `Uploaded ${status.receipt.key}. A config starts no build: the next data upload's build reads it.`;
      const job = status.job!;
      if (job.status === 'succeeded')
        return `Build succeeded in ${elapsed(job, now)}: version ${job.version ?? '(none)'}${job.activated === false ? ' (kept, not activated: the promotion gate held it back)' : ' is active'}.`;
      const error = jobErrorText(job);
      return `Build ${job.status}${error ? `: ${error}` : job.message ? `: ${job.message}` : '.'}`;
    }
  }
}
