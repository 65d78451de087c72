/**
 * The cost of pseudonymised user ids (config pseudonymizeUsers): the ingest pass that replaces every distinct user
 * id by its keyed HMAC (engine/ingest/pseudonymize-users.ts), alone on 1M distinct ids, and the whole parse of
 * a ratings file with and without it (best of `runs`, alternating). Prints a markdown section for
 * docs/BENCHMARKS.md ("Pseudonymised user ids").
 *
 *   node --import tsx bench/pseudonymize.ts [ratings.csv] [runs]
 * (default file: bench/data/synthetic-30000u-15000i-4500000r.csv, made by `npm run bench -- --suite engine`)
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InteractionLog } from '../functions/engine/data/index.js';
import { ingestToLog } from '../functions/engine/ingest/index.js';
import { pseudonymizeLogUsers } from '../functions/engine/ingest/pseudonymize-users.js';
import { describeMachine, today } from './machine.js';

const file = process.argv[2] ?? join(import.meta.dirname, 'data', 'synthetic-30000u-15000i-4500000r.csv');
const runs = Number(process.argv[3] ?? 3);
const key = new Uint8Array(32).fill(7);
const DISTINCT = 1_000_000;

function passAlone(): number {
  const log = new InteractionLog();
  log.reserve(DISTINCT);
  for (let u = 0; u < DISTINCT; u++) log.add(`user-${u * 7919}`, `i${u % 1000}`, 1);
  const start = performance.now();
  pseudonymizeLogUsers(log, key);
  return performance.now() - start;
}

async function parse(pseudonymize: boolean): Promise<{ ms: number; users: number; rows: number }> {
  const start = performance.now();
  const { log } = await ingestToLog(file, pseudonymize ? { pseudonymizeUsers: { key } } : {});
  return { ms: performance.now() - start, users: log.users.size, rows: log.length };
}

const pass = Math.min(...Array.from({ length: runs }, passAlone));
const lines = [
  `_Measured ${today()} on ${describeMachine()} (a machine shared with other work: figures are indicative)._`,
  '',
  `The pass alone (one HMAC-SHA256 per distinct id, then one pass over the rows): ${DISTINCT.toLocaleString('en')} ` +
    `distinct users in ${Math.round(pass).toLocaleString('en')} ms (best of ${runs}), i.e. ` +
    `**${Math.round((pass * 1e6) / DISTINCT).toLocaleString('en')} ms per million distinct users**.`,
];
if (existsSync(file)) {
  const plain: number[] = [];
  const hashed: number[] = [];
  let shape = { users: 0, rows: 0 };
  for (let r = 0; r < runs; r++) {
    const a = await parse(false);
    const b = await parse(true);
    plain.push(a.ms);
    hashed.push(b.ms);
    shape = b;
  }
  const [p, h] = [Math.min(...plain), Math.min(...hashed)];
  lines.push(
    '',
    `Parse of ${file.split('/').pop()} (${shape.rows.toLocaleString('en')} rows, ${shape.users.toLocaleString('en')} ` +
      `users, ${(statSync(file).size / 1e6).toFixed(0)} MB), best of ${runs}: ${(p / 1000).toFixed(2)} s raw, ` +
      `${(h / 1000).toFixed(2)} s pseudonymised (+${Math.round(h - p)} ms; the pass alone predicts ` +
      `${Math.round((pass * shape.users) / DISTINCT)} ms for its users).`,
  );
}
console.log(lines.join('\n'));
