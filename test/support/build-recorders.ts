/** In-memory stand-ins for the build's logger and metrics, and real-shaped S3 event records, for build tests. */
import type { S3EventRecord } from 'aws-lambda';
import { encodeS3EventKey } from '../../functions/adapters/s3-event-keys.js';
import type { AppLogger, AppMetrics } from '../../functions/observability.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
}

export function recordingLogger(): AppLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, ...extra: unknown[]) => {
      lines.push(Object.assign({ level, message }, ...extra.filter((e) => typeof e === 'object')) as LogLine);
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Metrics added since creation, summed by name (what one flush would publish). */
export function recordingMetrics(): AppMetrics & { totals: Record<string, number> } {
  const totals: Record<string, number> = {};
  return {
    totals,
    addMetric(name, _unit, value) {
      totals[name] = (totals[name] ?? 0) + value;
    },
    hasStoredMetrics: () => false,
    publishStoredMetrics: () => undefined,
  };
}

/** An ObjectCreated:Put record as S3 sends it for `key` (the key URL-encoded as S3 does). */
export function s3Record(
  bucket: string,
  key: string,
  object: { eTag?: string; size?: number; sequencer?: string; versionId?: string; eventTime?: string } = {},
): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: object.eventTime ?? new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:TEST' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'R', 'x-amz-id-2': 'I' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'test',
      bucket: { name: bucket, ownerIdentity: { principalId: 'O' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(key),
        size: object.size ?? 0,
        eTag: object.eTag ?? '',
        sequencer: object.sequencer ?? '01',
        ...(object.versionId ? { versionId: object.versionId } : {}),
      },
    },
  };
}
