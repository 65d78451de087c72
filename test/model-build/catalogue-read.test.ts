// How a build finds and reads the dataset's catalogue (functions/model-build/catalogue.ts). The races S3 can have
// between a listing and a read (a replaced object: 412 on If-Match) come from an SDK client mock.
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../functions/engine/model-config.js';
import { UserInputError } from '../../functions/engine/types.js';
import { readCatalogue } from '../../functions/model-build/catalogue.js';

const s3 = new S3Client({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3Mock = mockClient(s3);
const config = parseModelConfig({});
const body = (text: string) => ({
  Body: Readable.from([Buffer.from(text)]) as never,
  ContentLength: text.length,
});

beforeEach(() => s3Mock.reset());

describe('readCatalogue', () => {
  it('is undefined without a catalogue; other items.* names are not catalogues', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'uploads/d/items.csv.bak', ETag: '"e"' }] });
    await expect(readCatalogue(s3, 'b', 'd', config)).resolves.toBeUndefined();
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix).toBe('uploads/d/items.');
  });

  it('fails naming both files when a dataset has two catalogues', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'uploads/d/items.jsonl.gz', ETag: '"a"' },
        { Key: 'uploads/d/items.csv', ETag: '"b"' },
      ],
    });
    const failure = readCatalogue(s3, 'b', 'd', config);
    await expect(failure).rejects.toThrow(UserInputError);
    await expect(failure).rejects.toThrow('uploads/d/items.csv, uploads/d/items.jsonl.gz');
  });

  it('reads the object its listing named (If-Match), and lists again when it was replaced in between', async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'uploads/d/items.csv', ETag: '"old"', Size: 20 }] })
      .resolves({ Contents: [{ Key: 'uploads/d/items.csv', ETag: '"new"', Size: 20 }] });
    s3Mock
      .on(GetObjectCommand, { IfMatch: '"old"' })
      .rejects(
        new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          message: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        }),
      )
      .on(GetObjectCommand, { IfMatch: '"new"' })
      .resolves({ ...body('item,title\nn1,New\n'), ETag: '"new"' });
    const catalogue = await readCatalogue(s3, 'b', 'd', config);
    expect([...(catalogue?.entries.values() ?? [])]).toEqual([{ item: 'n1', title: 'New' }]);
    // attributes: the declared ones (none in this config), which request-time filters may name.
    expect(catalogue?.source).toEqual({
      key: 'uploads/d/items.csv',
      eTag: 'new',
      size: 18,
      rows: 1,
      items: 1,
      attributes: [],
    });
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(2);
  });
});
