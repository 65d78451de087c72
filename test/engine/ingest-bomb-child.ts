// Child process of ingest-bomb.test.ts (run with --expose-gc): parses the decompression bomb (1.5 MB of gzip,
// 1 GiB and 179 million rows inflated) under the build function's default limits and prints, as JSON, the error
// and the memory: the process's peak RSS (getrusage, exact) and the heap and array buffers left after a full GC.
// argv[2]: 'known-size' (the S3 path: the object's size is known, the estimate projects it) or 'unknown-size'
// (a stream of unknown length: the row limit, lowered to argv[3] rows to keep the test fast, stops it).
import { IngestLimitError, limitsForMemory, loadRatings } from '../../functions/engine/ingest/index.js';
import { bombStream, gzipBomb } from './ingest-bomb-helpers.js';

const mode = process.argv[2];
const rowLimit = Number(process.argv[3] ?? 0);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const bomb = gzipBomb(128);
gc();
const before = process.memoryUsage();
const peakBeforeKb = process.resourceUsage().maxRSS;
const limits = limitsForMemory(3008);
const started = performance.now();
let error: unknown;
try {
  await loadRatings(bombStream(bomb), {
    fileName: 'bomb.csv.gz',
    expectedBytes: mode === 'known-size' ? bomb.length : undefined,
    limits: mode === 'known-size' ? limits : { ...limits, maxRows: rowLimit },
  });
} catch (caught) {
  error = caught; // kept alive, as the build keeps it while it writes the job record and the report
}
const seconds = (performance.now() - started) / 1000;
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
gc();
await new Promise((resolve) => setTimeout(resolve, 50));
gc();
const after = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    compressedBytes: bomb.length,
    error:
      error instanceof IngestLimitError
        ? { limit: error.limit, value: error.value, reached: error.reached, bytesRead: error.bytesRead }
        : String(error),
    seconds,
    peakRssBeforeMb: Math.round(peakBeforeKb / 1024),
    peakRssMb,
    rssBeforeMb: mb(before.rss),
    rssAfterMb: mb(after.rss),
    heapBeforeMb: mb(before.heapUsed),
    heapAfterMb: mb(after.heapUsed),
    arrayBuffersBeforeMb: mb(before.arrayBuffers),
    arrayBuffersAfterMb: mb(after.arrayBuffers),
  }),
);
