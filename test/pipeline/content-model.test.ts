// Content-based and hybrid models end to end on the real local servers: a build of interactions plus a catalogue
// with two cold items (in the catalogue, nobody interacted with them) serves them to the users whose history shares
// their terms, lists them as similar items, gives them similar items of their own, and explains each content match
// with the terms the two items share. Every expected value follows by hand from the fixtures below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seg, startPipelineStack, jobsOf, type PipelineStack } from '../support/pipeline-stack.js';

// Jazz (j*), rock (r*), news (n*) and podcasts (p*); jnew and rnew are cold: catalogue only.
const CATALOGUE = [
  'item,title,genres,tags,text',
  'j1,Blue Smoke,jazz,live|saxophone,a smoky club night of saxophone',
  'j2,Night Train,jazz,live|piano,piano trio in a smoky club',
  'j3,Late Set,jazz,saxophone,saxophone ballads after midnight',
  'r1,Thunder Road,rock,guitar|loud,stadium riff and drums',
  'r2,Iron Sky,rock,guitar,heavy stadium riff',
  'r3,Wildfire,rock,loud,drums and a riff',
  'n1,Morning Briefing,news,politics,the morning headlines',
  'n2,Evening Briefing,news,politics,the evening headlines',
  'p1,Deep Talk,podcast,interview,long interview about science',
  'p2,Open Mic,podcast,interview,an interview about comedy',
  'jnew,Saxophone Live,jazz,live|saxophone,a smoky club night',
  'rnew,Riff Machine,rock,guitar,stadium riff machine',
]
  .join('\n')
  .concat('\n');

const RATINGS = [
  'user,item',
  'u1,j1',
  'u1,j2',
  'u2,j1',
  'u2,j2',
  'u2,j3',
  'u3,r1',
  'u3,r2',
  'u4,r1',
  'u4,r2',
  'u4,r3',
  'u5,n1',
  'u5,n2',
  'u6,p1',
  'u6,p2',
  'u6,n1',
]
  .join('\n')
  .concat('\n');

/** The terms an item's catalogue row holds (its genre, tags, and title/text words), lowercased, by hand. */
function termsOf(item: string): Set<string> {
  const row = CATALOGUE.split('\n').find((line) => line.startsWith(`${item},`))!;
  const [, title, genres, tags, text] = row.split(',');
  return new Set([genres, ...tags.split('|'), ...`${title} ${text}`.toLowerCase().split(' ')]);
}

interface Because {
  id: string;
  kind: string;
  terms?: string[];
}
interface Recommendations {
  model: string;
  items: { item: string; because?: Because[] }[];
}
interface Similar {
  similar: { id: string; terms?: string[] }[];
}

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

async function build(dataset: string, config: Record<string, unknown>): Promise<void> {
  await env.upload(`uploads/${dataset}/config.json`, JSON.stringify(config));
  env.mode = 'capture';
  await env.upload(`uploads/${dataset}/items.csv`, CATALOGUE);
  env.mode = 'build';
  await env.upload(`uploads/${dataset}/ratings.csv`, RATINGS);
  const [job] = await jobsOf(env, dataset);
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
}

describe.each([
  { model: 'content', dataset: 'content-news' },
  { model: 'hybrid', dataset: 'hybrid-news' },
])('model $model with cold catalogue items', ({ model, dataset }) => {
  const base = `/v1/datasets/${seg(dataset)}`;
  beforeAll(async () => {
    await build(dataset, { model });
  }, 120_000);

  it('recommends the cold jazz item to a jazz listener, never the cold rock one, explained by shared terms', async () => {
    const { status, body } = await env.api<Recommendations>(`${base}/users/u1/recommendations?limit=5`);
    expect(status).toBe(200);
    expect(body.model).toBe(model);
    const listed = body.items.map(({ item }) => item);
    expect(listed).toContain('jnew');
    expect(listed).not.toContain('rnew');
    const jnew = body.items.find(({ item }) => item === 'jnew')!;
    const reasons = (jnew.because ?? []).filter((because) => because.kind === 'item');
    expect(reasons.length).toBeGreaterThan(0);
    for (const because of reasons) {
      // u1's history: j1 and j2. Every term named is one the two catalogue rows share.
      expect(['j1', 'j2']).toContain(because.id);
      const shared = [...termsOf('jnew')].filter((term) => termsOf(because.id).has(term));
      expect(because.terms?.length).toBeGreaterThan(0);
      for (const term of because.terms ?? []) expect(shared).toContain(term);
    }
  });

  it('lists the cold item among the similar items of a jazz item, and gives it jazz neighbours only', async () => {
    const ofJ1 = await env.api<Similar>(`${base}/items/j1/similar?limit=10`);
    expect(ofJ1.status).toBe(200);
    expect(ofJ1.body.similar.map(({ id }) => id)).toContain('jnew');

    const ofCold = await env.api<Similar>(`${base}/items/jnew/similar?limit=10`);
    expect(ofCold.status).toBe(200);
    const ids = ofCold.body.similar.map(({ id }) => id);
    // jnew shares jazz, live/saxophone and words with every jazz item, and nothing with the others.
    expect(new Set(ids)).toEqual(new Set(['j1', 'j2', 'j3']));
    for (const { id, terms } of ofCold.body.similar) {
      expect(terms?.length).toBeGreaterThan(0);
      for (const term of terms ?? []) expect(termsOf(id).has(term) && termsOf('jnew').has(term)).toBe(true);
    }
  });
});
