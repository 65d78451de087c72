/** Defaults of the local stack, shared by the stack itself, the CLI that talks to it and the benchmarks. */

/** s3rver's built-in key pair; dynalite accepts any credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The region used where none is configured (local events, ARNs, signing). */
export const DEFAULT_REGION = 'us-east-1';

export function configuredRegion(explicit?: string): string {
  return explicit ?? process.env.AWS_REGION ?? DEFAULT_REGION;
}

/** The local stack's live-event settle margin (ms): its API runs in-process, without a 10-30 s timeout to cover. */
export const LOCAL_LIVE_EVENT_SETTLE_MS = 2000;
