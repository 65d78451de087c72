// Issue 8 point 5, measured: the decompression bomb (1.5 MB of gzip -> 1 GiB, 179 million rows; it drove the
// process to 4.3 GB and left 2.2 GB behind) under the build function's default limits, in a child process so that
// its peak RSS is its own. The limit stops it at once, and once the failure is handled nothing of the partial log
// is left: the heap and array buffers are back to where they were, even while the error itself is still held
// (an error's unformatted stack trace keeps the closures of every frame alive, the log among them).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface BombRun {
  compressedBytes: number;
  error: { limit: string; value: number; reached: number; bytesRead: number } | string;
  seconds: number;
  peakRssBeforeMb: number;
  peakRssMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  arrayBuffersBeforeMb: number;
  arrayBuffersAfterMb: number;
  rssAfterMb: number;
}

async function run(...args: string[]): Promise<BombRun> {
  const child = join(import.meta.dirname, 'ingest-bomb-child.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, ...args], {
    timeout: 60_000,
  });
  const result = JSON.parse(stdout) as BombRun;
  console.info(`bomb (${args.join(' ')}): ${JSON.stringify(result)}`);
  return result;
}

describe('the 1.5 MB gzip bomb under the default build limits (3008 MB function)', () => {
  it('of known size (an S3 object): the memory estimate stops it in its first 256 KiB', async () => {
    const result = await run('known-size');
    expect(result.compressedBytes).toBeLessThan(1.6e6);
    expect(result.error).toMatchObject({ limit: 'maxMemoryMb', value: 2406 });
    expect(typeof result.error === 'object' && result.error.bytesRead).toBeLessThanOrEqual(1 << 20);
    expect(result.peakRssMb - result.peakRssBeforeMb).toBeLessThan(64);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(8);
    expect(result.arrayBuffersAfterMb - result.arrayBuffersBeforeMb).toBeLessThan(8);
  });

  it('of unknown size: the row limit stops it, and the partial log is released', async () => {
    // 2 million rows (the default limit is 31 million, which takes ~2 s and peaks at ~540 MB: see RELIABILITY.md).
    const result = await run('unknown-size', '2000000');
    expect(result.error).toMatchObject({ limit: 'maxRows', value: 2_000_000, reached: 2_000_001 });
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(8);
    // The log of 2 million rows held ~24 MB of typed arrays: all of it is gone.
    expect(result.arrayBuffersAfterMb - result.arrayBuffersBeforeMb).toBeLessThan(8);
  });
});
