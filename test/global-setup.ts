/**
 * Starts every server the tests need on ephemeral loopback ports, and stops them afterwards.
 * Tests read the endpoints with `inject('dynamoEndpoint')` / `inject('s3Endpoint')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynalite, startS3rver } from '../functions/local/services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    s3Directory: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = mkdtempSync(join(tmpdir(), 'affinity-test-'));
  const dynamo = await startDynalite();
  const s3 = await startS3rver({ directory: join(directory, 's3') });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('s3Directory', join(directory, 's3'));
  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
    rmSync(directory, { recursive: true, force: true });
  };
}
