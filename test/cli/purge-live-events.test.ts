// `affinity purge-user` on the folded live-event files: they are read as the build reads them (JSON Lines with the
// events' own fields, whatever the config says of the uploads' columns), and on a pseudonymised dataset the purge
// also removes the user's pseudonym (which the event files hold; the uploads hold the raw id), refusing without the key.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveEventFileKey } from '../../functions/adapters/live-event-files.js';
import { purgeUsers } from '../../functions/cli/purge-run.js';
import { pseudonymOf } from '../../functions/engine/privacy/index.js';
import { UserInputError } from '../../functions/engine/types.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

let env: PipelineStack;
beforeAll(async () => {
  env = await startPipelineStack();
});
afterAll(async () => {
  await env?.stop();
});

const KEY = new Uint8Array(32).fill(3);
/** A line as the fold writes it (functions/model-build/live-fold.ts lineOf): the event's own fields. */
const eventLine = (user: string, item: string, value: number) =>
  `${JSON.stringify({ user, item, value, timestamp: '2026-01-01T00:00:00.000Z', type: null, receivedAt: '2026-01-01T00:00:00.000Z', eventId: `${user}-${item}`, n: 1 })}\n`;
const put = (key: string, body: string) =>
  env.s3.send(new PutObjectCommand({ Bucket: env.stack.bucket, Key: key, Body: body }));
const textOf = async (key: string) =>
  (await env.s3.send(new GetObjectCommand({ Bucket: env.stack.bucket, Key: key }))).Body!.transformToString();

describe('purge-user and the live-event files', () => {
  it("reads an event file by the events' own fields when the uploads name their columns otherwise", async () => {
    await put('uploads/pe/config.json', JSON.stringify({ input: { columns: { user: 'member', item: 'article' } } }));
    await put('uploads/pe/a.csv', 'member,article,rating\nalice,x,1\nbob,x,2\n');
    const events = liveEventFileKey('pe', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    await put(events, eventLine('alice', 'y', 1) + eventLine('bob', 'y', 2));
    const report = await purgeUsers(env.s3, env.stack.bucket, { dataset: 'pe', users: new Set(['alice']) });
    expect(report.files.find((f) => f.key === events)?.removed).toBe(1);
    expect(await textOf(events)).toBe(eventLine('bob', 'y', 2));
    expect(await textOf('uploads/pe/a.csv')).toBe('member,article,rating\nbob,x,2\n');
  });

  it('removes the pseudonym from the event files of a pseudonymised dataset, and refuses without the key', async () => {
    const alice = pseudonymOf(KEY, 'alice');
    await put('uploads/pp/config.json', JSON.stringify({ pseudonymizeUsers: true }));
    await put('uploads/pp/a.csv', 'user,item,rating\nalice,x,1\nbob,x,2\n');
    const events = liveEventFileKey('pp', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    const bob = pseudonymOf(KEY, 'bob');
    await put(events, eventLine(alice, 'y', 1) + eventLine(bob, 'y', 2));

    const refused = purgeUsers(env.s3, env.stack.bucket, { dataset: 'pp', users: new Set(['alice']) });
    await expect(refused).rejects.toBeInstanceOf(UserInputError);
    await expect(refused).rejects.toThrow(/id hashing key/);
    expect(await textOf(events)).toContain(alice); // nothing written

    await purgeUsers(env.s3, env.stack.bucket, { dataset: 'pp', users: new Set(['alice']), idHashKey: KEY });
    expect(await textOf(events)).toBe(eventLine(bob, 'y', 2));
    expect(await textOf('uploads/pp/a.csv')).toBe('user,item,rating\nbob,x,2\n');
  });
});
