/**
 * DELETE → "gone from every answer", on the local stack with the deployed defaults (MANIFEST_CACHE_MS 1000, row
 * cache on). A synthetic dataset is built; for each of several users (and items), the routes that name them are
 * found (their own recommendations, similar users of up to 40 of the users who list them, explained user-based
 * recommendations of those users; for an item: similar items of up to 40 items that list it, popularity), both API
 * instances are warmed on them, the DELETE is sent, and from its answer those routes are polled in rounds until a
 * whole round names the subject nowhere: "gone" is when that round started (every answer sent from then on was
 * clean; tombstones only accumulate). Two instances answer: the one that served the DELETE (the local stack's API,
 * over HTTP) and a second one in this process with its own caches (another Lambda instance), which learns of the
 * tombstone only when its manifest cache expires.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { uploadKey } from '../functions/adapters/bucket-layout.js';
import { startBenchStack } from './local-stack.js';
import { createDocumentClient } from '../functions/adapters/dynamo/documents.js';
import { DynamoModelStore } from '../functions/adapters/dynamo/dynamo-model-store.js';
import { syntheticInteractions } from '../functions/engine/synthetic/index.js';
import { LOCAL_CREDENTIALS } from '../functions/local/defaults.js';
import type { AppLogger, AppMetrics } from '../functions/observability.js';

export interface ErasureBenchResult {
  ratings: number;
  users: number;
  items: number;
  subjects: {
    kind: 'user' | 'item';
    routes: number;
    deleteMs: number;
    goneHereMs: number;
    goneThereMs: number;
    /** How long one round of the routes took (the resolution of the two figures before). */
    roundMs: number;
  }[];
  manifestCacheMs: number;
}

const DATASET = 'bench-erasure';
/** Listers polled per subject: enough routes to see every kind of mention, few enough for short rounds. */
const MAX_LISTERS = 40;
const MANIFEST_CACHE_MS = 1000; // the API's default (functions/handlers/api.ts)
const silentLogger: AppLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const noMetrics: AppMetrics = {
  addMetric: () => {},
  hasStoredMetrics: () => false,
  publishStoredMetrics: () => {},
} as unknown as AppMetrics;

type Fetch = (path: string, method?: string) => Promise<{ status: number; text: string }>;

/** Whether `text` holds `id` not as part of a longer id. */
function names(text: string, id: string): boolean {
  return new RegExp(`(?<![\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(text);
}

export async function benchErasure(options: { users: number; items: number; ratings: number; subjects: number }) {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  delete process.env.MANIFEST_CACHE_MS; // the deployed default
  // Imported once the environment is set: Powertools reads it when the modules load.
  const { createApp } = await import('../functions/api/app.js');
  const { loadIdHashKey } = await import('../functions/adapters/id-hash-key.js');
  const { stack, s3, stop } = await startBenchStack('erasure');
  const dynamo = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const rows = ['user,item,rating'];
    for (const { user, item, value } of syntheticInteractions({ ...options, seed: 5, timestamps: false }))
      rows.push(`${user},${item},${value}`);
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: uploadKey(DATASET, key), Body: Buffer.from(body) }));
    await put('config.json', JSON.stringify({ models: ['item', 'user'], evaluate: false }));
    await put('ratings.csv', `${rows.join('\n')}\n`);
    await stack.bridge.idle();

    const here: Fetch = async (path, method = 'GET') => {
      const response = await fetch(`${stack.apiUrl}${path}`, { method });
      return { status: response.status, text: await response.text() };
    };
    // Another API instance: its own store, manifest and tombstone caches and row cache, on the same table.
    const key = await loadIdHashKey(process.env);
    const otherApp = createApp({
      store: new DynamoModelStore(createDocumentClient(dynamo), stack.table, {
        manifestCacheMs: MANIFEST_CACHE_MS,
        rowCacheBytes: 128 * 2 ** 20,
      }),
      logger: silentLogger,
      metrics: noMetrics,
      idHashKey: key,
    });
    const there: Fetch = async (path) => {
      const response = await otherApp.request(path);
      return { status: response.status, text: await response.text() };
    };

    const base = `/v1/datasets/${DATASET}`;
    const users = Array.from({ length: options.users }, (_, u) => `u${u}`);
    const items = Array.from({ length: options.items }, (_, i) => `i${i}`);
    const listedBy = async (kind: 'users' | 'items', ids: readonly string[]) => {
      const lists = new Map<string, string[]>();
      for (const id of ids) {
        const { text } = await here(`${base}/${kind}/${id}/similar?limit=100`);
        for (const { id: other } of (JSON.parse(text) as { similar?: { id: string }[] }).similar ?? [])
          lists.set(other, [...(lists.get(other) ?? []), id]);
      }
      return [...lists].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    };
    const result: ErasureBenchResult = { ...options, subjects: [], manifestCacheMs: MANIFEST_CACHE_MS };
    const byUser = (await listedBy('users', users)).slice(0, options.subjects);
    const byItem = (await listedBy('items', items)).slice(0, options.subjects);
    const cases = [
      ...byUser.map(([id, listers]) => ({
        kind: 'user' as const,
        id,
        routes: listers
          .slice(0, MAX_LISTERS)
          .flatMap((user) => [
            `${base}/users/${user}/similar?limit=100`,
            `${base}/users/${user}/recommendations?algorithm=user&limit=100&explain=true`,
          ]),
        own: `${base}/users/${id}/recommendations?limit=100`,
      })),
      ...byItem.map(([id, listers]) => ({
        kind: 'item' as const,
        id,
        routes: [
          ...listers.slice(0, MAX_LISTERS).map((item) => `${base}/items/${item}/similar?limit=100`),
          `${base}/popular?limit=100`,
        ],
        own: undefined,
      })),
    ];
    for (const subject of cases) {
      const gone = async (fetcher: Fetch) => {
        const answers = await Promise.all(subject.routes.map((path) => fetcher(path)));
        if (answers.some(({ text }) => names(text, subject.id))) return false;
        if (!subject.own) return true;
        const own = JSON.parse((await fetcher(subject.own)).text) as { fallback?: { reason: string } };
        return own.fallback?.reason === 'unknown-user';
      };
      // Both instances have read the manifest, the tombstones and the rows (warm, as under traffic).
      if ((await gone(here)) || (await gone(there)))
        throw new Error(`${subject.id} is named nowhere before its DELETE`);
      const sent = performance.now();
      const answer = await here(`${base}/${subject.kind}s/${subject.id}`, 'DELETE');
      const answered = performance.now();
      if (answer.status !== 200) throw new Error(`DELETE ${subject.id}: ${answer.status} ${answer.text}`);
      const rounds: number[] = [];
      /** When the first clean round started, after the DELETE's answer. */
      const until = async (fetcher: Fetch) => {
        for (;;) {
          const started = performance.now();
          const clean = await gone(fetcher);
          rounds.push(performance.now() - started);
          if (clean) return started - answered;
          if (performance.now() - answered > 30_000) throw new Error(`${subject.id} still named after 30 s`);
        }
      };
      const [goneHereMs, goneThereMs] = await Promise.all([until(here), until(there)]);
      const roundMs = rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
      result.subjects.push({
        kind: subject.kind,
        routes: subject.routes.length,
        deleteMs: answered - sent,
        goneHereMs,
        goneThereMs,
        roundMs,
      });
      console.error(
        `${subject.kind} ${subject.id}: DELETE ${(answered - sent).toFixed(0)} ms; gone here ${goneHereMs.toFixed(0)} ms, ` +
          `there ${goneThereMs.toFixed(0)} ms (${subject.routes.length} routes, rounds of ${roundMs.toFixed(0)} ms)`,
      );
    }
    return result;
  } finally {
    dynamo.destroy();
    await stop();
  }
}
