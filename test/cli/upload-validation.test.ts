// `affinity upload` / `status` / `jobs` and the build's validation, as a user runs them (child processes against
// the local stack): the upload prints the validation table from the job record, says when the promotion gate
// held the version back and how to serve it anyway; status names the active model.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'affinity-cli-validation-'));

async function affinity(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, AFFINITY_DATA_DIR: dir },
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function writeCsv(name: string, seed: number, users: number, userPrefix: string): string {
  const lines = ['user,item'];
  const options = { users, items: 120, ratings: users * 20, seed, implicit: true, timestamps: false, userPrefix };
  for (const { user, item } of syntheticInteractions(options)) lines.push(`${user},${item}`);
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack();
  const { apiUrl, bucket, region, s3Endpoint } = env.stack;
  writeFileSync(join(dir, 'stack.json'), JSON.stringify({ apiUrl, bucket, region, s3Endpoint, local: true }));
});
afterAll(async () => {
  await env?.stop();
});

describe('upload and status show the validation', () => {
  it('prints the table, names the active model, and says when the gate held a version back', async () => {
    const upload = await affinity(['upload', writeCsv('a.csv', 7, 300, 'u'), '--dataset', 'gated']);
    expect(upload.stderr).not.toMatch(/^error/m);
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(/Build \w+: succeeded \(version [^,)]+\)/);
    expect(upload.stdout).toMatch(/Validation: \d+ users, a random 20% held out/);
    expect(upload.stdout).toMatch(/^ {2}model +nDCG@10 +Recall@10 +HitRate@10 +coverage/m);
    expect(upload.stdout).toMatch(/^ {4}popularity +0\.\d{4}/m);
    const chosen = /^ {2}\* (\S.*?\)) +0\.\d{4}/m.exec(upload.stdout)?.[1];
    expect(chosen).toBeDefined();
    expect(upload.stdout).toContain(`${chosen} has the best validation NDCG@10`);

    const status = await affinity(['status', '--dataset', 'gated']);
    expect(status.code).toBe(0);
    const state = JSON.parse(status.stdout) as { activeModel: string; activeVersion: string };
    expect(state.activeModel).toBe(chosen);

    // recommend --dataset without --algorithm: the active version's model, named in the output.
    const name = chosen!.split(' ')[0];
    const recommend = await affinity(['recommend', '--dataset', 'gated', '--user', 'u1']);
    expect(recommend.code).toBe(0);
    expect(recommend.stdout).toContain(
      `${name === 'user-knn' ? 'user' : 'item'}-based collaborative filtering (${name})`,
    );

    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ model: 'item-knn', k: 1, promotionGate: { maxNdcgDrop: 0.05 } }));
    expect((await affinity(['upload', config, '--dataset', 'gated', '--key', 'config.json'])).code).toBe(0);
    const gated = await affinity(['upload', writeCsv('more.csv', 8, 60, 'w'), '--dataset', 'gated']);
    expect(gated.code).toBe(0);
    const version = /version (\S+), kept but NOT activated: the promotion gate held it back/.exec(gated.stdout)?.[1];
    expect(version).toBeDefined();
    expect(gated.stdout).toMatch(/Promotion gate held this version back: validation NDCG@10 0\.\d{4} against 0\.\d{4}/);
    expect(gated.stdout).toMatch(/^ {2}\* item-knn \(cosine, k 1\)/m);
    expect(gated.stdout).toContain(`To serve it anyway: affinity rollback --dataset gated --version ${version}`);

    const after = JSON.parse((await affinity(['status', '--dataset', 'gated'])).stdout) as typeof state;
    expect(after).toMatchObject({ activeVersion: state.activeVersion, activeModel: chosen });
    expect((await affinity(['jobs', '--dataset', 'gated'])).stdout).toMatch(
      new RegExp(`succeeded +\\S+ +${version} .*\\(kept, not activated: promotion gate\\)`),
    );
  });
});
