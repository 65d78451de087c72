// `affinity events` as a user runs it (a child process): a file of events in batches of 500 against the local stack,
// a resend counted as duplicates, a gzipped CSV, a refused batch named by the file's line numbers, and 503 / 429
// answers (from a stand-in API, which the local stack cannot be made to give) retried until the batch is stored.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../functions/adapters/store-contract.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'affinity-cli-events-'));

async function affinity(args: string[], dataDir = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, AFFINITY_DATA_DIR: dataDir },
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function writeStackFile(dataDir: string, apiUrl: string, bucket = 'unused', s3Endpoint = 'http://127.0.0.1:1') {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, 'stack.json'),
    JSON.stringify({ apiUrl, bucket, region: 'us-east-1', s3Endpoint, local: true }),
  );
}

const jsonl = (events: object[]) => events.map((event) => JSON.stringify(event)).join('\n') + '\n';

describe('affinity events against the local stack', () => {
  let env: PipelineStack;
  const DATASET = 'cli-live';
  beforeAll(async () => {
    env = await startPipelineStack();
    writeStackFile(dir, env.stack.apiUrl, env.stack.bucket, env.stack.s3Endpoint);
    await env.upload(`uploads/${DATASET}/ratings.csv`, 'user,item,rating\nalice,a,5\nalice,b,3\nbob,a,4\nbob,c,2\n');
  });
  afterAll(async () => {
    await env?.stop();
  });

  const stored = async () => {
    const events: LiveEvent[] = [];
    for await (const page of env.store.scanLiveEvents(DATASET, { to: '9999-12-31T00:00:00.000Z' }))
      events.push(...page);
    return events;
  };

  it('sends 1,001 events in three batches (500, 500, 1) with progress on stderr; a resend is all duplicates', async () => {
    const file = join(dir, 'events.jsonl');
    const events = Array.from({ length: 1001 }, (_, i) => ({
      eventId: `e${i}`,
      user: `u${i % 97}`,
      item: 'abc'[i % 3],
    }));
    writeFileSync(file, jsonl(events));
    const first = await affinity(['events', file, '--dataset', DATASET, '--json']);
    expect(first.stderr).toMatch(/^events: 500 sent \(line 500\)/m);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ events: 1001, batches: 3, accepted: 1001, duplicates: 0 });
    expect((await stored()).length).toBe(1001);

    const again = await affinity(['events', file, '--dataset', DATASET]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Sent 1,001 events .* in 3 batch\(es\): 0 stored, 1,001 duplicates/);
    expect((await stored()).length).toBe(1001);
  });

  it('reads a gzipped CSV with a header (empty cells are absent fields)', async () => {
    const file = join(dir, 'events.csv.gz');
    writeFileSync(
      file,
      gzipSync('eventId,user,item,value,timestamp\nc1,carol,a,4,\nc2,carol,b,,2026-12-01T10:00:00Z\n'),
    );
    const run = await affinity(['events', file, '--dataset', DATASET, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: 2, accepted: 2 });
    const carol = await env.store.getUserLiveEvents(DATASET, 'carol');
    expect(
      carol
        .map(({ item, value, timestamp }) => ({ item, value, timestamp }))
        .sort((a, b) => a.item.localeCompare(b.item)),
    ).toEqual([
      { item: 'a', value: 4, timestamp: undefined },
      { item: 'b', value: undefined, timestamp: '2026-12-01T10:00:00Z' },
    ]);
  });

  it('stops at the first refused batch, naming the lines; the batches before it are stored', async () => {
    const file = join(dir, 'bad.jsonl');
    const events: object[] = Array.from({ length: 800 }, (_, i) => ({ eventId: `b${i}`, user: 'dave', item: 'a' }));
    events[702] = { eventId: 'b702', user: 'dave', item: 'a', timestamp: 'last tuesday' }; // line 703
    writeFileSync(file, jsonl(events));
    const run = await affinity(['events', file, '--dataset', DATASET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'the batch of lines 501-800 was refused (none of it stored; the batches before it were)',
    );
    expect(run.stderr).toMatch(
      /line 703: timestamp: timestamp 'last tuesday' is neither a number nor an ISO-8601 date/,
    );
    expect((await env.store.getUserLiveEvents(DATASET, 'dave')).length).toBe(500);
  });

  it('refuses a line that is not an event before sending its batch', async () => {
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, '{"user":"erin","item":"a"}\n[1,2]\n');
    const run = await affinity(['events', file, '--dataset', DATASET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broken.jsonl line 2 is not a JSON object');
    expect(await env.store.getUserLiveEvents(DATASET, 'erin')).toEqual([]);
  });
});

describe('affinity events when the API throttles or fails', () => {
  let server: Server;
  const answers = [503, 429, 200];
  const received: number[] = [];
  const dataDir = join(dir, 'flaky');
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push((JSON.parse(body) as { events: unknown[] }).events.length);
        const status = answers[received.length - 1] ?? 200;
        response.writeHead(status, {
          'content-type': status === 200 ? 'application/json' : 'application/problem+json',
          ...(status === 429 ? { 'retry-after': '0' } : {}),
        });
        response.end(
          JSON.stringify(
            status === 200
              ? { dataset: 'd', accepted: 2, duplicates: 0, receivedAt: new Date().toISOString() }
              : { status, title: 'busy', detail: 'try again' },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    writeStackFile(dataDir, `http://127.0.0.1:${port}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries 503 and 429 with back-off until the batch is stored', async () => {
    const file = join(dir, 'two.jsonl');
    writeFileSync(
      file,
      jsonl([
        { eventId: '1', user: 'u', item: 'a' },
        { eventId: '2', user: 'u', item: 'b' },
      ]),
    );
    const run = await affinity(['events', file, '--dataset', 'd', '--json'], dataDir);
    expect(run.code).toBe(0);
    expect(received).toEqual([2, 2, 2]);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: 2, batches: 1, accepted: 2 });
  });

  it('gives up after --retries attempts with the last answer', async () => {
    answers.splice(0, answers.length, 503, 503, 503, 503);
    received.length = 0;
    const file = join(dir, 'two.jsonl');
    const run = await affinity(['events', file, '--dataset', 'd', '--retries', '2'], dataDir);
    expect(run.code).toBe(2);
    expect(received).toEqual([2, 2]);
    expect(run.stderr).toContain('503 busy');
  });
});
