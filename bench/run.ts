/**
 * npm run bench [-- --suite engine|pipeline|parsers|models|quality|live|erasure|filters|content|all] [--requests 300] [--items 5000,15000,30000] [--size 4.5m|1m|100k] [--threads n]
 * Measures, prints, and rewrites the matching section of docs/BENCHMARKS.md with date and machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { ensureBenchFile, type EngineBenchResult } from './engine.js';
import { PARSERS, type ParserResult } from './parsers.js';
import { benchPipeline } from './pipeline.js';
import { benchErasure } from './erasure.js';
import { benchFilterLatency } from './filter-latency.js';
import { describeMachine, today } from './machine.js';
import type { AutoFileResult } from './auto-file-child.js';
import type { ContentBenchResult } from './content.js';
import type { ModelBenchResult } from './models-child.js';
import type { QualityResult } from './quality.js';
import { benchLiveEvents, costPerMillion, PRICES } from './live-events.js';
import { DEFAULT_EASE_MAX_BYTES, maxEaseItems } from '../functions/engine/ease/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SIZES = {
  '4.5m': { users: 30_000, items: 15_000, ratings: 4_500_000 },
  '1m': { users: 10_000, items: 5_000, ratings: 1_000_000 },
  '100k': { users: 2_000, items: 1_000, ratings: 100_000 },
} as const;

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    size: { type: 'string', default: '4.5m' },
    threads: { type: 'string', default: '2' },
    k: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    /** Catalogue sizes of the models suite (items; users = 2 × items, 150 interactions per item). */
    items: { type: 'string', default: '5000,15000,30000' },
    /**
     * Models of the models suite whose last result (bench/data/models/<model>-<items>.json, written by every run)
     * is reused instead of measured again: e.g. `--reuse ease-exact` after a change that only touches auto.
     */
    reuse: { type: 'string', default: '' },
    /** Catalogue items of the content suite (about 1 s of kernel per 1,000 items on one thread). */
    'content-items': { type: 'string', default: '20000' },
    /** Batches of 500 per client in the live suite. */
    batches: { type: 'string', default: '10' },
    /** Requests per case in the filters suite. */
    requests: { type: 'string', default: '300' },
  },
});
const root = join(import.meta.dirname, '..');
const dataDir = join(root, 'bench', 'data');
const docs = join(root, 'docs', 'BENCHMARKS.md');

async function engineSuite(): Promise<string> {
  const size = SIZES[values.size as keyof typeof SIZES];
  if (!size) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  const file = await ensureBenchFile(size, dataDir);
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench', 'engine-child.ts'), file, values.k as string, values.threads as string],
    {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const r = JSON.parse(output) as EngineBenchResult;
  const lines = [
    `Input: ${r.ratings.toLocaleString('en')} ratings (${r.users.toLocaleString('en')} users × ${r.items.toLocaleString('en')} items), ` +
      `${r.fileMb.toFixed(0)} MB CSV from the synthetic generator; item-item cosine, top-${values.k}, ${r.threads} threads.`,
    '',
    '| phase | seconds | ratings/s | peak RSS (MB) |',
    '| --- | ---: | ---: | ---: |',
    ...r.phases.map(
      (p) =>
        `| ${p.phase} | ${p.seconds.toFixed(2)} | ${Math.round(p.ratingsPerSecond).toLocaleString('en')} | ${p.peakRssMb.toFixed(0)} |`,
    ),
    `| **file → rows in memory** | **${r.totalSeconds.toFixed(2)}** | ${Math.round(r.ratings / r.totalSeconds).toLocaleString('en')} | **${r.peakRssMb.toFixed(0)}** |`,
    '',
    `Target: ≤ 10 s wall and ≤ 1,024 MB peak RSS — ${r.totalSeconds <= 10 && r.peakRssMb <= 1024 ? '**met**' : '**not met**'}. ` +
      `${r.neighbourRows.toLocaleString('en')} item rows have neighbours.`,
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

/** Replaces the text between <!-- name:start --> and <!-- name:end --> (appends the section when missing). */
async function writeSection(name: string, title: string, body: string): Promise<void> {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n\n## ${title}\n\n_Measured ${today()} on ${describeMachine()}._\n\n${body}\n${end}`;
  const current = existsSync(docs)
    ? readFileSync(docs, 'utf8')
    : '# Benchmarks\n\n`npm run bench` regenerates the sections below.\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + section + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  // Written as Prettier formats it, so `npm test`'s format check passes after a benchmark run.
  writeFileSync(docs, await prettier.format(next, { ...(await prettier.resolveConfig(docs)), filepath: docs }));
}

async function pipelineSuite(): Promise<string> {
  const connections = 50;
  const seconds = Number(values.seconds);
  const { uploads, many, load } = await benchPipeline([SIZES['100k'], SIZES['1m']], dataDir, { connections, seconds });
  const lines = [
    'Upload through the S3 API of the local stack → build handler → rows in DynamoDB (dynalite) → manifest flipped.',
    '',
    '| ratings | file (MB) | upload → live (s) | parse | similarity | write rows |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...uploads.map(
      (u) =>
        `| ${u.ratings.toLocaleString('en')} | ${u.fileMb.toFixed(1)} | ${u.secondsToLive.toFixed(2)} | ${u.jobTimings.parse ?? '–'} | ${u.jobTimings.items ?? '–'} | ${u.jobTimings.write ?? '–'} |`,
    ),
    '',
    `The same ${many.ratings.toLocaleString('en')} ratings as ${many.files} files of one dataset (a dataset is the union of its files), all uploaded at once:`,
    '',
    '| ratings | files | upload → live (s) | builds that read files | parse | similarity | write rows |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${many.ratings.toLocaleString('en')} | 1 | ${uploads[uploads.length - 1].secondsToLive.toFixed(2)} | 1 | ${uploads[uploads.length - 1].jobTimings.parse ?? '–'} | ${uploads[uploads.length - 1].jobTimings.items ?? '–'} | ${uploads[uploads.length - 1].jobTimings.write ?? '–'} |`,
    `| ${many.ratings.toLocaleString('en')} | ${many.files} | ${many.secondsToLive.toFixed(2)} | ${many.builds} | ${many.jobTimings.parse ?? '–'} | ${many.jobTimings.items ?? '–'} | ${many.jobTimings.write ?? '–'} |`,
    '',
    `API under load (autocannon in a separate process, ${connections} connections, ${seconds} s after a 5 s warm-up, 40 users' recommendations + 10 similar-items paths on the 100k model):`,
    '',
    '| requests | req/s | p50 (ms) | p99 (ms) | max (ms) | errors | timeouts | non-2xx |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${load.requests.toLocaleString('en')} | ${Math.round(load.rps).toLocaleString('en')} | ${load.p50} | ${load.p99} | ${load.max} | ${load.errors} | ${load.timeouts} | ${load.non2xx} |`,
    '',
    `Targets: 100k ratings live in ≤ 5 s — ${uploads[0].secondsToLive <= 5 ? '**met**' : '**not met**'}; ` +
      `p99 ≤ 25 ms with 0 errors — ${load.p99 <= 25 && load.errors + load.timeouts + load.non2xx === 0 ? '**met**' : '**not met**'}.`,
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

async function parsersSuite(): Promise<string> {
  const file = await ensureBenchFile(SIZES['4.5m'], dataDir);
  // Each run in a fresh process, the two parsers alternating; the best of three is reported (the machine is shared).
  const runs: Record<string, ParserResult[]> = { engine: [], 'csv-parse': [] };
  for (let round = 0; round < 3; round++) {
    for (const parser of Object.keys(PARSERS)) {
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'bench', 'parsers-child.ts'), parser, file],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      runs[parser].push(JSON.parse(output) as ParserResult);
    }
  }
  const best = Object.values(runs).map((results) => results.reduce((a, b) => (b.seconds < a.seconds ? b : a)));
  const [engine, library] = best;
  const lines = [
    `The same ${engine.rows.toLocaleString('en')}-row CSV (\`user,item,rating,timestamp\`) into the same columnar log; each parser three times in fresh processes, best run shown.`,
    '',
    '| parser | seconds | CPU seconds | rows/s | all runs (s) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...best.map((r, i) => {
      const allRuns = Object.values(runs)[i].map((x) => x.seconds.toFixed(2));
      const rowsPerSecond = Math.round(r.rows / r.seconds).toLocaleString('en');
      return `| ${r.parser} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${rowsPerSecond} | ${allRuns.join(', ')} |`;
    }),
    '',
    `The engine keeps its own parser for plain lines (${(library.seconds / engine.seconds).toFixed(1)}× faster here); lines with quotes go through its ` +
      'RFC 4180 path. csv-parse stays in the tests as the independent check that generated CSV is valid.',
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

const MODEL_BENCH = ['item-knn', 'user-knn', 'ease-exact', 'ease-approximate', 'auto'] as const;

async function modelsSuite(): Promise<string> {
  const sizes = (values.items as string).split(',').map(Number);
  const limit = maxEaseItems(DEFAULT_EASE_MAX_BYTES);
  const reused = new Set((values.reuse as string).split(',').filter(Boolean));
  const results: (ModelBenchResult | { model: string; items: number; skipped: string })[] = [];
  for (const items of sizes) {
    for (const model of MODEL_BENCH) {
      if (model === 'ease-exact' && items > limit) {
        const gib = (8 * items * items) / 2 ** 30;
        results.push({
          model,
          items,
          skipped: `refused: the dense Gram needs ${gib.toFixed(1)} GiB (limit ${limit.toLocaleString('en')} items)`,
        });
        continue;
      }
      const cached = join(dataDir, 'models', `${model}-${items}.json`);
      if (reused.has(model) && existsSync(cached)) {
        console.error(`models: ${model} at ${items} items: reusing ${cached}`);
        results.push(JSON.parse(readFileSync(cached, 'utf8')) as ModelBenchResult);
        continue;
      }
      console.error(`models: ${model} at ${items} items…`);
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'bench', 'models-child.ts'), model, String(items), values.threads as string],
        { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      mkdirSync(join(dataDir, 'models'), { recursive: true });
      writeFileSync(cached, output);
      results.push(JSON.parse(output) as ModelBenchResult);
    }
  }
  const lines = [
    `Synthetic data, users = 2 × items, 150 interactions per item; matrix → rows in memory (generation not timed), ${values.threads} threads. ` +
      '`auto` is the whole default build: validation of every candidate on 2,000 users, then the chosen model on all the data.',
    '',
    '| items | interactions | model | built | seconds | of which validation | peak RSS (MB) |',
    '| ---: | ---: | --- | --- | ---: | ---: | ---: |',
    ...results.map((r) =>
      'skipped' in r
        ? `| ${r.items.toLocaleString('en')} | ${(150 * r.items).toLocaleString('en')} | ${r.model} | ${r.skipped} | – | – | – |`
        : `| ${r.items.toLocaleString('en')} | ${r.ratings.toLocaleString('en')} | ${r.model} | ${r.label} | ${r.seconds.toFixed(1)} | ${r.evaluateSeconds?.toFixed(1) ?? '–'} | ${r.peakRssMb.toFixed(0)} |`,
    ),
  ];
  // The benchmark file of the engine suite (4.5M ratings, 15k items) through the default build, as the Lambda runs it.
  const file = await ensureBenchFile(SIZES['4.5m'], dataDir);
  console.error('models: the default build (auto) of the 4.5M-rating benchmark file…');
  const auto = JSON.parse(
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'auto-file-child.ts'), file, values.threads as string],
      {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  ) as AutoFileResult;
  const phases = Object.entries(auto.timings)
    .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
    .join(', ');
  lines.push(
    '',
    `The default build (\`model: auto\`) of the engine suite's file, ${auto.ratings.toLocaleString('en')} ratings ` +
      `(${auto.users.toLocaleString('en')} users × ${auto.items.toLocaleString('en')} items), file → rows in memory: ` +
      `chose ${auto.label}; ${phases}; peak RSS ${auto.peakRssMb.toFixed(0)} MB. Candidates (validation NDCG@10, train s): ` +
      auto.candidates.map((c) => `${c.name} ${c.ndcg.toFixed(4)} (${c.trainSeconds.toFixed(1)} s)`).join('; ') +
      '.',
  );
  console.log(lines.join('\n'));
  return lines.join('\n');
}

async function qualitySuite(): Promise<string> {
  const sets = [
    { users: 6000, items: 3000, ratings: 400_000, label: '6,000 × 3,000 × 400k' },
    { users: 943, items: 1682, ratings: 100_000, label: 'MovieLens-100K-shaped, 943 × 1,682 × 100k' },
  ];
  const lines: string[] = [
    'The published protocol (random 80/20 per user, every held-out interaction relevant, seen items removed, full ranking, @10) on the calibrated synthetic generator (docs/SYNTHETIC.md), seed 7. `auto` runs the build’s own validation on the training part only; its choice is then scored on the test part.',
  ];
  for (const set of sets) {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'quality.ts'), String(set.users), String(set.items), String(set.ratings)],
      { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const r = JSON.parse(output) as QualityResult;
    const popularity = r.rows[0].ndcg;
    lines.push(
      '',
      `**${set.label}** (${r.dataset.ratings.toLocaleString('en')} interactions):`,
      '',
      '| model | NDCG@10 | × popularity | Recall@10 | HitRate@10 | coverage | train s |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.rows.map(
        (row) =>
          `| ${row.name} | ${row.ndcg.toFixed(4)} | ${(row.ndcg / popularity).toFixed(2)} | ${row.recall.toFixed(4)} | ${row.hitRate.toFixed(4)} | ${row.coverage.toFixed(4)} | ${row.seconds.toFixed(1)} |`,
      ),
      '',
      `EASE K (weights kept per item row; exact, λ ${r.bestLambda}):`,
      '',
      '| K | NDCG@10 | weights per row | row bytes (about) |',
      '| ---: | ---: | ---: | ---: |',
      ...r.kTradeOff.map(
        (k) =>
          `| ${k.k} | ${k.ndcg.toFixed(4)} | ${k.weightsPerRow.toFixed(0)} | ${Math.round(k.rowBytes).toLocaleString('en')} |`,
      ),
    );
  }
  console.log(lines.join('\n'));
  return lines.join('\n');
}

async function erasureSuite(): Promise<string> {
  const load = loadavg()[0];
  const r = await benchErasure({ users: 2000, items: 1000, ratings: 60_000, subjects: 5 });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const row = (kind: 'user' | 'item') => {
    const s = r.subjects.filter((subject) => subject.kind === kind);
    const ms = (values: number[]) => `${median(values).toFixed(0)} / ${Math.max(...values).toFixed(0)}`;
    return (
      `| ${kind === 'user' ? 'DELETE …/users/{userId}' : 'DELETE …/items/{itemId}'} | ${s.length} | ` +
      `${Math.round(median(s.map((x) => x.routes)))} | ${ms(s.map((x) => x.deleteMs))} | ` +
      `${ms(s.map((x) => x.goneHereMs))} | ${ms(s.map((x) => x.goneThereMs))} | ${median(s.map((x) => x.roundMs)).toFixed(0)} |`
    );
  };
  const lines = [
    `Local stack, deployed defaults (MANIFEST_CACHE_MS ${r.manifestCacheMs}, row cache on); ${r.ratings.toLocaleString('en')} ` +
      `synthetic ratings (${r.users.toLocaleString('en')} users × ${r.items.toLocaleString('en')} items), item and user rows. ` +
      'For each subject: the routes that name it (similar users and explained user-based recommendations of up to 40 ' +
      'users who list the user, and the user’s own recommendations; similar items of up to 40 items that list the item, ' +
      'and popularity) are warmed on two API instances, the DELETE is sent, and from its answer the routes are polled ' +
      'in rounds; "gone" is when the first round whose every answer was clean started. "This instance" served the ' +
      'DELETE (the local stack’s API, over HTTP); "another instance" has its own caches (an in-process app on the same ' +
      `table), as another Lambda instance would. Load average ${load.toFixed(1)} on the 2 cores at the start.`,
    '',
    '| request | subjects | routes polled (median) | DELETE answered (ms, median / max) | gone, this instance (ms after the answer) | gone, another instance (ms after the answer) | one round (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('user'),
    row('item'),
    '',
    `The answering instance names the subject nowhere from the moment the DELETE returns (the DELETE updates its ` +
      `tombstone cache); another instance once its manifest cache (${r.manifestCacheMs} ms) expires, give or take ` +
      'one round.',
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

/** Seconds the API function takes per batch of 500 on AWS, assumed (not measured here): 16 rounds of ~6 ms puts + 50 ms. */
const AWS_BATCH_SECONDS = 0.15;

async function liveSuite(): Promise<string> {
  const batches = Number(values.batches);
  const load = loadavg()[0];
  const r = await benchLiveEvents({ batchesPerClient: batches });
  const cost = costPerMillion(AWS_BATCH_SECONDS);
  const usd = (value: number) => `$${value < 0.01 ? value.toFixed(4) : value.toFixed(3)}`;
  const lines = [
    'POST /v1/datasets/{dataset}/events on the local stack (dynalite + the API handler in one process, over HTTP), ' +
      `batches of 500 new events (${batches} batches per client), each event one conditional PutItem (32 in flight per request); ` +
      `load average ${load.toFixed(1)} on the 2 cores at the start (other work on the machine raises it).`,
    '',
    '| clients | events | seconds | events/s | batch p50 (ms) | batch p99 (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.throughput.map(
      (t) =>
        `| ${t.clients} | ${t.events.toLocaleString('en')} | ${t.seconds.toFixed(1)} | ${Math.round(t.eventsPerSecond).toLocaleString('en')} | ${Math.round(t.batchP50Ms)} | ${Math.round(t.batchP99Ms)} |`,
    ),
    '',
    `The local ceiling is dynalite's (a JavaScript DynamoDB on LevelDB): its conditional puts alone ran at 400–700/s on ` +
      'this machine, so these figures say nothing of DynamoDB, which takes a 500-event batch in about 16 rounds of ' +
      'single-digit-millisecond puts. A user with live events: recommendations p50 ' +
      `${r.recommendMs.p50.toFixed(1)} ms (${r.recommendMs.liveEvents} live events read by one Query beside the user's rows). ` +
      `The next build folded all ${r.fold.folded.toLocaleString('en')} events into one file and activated in ${r.fold.buildSeconds.toFixed(1)} s (20,000 uploaded ratings).`,
    '',
    `**Cost per million events on AWS** (on-demand list prices assumed for us-east-1: DynamoDB $${PRICES.dynamoWritePerMillion} per million ` +
      `write and $${PRICES.dynamoReadPerMillion} per million read request units, HTTP API $${PRICES.httpApiPerMillion.toFixed(2)} per million requests, ` +
      `Lambda $${PRICES.lambdaRequestsPerMillion} per million requests and $${PRICES.lambdaArmGbSecond} per GB-s on arm64; check the AWS pricing pages):`,
    '',
    '| what | USD |',
    '| --- | ---: |',
    ...cost.lines.map((line) => `| ${line.what} | ${usd(line.usd)} |`),
    `| **total per million events** | **${usd(cost.total)}** |`,
    '',
    `Assumed, not measured: ${AWS_BATCH_SECONDS} s of the API function per batch on AWS; events under 1 KB (1 WRU each; ` +
      'ids near the 256-byte limit take 2–3); one build a day. Each further build in the dedupe window reads the ' +
      "retained events again (the fold's Query reads whole partitions), about $0.01 per million events per build; " +
      'storage in the table is about 0.3 GB per million events for as long as the window keeps them ($0.25 per GB-month), ' +
      'and the event files in S3 about 0.2 GB per million events, kept with the dataset. A recommendation request reads ' +
      "the user's live events with one more strongly consistent Query: 1 read unit ($0.125 per million requests).",
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

async function filtersSuite(): Promise<string> {
  const load = loadavg()[0];
  const r = await benchFilterLatency({ requests: Number(values.requests) });
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const lines = [
    `The local stack (dynalite + s3rver + the API handler over HTTP), the demo dataset as \`npm start\` builds it ` +
      `(${r.ratings.toLocaleString('en')} interactions from typed events with timestamps, and its catalogue; built in ` +
      `${r.buildSeconds.toFixed(0)} s), limit 10, ${r.cases[0]?.requests ?? 0} sequential requests per case after a ` +
      `warm-up pass over 100 users (row caches warm, as in a warm Lambda); load average ${load.toFixed(1)} on the ` +
      '2 cores at the start: the machine was shared with other work, so read the figures as relative.',
    '',
    '| case | requests | p50 | p99 | items | of which backfilled |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.cases.map(
      (c) =>
        `| ${c.name} | ${c.requests} | ${ms(c.p50)} | ${ms(c.p99)} | ${c.items.toFixed(1)} | ${c.backfilled.toFixed(1)} |`,
    ),
    '',
    'A filter costs one more BatchGetItem round (the scored pool’s catalogue entries); backfill adds popularity and ' +
      'the entries of popular items (at most 5 rounds). Trending is one Query of the version’s trending pages (cached ' +
      'with the rows); a new user reads it instead of popularity (the demo config’s trending window is 180 days: its ' +
      'synthetic events thin out towards their last day).',
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

async function contentSuite(): Promise<string> {
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench', 'content.ts'),
      values['content-items'] as string,
      'tfidf',
      '0.5',
      values.threads as string,
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const r = JSON.parse(output) as ContentBenchResult;
  const single = r.runs.find((run) => run.threads === 1)!;
  const lines = [
    `A synthetic catalogue of ${r.items.toLocaleString('en')} items (bench/content.ts: synthetic titles and genres, ~100-word ` +
      `texts from a Zipf vocabulary, 0–3 tags), ${r.scheme}, minDf ${r.minDf}, maxDfShare ${r.maxDfShare}, top-${r.k}: ` +
      `${r.terms.toLocaleString('en')} terms, ${(r.nonZeros / 1e6).toFixed(2)} M non-zeros, Σ df² ${r.pairUpdatesM.toFixed(0)} M ` +
      `pair updates. Tokenise + vectorise ${r.vectoriseSeconds.toFixed(1)} s (one thread). Kernel (computeContentNeighbours, ` +
      'the build path; the same rows on every thread count, checked):',
    '',
    '| threads | wall (s) | CPU (s) | speed-up |',
    '| ---: | ---: | ---: | ---: |',
    ...r.runs.map(
      (run) =>
        `| ${run.threads} | ${run.seconds.toFixed(2)} | ${run.cpuSeconds.toFixed(1)} | ${(single.seconds / run.seconds).toFixed(2)}× |`,
    ),
    '',
    `${r.neighboursPerItem.toFixed(1)} neighbours per item; peak RSS ${r.peakRssMb.toFixed(0)} MB (the generated catalogue ` +
      `included). Load average ${r.loadAverage.toFixed(1)} at the end: the 2 cores were shared with other jobs, so the ` +
      'speed-up is a lower bound.',
  ];
  console.log(lines.join('\n'));
  return lines.join('\n');
}

const suites: Record<string, () => Promise<void>> = {
  erasure: async () => writeSection('erasure', 'Erasure: DELETE → gone from every answer', await erasureSuite()),
  models: async () => writeSection('models', 'Models: build time and memory by catalogue size', await modelsSuite()),
  quality: async () => writeSection('quality', 'Models: recommendation quality', await qualitySuite()),
  engine: async () =>
    writeSection(
      `engine-${values.size}`,
      `Engine: file → neighbour rows (${values.size} ratings)`,
      await engineSuite(),
    ),
  pipeline: async () =>
    writeSection('pipeline', 'Local stack: upload → live model, API latency', await pipelineSuite()),
  parsers: async () => writeSection('parsers', 'Ingest: engine parser vs csv-parse', await parsersSuite()),
  live: async () => writeSection('live-events', 'Live events: throughput and cost per million', await liveSuite()),
  filters: async () => writeSection('filters', 'API latency with filters', await filtersSuite()),
  content: async () => writeSection('content', 'Content rows: the kernel on 1 and 2 threads', await contentSuite()),
};

const chosen = values.suite === 'all' ? Object.keys(suites) : [values.suite as string];
for (const name of chosen) {
  const suite = suites[name];
  if (!suite) throw new Error(`unknown suite '${name}'; choose ${Object.keys(suites).join(', ')} or all`);
  await suite();
}
