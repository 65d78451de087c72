/**
 * Why the ingest has its own byte-level CSV path: the same file read by csv-parse (the well-kept library the
 * brief prefers) and by the engine's parser, both ending in the same columnar InteractionLog.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InteractionLog } from '../functions/engine/data/index.js';
import { ingestToLog } from '../functions/engine/ingest/index.js';

export interface ParserResult {
  parser: string;
  rows: number;
  seconds: number;
  cpuSeconds: number;
}

async function measure(parser: string, run: () => Promise<number>): Promise<ParserResult> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const rows = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { parser, rows, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

export async function benchParsers(file: string): Promise<ParserResult[]> {
  const results: ParserResult[] = [];
  results.push(await measure('engine ingest (byte-level fast path)', async () => (await ingestToLog(file)).log.length));
  results.push(
    await measure('csv-parse 7 (streaming) → same log', async () => {
      const log = new InteractionLog();
      const parser = createReadStream(file).pipe(parse({ from_line: 2, relax_column_count: true }));
      for await (const record of parser as AsyncIterable<string[]>) {
        log.add(record[0], record[1], Number(record[2]), Number(record[3]));
      }
      return log.length;
    }),
  );
  return results;
}
