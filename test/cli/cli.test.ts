// The `affinity` command as a user runs it: a child process, its exit code and what it prints.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'affinity-cli-'));

/** Runs the CLI without blocking this process (the local stack serves from it). */
async function affinity(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, AFFINITY_DATA_DIR: dir, ...env },
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// alice and bob share a and b; carol rated b and c. Cosine item-item on these three items, by hand:
// a = (alice 5, bob 4), b = (alice 3, bob 5, carol 4), c = (carol 2)
// sim(a,b) = (5*3 + 4*5) / (sqrt(25+16) * sqrt(9+25+16)) = 35 / (6.4031 * 7.0711) = 0.7730
// sim(b,c) = (4*2) / (7.0711 * 2) = 0.5657; sim(a,c) = 0
const RATINGS =
  'user\titem\trating\ttimestamp\nalice\ta\t5\t1\nalice\tb\t3\t2\nbob\ta\t4\t3\nbob\tb\t5\t4\ncarol\tb\t4\t5\ncarol\tc\t2\t6\n';
const SIM_AB = 35 / (Math.sqrt(41) * Math.sqrt(50));
const SIM_BC = 8 / (Math.sqrt(50) * 2);

describe('engine commands on a file', () => {
  const file = join(dir, 'ratings.tsv');
  beforeAll(() => writeFileSync(file, RATINGS));

  it('similar --item prints neighbours with hand-computed similarities', async () => {
    const { code, stdout } = await affinity(['similar', '--file', file, '--item', 'b', '--json']);
    expect(code).toBe(0);
    const neighbours = JSON.parse(stdout) as { id: string; similarity: number }[];
    expect(neighbours.map((n) => n.id)).toEqual(['a', 'c']);
    expect(neighbours[0].similarity).toBeCloseTo(SIM_AB, 10);
    expect(neighbours[1].similarity).toBeCloseTo(SIM_BC, 10);
  });

  it('recommend --user scores unseen items by Σ sim × rating and explains them', async () => {
    // carol has b (4) and c (2); a is a neighbour of b only: score(a) = sim(b,a) * 4.
    const { code, stdout } = await affinity(['recommend', '--file', file, '--user', 'carol', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      items: { item: string; score: number; because: { id: string; share: number }[] }[];
    };
    expect(result.items.map((i) => i.item)).toEqual(['a']);
    expect(result.items[0].score).toBeCloseTo(SIM_AB * 4, 10);
    expect(result.items[0].because).toMatchObject([{ id: 'b', share: 1 }]);
  });

  it("recommend for an unknown user prints the popularity fallback and each item's interactions", async () => {
    // Users per item in RATINGS: b 3 (alice, bob, carol), a 2 (alice, bob), c 1 (carol).
    const { code, stdout } = await affinity(['recommend', '--file', file, '--user', 'nobody']);
    expect(code).toBe(0);
    expect(stdout).toContain('popularity fallback (unknown user)');
    const lines = stdout.split('\n').filter((line) => line.includes('because'));
    expect(lines.map((line) => line.trim())).toEqual([
      'because popular: 3 interactions',
      'because popular: 2 interactions',
      'because popular: 1 interaction',
    ]);
  });

  it('build --models builds exactly the listed kinds; --mode is refused with how to write it now', async () => {
    // Every user shares an item with another (alice-bob on a and b, carol on b), so all three have neighbours.
    const users = await affinity(['build', file, '--models', 'user', '--json']);
    expect(users.code).toBe(0);
    expect(JSON.parse(users.stdout)).toMatchObject({ config: { models: ['user'] }, itemRows: 0, userRows: 3 });
    // Repeated or comma-separated: a, b and c all have a neighbour (sim(a,b) and sim(b,c) above).
    const both = await affinity(['build', file, '--models', 'user', '--models', 'item', '--json']);
    expect(JSON.parse(both.stdout)).toMatchObject({ config: { models: ['user', 'item'] }, itemRows: 3, userRows: 3 });

    const twice = await affinity(['build', file, '--models', 'item,item']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/models: must be a non-empty list of model kinds \(item, user\), each at most once/);
    const mode = await affinity(['build', file, '--mode', 'both']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('"mode" was replaced by "models"');
    expect(mode.stderr).toContain('--models item,user');
  });

  it('a user mistake exits 2 with what, where and how to fix, and no stack trace', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'user,item,rating\nu1,i1,abc\n');
    const { code, stderr } = await affinity(['build', bad]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: .*no usable rows/m);
    expect(stderr).toMatch(/line 2: rating 'abc' is not a number/);
    expect(stderr).toMatch(/^ {2}fix: /m);
    expect(stderr).not.toMatch(/\n\s+at /);
    const missing = await affinity(['recommend', '--file', join(dir, 'nope.csv'), '--user', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/file not found/);
  });

  it('words errors on the files it is given as the engine does: what, which path, and how to fix it', async () => {
    const absent = join(dir, 'absent.json');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"k": 5,');
    const nothing = join(dir, 'null.json');
    writeFileSync(nothing, 'null');
    const [noConfig, brokenConfig, nullConfig, uploadFolder] = await Promise.all([
      affinity(['build', file, '--config', absent]),
      affinity(['build', file, '--config', broken]),
      affinity(['build', file, '--config', nothing]),
      affinity(['upload', dir, '--dataset', 'd']),
    ]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain(`error: file not found: ${absent}\n  where: ${absent}\n  fix:   check the path`);
    expect(brokenConfig.code).toBe(2);
    expect(brokenConfig.stderr).toContain(`error: ${broken} is not valid JSON`);
    expect(brokenConfig.stderr).toContain('fix:   Write a JSON object such as {"measure":"cosine","k":50}.');
    // Was a TypeError (internal error, exit 1) on reading null.input.
    expect(nullConfig.code).toBe(2);
    expect(nullConfig.stderr).toContain(`error: ${nothing} must hold a JSON object of model options, not null`);
    // Was "no running local stack found": the path was checked for existence only.
    expect(uploadFolder.code).toBe(2);
    expect(uploadFolder.stderr).toContain(`error: ${dir} is a directory, not a file\n  where: ${dir}`);
  });
});

describe('stack commands against the local stack', () => {
  let env: PipelineStack;
  beforeAll(async () => {
    env = await startPipelineStack();
    // What `affinity start` writes for the other commands to find the stack.
    writeFileSync(
      join(dir, 'stack.json'),
      JSON.stringify({
        apiUrl: env.stack.apiUrl,
        bucket: env.stack.bucket,
        region: env.stack.region,
        s3Endpoint: env.stack.s3Endpoint,
        local: true,
      }),
    );
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('upload waits for the build and reports it; recommend/similar --dataset and rollback then work', async () => {
    const file = join(dir, 'ratings.tsv');
    writeFileSync(file, RATINGS);
    const upload = await affinity(['upload', file, '--dataset', 'cli data']);
    expect(upload.stderr).not.toMatch(/^error/m);
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(/Uploaded .* to s3:\/\/.*\/uploads\/cli data\/ratings\.tsv/);
    expect(upload.stdout).toMatch(/Build \w+: succeeded/);
    expect(upload.stdout).toMatch(/6 ratings, 3 users, 3 items/);

    const recommend = await affinity(['recommend', '--dataset', 'cli data', '--user', 'carol', '--json']);
    expect(recommend.code).toBe(0);
    const body = JSON.parse(recommend.stdout) as { items: { item: string; score: number }[] };
    expect(body.items[0].item).toBe('a');
    expect(body.items[0].score).toBeCloseTo(SIM_AB * 4, 10);

    const similar = await affinity(['similar', '--dataset', 'cli data', '--item', 'b']);
    expect(similar.stderr).toBe('');
    expect(similar.code).toBe(0);
    expect(similar.stdout).toContain(`1. a  similarity ${SIM_AB.toFixed(4)}  (2 in common)`);
    expect(similar.stdout).toContain(`2. c  similarity ${SIM_BC.toFixed(4)}  (1 in common)`);

    // Built item-only (the default): user-based CF is refused with the server's what, where and fix.
    const byUser = await affinity(['recommend', '--dataset', 'cli data', '--user', 'carol', '--algorithm', 'user']);
    expect(byUser.code).toBe(2);
    expect(byUser.stderr).toMatch(/^error: 409 Model not built: .*no user model/m);
    expect(byUser.stderr).toMatch(/^ {2}fix: {3}.*"models": \["item", "user"\]\} in uploads\/cli data\/config\.json/m);

    const jobs = await affinity(['jobs', '--dataset', 'cli data']);
    expect(jobs.stdout).toMatch(/succeeded/);
    const rollback = await affinity(['rollback', '--dataset', 'cli data']);
    expect(rollback.code).toBe(2); // only one version: nothing to roll back to
    expect(rollback.stderr).toMatch(/404/);
  });

  it('a failed build is reported with its reason and exit code 3', async () => {
    const bad = join(dir, 'broken.csv');
    writeFileSync(bad, 'user,item,rating\nu1,,5\n');
    const upload = await affinity(['upload', bad, '--dataset', 'cli data']);
    expect(upload.code).toBe(3);
    expect(upload.stdout).toMatch(/failed/);
    expect(upload.stdout).toMatch(/error: .*no usable rows/);
  });

  it('a config upload finishes at once, says it applies to the next data upload, and that upload uses it', async () => {
    const options = join(dir, 'my-options.json');
    writeFileSync(options, JSON.stringify({ k: 1 }));
    // A short --timeout: waiting for a build that never starts would exit 2 after 5 s instead of 15 minutes.
    const upload = await affinity([
      'upload',
      options,
      '--dataset',
      'cli config',
      '--key',
      'config.json',
      '--timeout',
      '5',
    ]);
    expect(upload.stderr).not.toMatch(/^error/m);
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(/Uploaded .* to s3:\/\/.*\/uploads\/cli config\/config\.json/);
    expect(upload.stdout).toMatch(/applies to the next upload of interaction data/);
    expect(upload.stdout).not.toMatch(/Build /);

    const file = join(dir, 'ratings.tsv');
    writeFileSync(file, RATINGS);
    const ratings = await affinity(['upload', file, '--dataset', 'cli config']);
    expect(ratings.code).toBe(0);
    const status = await affinity(['status', '--dataset', 'cli config']);
    const { versions } = JSON.parse(status.stdout) as { versions: { options: { similarity: { k: number } } }[] };
    expect(versions[0].options.similarity.k).toBe(1);
    // With k = 1, b keeps only its nearest neighbour: a (0.7730) beats c (0.5657).
    const similar = await env.api<{ similar: { id: string; similarity: number }[] }>(
      '/v1/datasets/cli%20config/items/b/similar',
    );
    expect(similar.body.similar.map((n) => n.id)).toEqual(['a']);
    expect(similar.body.similar[0].similarity).toBeCloseTo(SIM_AB, 10);
  });

  it.each([
    ['an unknown key', '{"neighbors": 5}', /invalid model configuration: .*neighbors/],
    ['a value out of range', '{"k": 0}', /invalid model configuration: k:/],
    ['text that is not JSON', 'k = 5', /is not valid JSON/],
  ])(
    'a config with %s is refused before the upload (exit 2), and nothing is uploaded',
    async (_case, text, message) => {
      const options = join(dir, 'bad-options.json');
      writeFileSync(options, text);
      const upload = await affinity([
        'upload',
        options,
        '--dataset',
        'cli bad config',
        '--key',
        'config.json',
        '--timeout',
        '5',
      ]);
      expect(upload.code).toBe(2);
      expect(upload.stderr).toMatch(message);
      expect(upload.stderr).toMatch(/^ {2}where: .*bad-options\.json/m);
      expect(upload.stderr).toMatch(/^ {2}fix: /m);
      const head = env.s3.send(
        new HeadObjectCommand({ Bucket: env.stack.bucket, Key: 'uploads/cli bad config/config.json' }),
      );
      await expect(head).rejects.toMatchObject({ name: 'NotFound' });
    },
  );

  it('an upload the build would ignore (dataset name over 128 bytes) is refused instead of waited for', async () => {
    const file = join(dir, 'ratings.tsv');
    const upload = await affinity(['upload', file, '--dataset', 'd'.repeat(129), '--timeout', '5']);
    expect(upload.code).toBe(2);
    expect(upload.stderr).toMatch(/^error: .*128 bytes/m);
    expect(upload.stdout).not.toMatch(/Uploaded/);
  });
});
