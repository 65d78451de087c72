// The model choice and the promotion gate end to end (S3 upload -> build handler -> DynamoDB -> API): under the
// default `auto` the build validates every candidate and serves the best by NDCG@10 (two rows of its table are
// recomputed here by brute force, on the same split); the table is in the job record and the dataset status; a
// worse model under a promotion gate is kept, not activated, the job says why, and a rollback to it activates it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../functions/engine/evaluate/index.js';
import { validationSplit } from '../../functions/engine/evaluate/index.js';
import { loadRatings } from '../../functions/engine/ingest/index.js';
import { DEFAULT_EVALUATION_USERS } from '../../functions/engine/model-config.js';
import { syntheticInteractions } from '../../functions/engine/synthetic/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';
import { cosineTopK, rowsOf, topK } from '../support/brute-force.js';
import { jobsOf, seg, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const DATASET = 'choice';
const BASE = `/v1/datasets/${seg(DATASET)}`;

/** Taste clusters, implicit, no timestamps (a seeded random split); small enough for exact EASE and brute force. */
function csvLines(seed: number, users: number, userPrefix: string): string[] {
  const lines: string[] = [];
  for (const { user, item } of syntheticInteractions({
    users,
    items: 120,
    ratings: users * 20,
    seed,
    implicit: true,
    timestamps: false,
    userPrefix,
  }))
    lines.push(`${user},${item}`);
  return lines;
}
const FIRST = csvLines(7, 300, 'u');
const SECOND = csvLines(8, 60, 'w');

interface Job {
  jobId: string;
  status: string;
  version: string;
  message?: string;
  reportKey?: string;
  activated?: false;
  validation?: ValidationReport;
}
interface Status {
  activeVersion: string;
  versions: { version: string; active: boolean; model: { name: string; label: string }; validation?: unknown }[];
}

let env: PipelineStack;
let dir: string;

beforeAll(async () => {
  env = await startPipelineStack();
  dir = mkdtempSync(join(tmpdir(), 'affinity-choice-'));
});
afterAll(async () => {
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The matrix the build reads from these files, in upload order (loaded by the engine's parser, as the build does). */
async function matrixOf(lines: string[]): Promise<RatingMatrix> {
  const file = join(dir, `all-${lines.length}.csv`);
  writeFileSync(file, ['user,item', ...lines].join('\n') + '\n');
  return (await loadRatings(file, { fileName: file })).matrix;
}

/** NDCG@10 (binary gain) by hand, of ranked lists of item ids against each user's held-out item ids. */
function ndcgOf(lists: Map<number, string[]>, heldOut: Map<number, Set<string>>): number {
  let total = 0;
  for (const [user, list] of lists) {
    const relevant = heldOut.get(user)!;
    let dcg = 0;
    list.slice(0, 10).forEach((item, r) => (dcg += relevant.has(item) ? 1 / Math.log2(r + 2) : 0));
    let ideal = 0;
    for (let r = 0; r < Math.min(relevant.size, 10); r++) ideal += 1 / Math.log2(r + 2);
    total += dcg / ideal;
  }
  return total / lists.size;
}

/**
 * Popularity and item-knn (cosine, top k) NDCG@10 on the build's validation split, by brute force: dense train
 * rows, the reference top-k, scores Σ_{j∈history} sim(j, i), ties by item id; popularity by distinct users (and
 * for a user with no item-knn candidate).
 */
function bruteForceNdcg(matrix: RatingMatrix, k: number): { popularity: number; itemKnn: number } {
  const split = validationSplit(matrix, { users: DEFAULT_EVALUATION_USERS, seed: 1 });
  const { train } = split;
  const items = train.items.size;
  const id = (i: number) => train.items.idAt(i);
  const dense = Array.from({ length: train.users.size }, () => new Array<number>(items).fill(0));
  const { indptr, indices, values } = train.byUser;
  for (let u = 0; u < train.users.size; u++)
    for (let p = indptr[u]; p < indptr[u + 1]; p++) dense[u][indices[p]] = values[p];
  const sims = topK(rowsOf(dense, items, 'items'), cosineTopK(k));
  const counts = Array.from({ length: items }, (_, i) => dense.filter((row) => row[i] !== 0).length);
  const byScore = (score: number[]) => (a: number, b: number) =>
    score[b] - score[a] || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);
  const heldOut = new Map<number, Set<string>>();
  const popular = new Map<number, string[]>();
  const knn = new Map<number, string[]>();
  for (const u of split.users) {
    heldOut.set(u, new Set([...split.test.get(u)!].map(id)));
    const unseen = [...Array(items).keys()].filter((i) => dense[u][i] === 0);
    popular.set(u, unseen.sort(byScore(counts)).slice(0, 10).map(id));
    const score = new Array<number>(items).fill(0);
    for (let j = 0; j < items; j++)
      if (dense[u][j] !== 0) for (const n of sims[j]) score[n.neighbour] += n.similarity * dense[u][j];
    const scored = unseen.filter((i) => score[i] > 0).sort(byScore(score));
    // No candidate scored above 0 (k 1 leaves few): the documented fallback, popular unseen items.
    knn.set(u, scored.length > 0 ? scored.slice(0, 10).map(id) : popular.get(u)!);
  }
  return { popularity: ndcgOf(popular, heldOut), itemKnn: ndcgOf(knn, heldOut) };
}

const latestJob = async (): Promise<Job> => (await jobsOf(env, DATASET, 1))[0] as unknown as Job;
const status = async (): Promise<Status> => (await env.api<Status>(BASE)).body;

describe('model auto and the promotion gate', () => {
  let first: Job;

  it('auto serves the best candidate by validation NDCG@10; the table is in the job and the dataset status', async () => {
    await env.upload(`uploads/${DATASET}/a.csv`, ['user,item', ...FIRST].join('\n') + '\n');
    first = await latestJob();
    expect(first.status).toBe('succeeded');
    expect(first.activated).toBeUndefined();
    const validation = first.validation!;
    const names = validation.candidates.map((c) => c.name);
    expect(names[0]).toBe('popularity');
    expect(names).toEqual(expect.arrayContaining(['item-knn (cosine, k 50)', 'user-knn (cosine, k 50)']));
    expect(names.filter((name) => name.startsWith('ease ('))).toHaveLength(3); // the λ grid
    // The chosen one is the argmax of the table (popularity never chosen).
    const models = validation.candidates.slice(1);
    const best = Math.max(...models.map((c) => c.ndcg));
    expect(models.find((c) => c.name === validation.chosen)!.ndcg).toBe(best);

    // Two rows recomputed by brute force on the same split.
    const expected = bruteForceNdcg(await matrixOf(FIRST), 50);
    expect(validation.candidates[0].ndcg).toBeCloseTo(expected.popularity, 9);
    expect(validation.candidates.find((c) => c.name === 'item-knn (cosine, k 50)')!.ndcg).toBeCloseTo(
      expected.itemKnn,
      9,
    );

    const state = await status();
    expect(state.activeVersion).toBe(first.version);
    const active = state.versions.find((v) => v.version === state.activeVersion)!;
    expect(active.model.label).toBe(validation.chosen);
    expect(active.validation).toMatchObject({
      chosen: validation.chosen,
      candidates: validation.candidates.map((c) => ({ name: c.name, ndcg: Number(c.ndcg.toPrecision(6)) })),
    });
    // The version's S3 report has the model served and the whole table.
    const report = (await env.getJson(first.reportKey!))!;
    expect(report.model).toEqual(models.find((c) => c.name === validation.chosen)!.spec);
    expect(report.validation).toEqual(validation);

    // Recommendations come from the chosen model's rows, and say so.
    const chosenModel = validation.candidates.find((c) => c.name === validation.chosen)!.spec!.model;
    const recs = await env.api<{ model: string; algorithm: string }>(`${BASE}/users/u1/recommendations`);
    expect(recs.body).toMatchObject({ model: chosenModel, algorithm: chosenModel === 'user-knn' ? 'user' : 'item' });
  });

  it('the gate keeps a worse version inactive, says why, and a rollback to it activates it', async () => {
    const gated = { model: 'item-knn', k: 1, promotionGate: { maxNdcgDrop: 0.05 } };
    await env.upload(`uploads/${DATASET}/config.json`, JSON.stringify(gated));
    await env.upload(`uploads/${DATASET}/more.csv`, ['user,item', ...SECOND].join('\n') + '\n');
    const job = await latestJob();
    expect(job.jobId).not.toBe(first.jobId);
    expect(job.status).toBe('succeeded');
    expect(job.activated).toBe(false);
    const { gate, active, candidates } = job.validation!;
    expect(candidates.map((c) => c.name)).toEqual(['popularity', 'item-knn (cosine, k 1)']);
    // The new model's score, by brute force on the new data (both files, in upload order).
    const expected = bruteForceNdcg(await matrixOf([...FIRST, ...SECOND]), 1);
    expect(gate!.newNdcg).toBeCloseTo(expected.itemKnn, 9);
    expect(active!.name).toBe(first.validation!.chosen); // the active model, retrained on the same data
    expect(gate!.activeNdcg).toBe(active!.ndcg);
    expect(gate!.newNdcg).toBeLessThan(gate!.activeNdcg * (1 - 0.05)); // so the gate must fail
    expect(gate!.passed).toBe(false);
    expect(job.message).toBe(gate!.message);
    expect(job.message).toMatch(/held this version back.*kept, not active/);

    const state = await status();
    expect(state.activeVersion).toBe(first.version);
    expect(state.versions.map((v) => [v.version, v.active])).toEqual([
      [job.version, false],
      [first.version, true],
    ]);
    expect(state.versions[0].model.label).toBe('item-knn (cosine, k 1)');
    expect((await env.api<{ model: string }>(`${BASE}/users/u1/recommendations`)).body.model).not.toBe('item-knn');

    const rollback = await env.api(`${BASE}/rollback`, { method: 'POST', body: { version: job.version } });
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ activeVersion: job.version, previousVersion: first.version });
    const recs = await env.api<{ model: string; version: string }>(`${BASE}/users/w1/recommendations`);
    expect(recs.body).toMatchObject({ model: 'item-knn', version: job.version });
  });
});
