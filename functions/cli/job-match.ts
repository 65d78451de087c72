/**
 * Which build job is the one an upload started: the same source key and, when both are known, the same ETag
 * (PutObject answers it quoted, S3 events carry it bare). The console matches stricter, by key and ETag always
 * (functions/console/upload-job.ts): its uploads always have an ETag, and an older job of the same key must not match.
 */
import type { JobRecord } from '../adapters/store-contract.js';

export function isJobOfUpload(job: Pick<JobRecord, 'source'>, key: string, eTag: string | undefined): boolean {
  return job.source.key === key && (!eTag || !job.source.eTag || unquote(job.source.eTag) === unquote(eTag));
}

function unquote(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
}
