/**
 * Live events on the local stack: POST /v1/datasets/{dataset}/events throughput (batches of 500, 1 and 4 clients at
 * once, over HTTP to the in-process API handler, dynalite behind it), then the next build's fold of everything
 * sent; and the cost of a million events on AWS from the request units each step takes (prices stated below).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { uploadKey } from '../functions/adapters/bucket-layout.js';
import { startBenchStack } from './local-stack.js';
import { syntheticInteractions } from '../functions/engine/synthetic/index.js';

export interface ThroughputResult {
  clients: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  batchP50Ms: number;
  batchP99Ms: number;
}

export interface LiveBenchResult {
  throughput: ThroughputResult[];
  fold: { events: number; buildSeconds: number; folded: number };
  recommendMs: { p50: number; liveEvents: number };
}

const BATCH = 500;

export async function benchLiveEvents(options: { batchesPerClient: number }): Promise<LiveBenchResult> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.LIVE_EVENT_SETTLE_MS = '0'; // the fold below takes everything sent before it
  const { stack, s3, stop } = await startBenchStack('live');
  const dataset = 'bench-live';
  const users = 2000;
  const items = 1000;
  try {
    const rows = [...syntheticInteractions({ users, items, ratings: 20_000, seed: 5, timestamps: false })];
    const csv = `user,item,rating\n${rows.map((r) => `${r.user},${r.item},${r.value}`).join('\n')}\n`;
    await s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: uploadKey(dataset, 'ratings.csv'), Body: Buffer.from(csv) }),
    );
    await stack.bridge.idle();

    let sequence = 0;
    const post = async (): Promise<number> => {
      const events = Array.from({ length: BATCH }, () => {
        const n = sequence++;
        return {
          eventId: `b${n}`,
          user: rows[(n * 7919) % rows.length].user,
          item: rows[(n * 104_729) % rows.length].item,
        };
      });
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}/v1/datasets/${dataset}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const body = (await response.json()) as { accepted?: number };
      if (response.status !== 200 || body.accepted !== BATCH) throw new Error(`batch refused: ${JSON.stringify(body)}`);
      return performance.now() - started;
    };

    const throughput: ThroughputResult[] = [];
    for (const clients of [1, 4]) {
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let b = 0; b < options.batchesPerClient; b++) latencies.push(await post());
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const events = clients * options.batchesPerClient * BATCH;
      latencies.sort((a, b) => a - b);
      throughput.push({
        clients,
        events,
        seconds,
        eventsPerSecond: events / seconds,
        batchP50Ms: latencies[Math.floor(latencies.length / 2)],
        batchP99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))],
      });
    }

    // A user's recommendations with their live events on top of the version (one Query more per request).
    const someone = rows[0].user;
    const recommendLatencies: number[] = [];
    let liveEvents = 0;
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}/v1/datasets/${dataset}/users/${someone}/recommendations`);
      liveEvents = ((await response.json()) as { liveEvents: number }).liveEvents;
      recommendLatencies.push(performance.now() - started);
    }
    recommendLatencies.sort((a, b) => a - b);

    // The next build folds everything sent into one file.
    const sent = sequence;
    const buildStarted = performance.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: uploadKey(dataset, 'more.csv'),
        Body: Buffer.from('user,item,rating\nnew-user,i1,1\n'),
      }),
    );
    await stack.bridge.idle();
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const jobs = (await (await fetch(`${stack.apiUrl}/v1/datasets/${dataset}/jobs?limit=1`)).json()) as {
      jobs: { status: string; report?: { liveEvents?: { folded: number } } }[];
    };
    const folded = jobs.jobs[0]?.report?.liveEvents?.folded ?? 0;
    if (jobs.jobs[0]?.status !== 'succeeded' || folded !== sent)
      throw new Error(`the fold did not take every event: ${JSON.stringify(jobs.jobs[0])}`);
    return {
      throughput,
      fold: { events: sent, buildSeconds, folded },
      recommendMs: { p50: recommendLatencies[25], liveEvents },
    };
  } finally {
    await stop();
  }
}

/** On-demand prices, us-east-1 (AWS price pages, December 2026), USD. */
export const PRICES = {
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  httpApiPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.000_013_333_4,
  s3PutPer1000: 0.005,
} as const;

/**
 * Request units per million events, batches of 500, events of under 1 KB (ids of up to ~250 bytes each), one
 * build a day folding them, the default 24 h dedupe window, the API function at its default 1,024 MB.
 * `batchSeconds`: the API function's time per batch on AWS (500 conditional puts, 32 in flight).
 */
export function costPerMillion(batchSeconds: number) {
  const events = 1e6;
  const batches = events / BATCH;
  const eventBytes = 300; // attributes + keys + DynamoDB's per-item overhead (100 bytes)
  const readUnits = (events * eventBytes) / 4096; // a strongly consistent Query: 1 unit per 4 KB read
  const lines = [
    { what: 'DynamoDB writes: one conditional PutItem per event (1 WRU each)', usd: PRICES.dynamoWritePerMillion },
    { what: 'DynamoDB writes: the DeleteItem after the window (1 WRU each)', usd: PRICES.dynamoWritePerMillion },
    {
      what: "DynamoDB reads: the fold's and the deletion's Queries (2 × 300 B / 4 KB per event)",
      usd: ((2 * readUnits) / 1e6) * PRICES.dynamoReadPerMillion,
    },
    {
      what: `API Gateway HTTP API: ${batches.toLocaleString('en')} requests`,
      usd: (batches / 1e6) * PRICES.httpApiPerMillion,
    },
    {
      what: `Lambda: ${batches.toLocaleString('en')} invocations × ${batchSeconds} s × 1 GB (arm64)`,
      usd: (batches / 1e6) * PRICES.lambdaRequestsPerMillion + batches * batchSeconds * PRICES.lambdaArmGbSecond,
    },
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.usd, 0) };
}
