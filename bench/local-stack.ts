/**
 * The local stack as the benchmarks run it: the real handlers (imported lazily, once the caller has set the
 * environment Powertools reads), a fresh data directory, and an S3 client on s3rver; `stop()` undoes all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../functions/local/defaults.js';

export type LocalStack = Awaited<ReturnType<(typeof import('../functions/local/stack.js'))['startLocalStack']>>;

export interface BenchStack {
  stack: LocalStack;
  s3: S3Client;
  stop(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const stackDir = mkdtempSync(join(tmpdir(), `affinity-bench-${name}-`));
  const { startLocalStack } = await import('../functions/local/stack.js');
  let build: typeof import('../functions/handlers/build.js') | undefined;
  let api: typeof import('../functions/handlers/api.js') | undefined;
  const stack = await startLocalStack({
    dataDir: stackDir,
    buildHandler: async (event, context) =>
      (build ??= await import('../functions/handlers/build.js')).handler(event, context),
    apiHandler: async (event, context) =>
      (api ??= await import('../functions/handlers/api.js')).handler(event, context),
    log: () => {},
  });
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: stack.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    stack,
    s3,
    stop: async () => {
      s3.destroy();
      await stack.stop();
      rmSync(stackDir, { recursive: true, force: true });
    },
  };
}
