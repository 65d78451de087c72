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

export const PARSERS = {
  engine: 'engine ingest (byte-level fast path)',
  'csv-parse': 'csv-parse 7 (streaming) → same log',
} as const;

export async function benchParser(parser: keyof typeof PARSERS, file: string): Promise<ParserResult> {
  if (parser === 'engine') return measure(PARSERS.engine, async () => (await ingestToLog(file)).log.length);
  return measure(PARSERS['csv-parse'], async () => {
    const log = new InteractionLog();
    const records = createReadStream(file).pipe(parse({ from_line: 2, relax_column_count: true }));
    for await (const record of records as AsyncIterable<string[]>) {
      log.add(record[0], record[1], Number(record[2]), Number(record[3]));
    }
    return log.length;
  });
}
