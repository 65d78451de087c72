/**
 * A versioned S3 bucket in memory, behind an SDK client mock: what the deployed bucket does and the local s3rver
 * does not (s3rver keeps no versions and ignores If-Match on writes). Implements the calls `affinity purge-user`
 * makes: ListObjectsV2, GetObject (If-Match, VersionId), HeadObject, PutObject and DeleteObject (If-Match; a
 * delete without a version id adds a delete marker), ListObjectVersions (paged), GetBucketVersioning.
 * `beforeWrite` runs before each conditional write is judged: a test changes an object there, as another writer
 * would between the purge's read and its write. Times step one second per write (S3 lists whole seconds).
 */
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeVersion {
  versionId: string;
  body: Buffer | undefined; // undefined: a delete marker
  eTag: string;
  lastModified: Date;
}

export class FakeVersionedBucket {
  readonly client = new S3Client({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  readonly mock: ReturnType<typeof mockClient>;
  /** Every version of every key, oldest first. */
  readonly versions = new Map<string, FakeVersion[]>();
  beforeWrite: (command: 'put' | 'delete', key: string) => void = () => undefined;
  /** Runs after each GetObject of a current object (a test replaces it there, between a read and the next). */
  afterGet: (key: string) => void = () => undefined;
  /** Answer GetObject whatever its If-Match says, as s3rver does. */
  ignoreIfMatchOnGet = false;
  /** How far the clock moves per write: 0 puts writes in the same second (`advance` moves it). */
  tickMs = 1000;
  /** Page size of ListObjectVersions (small, so paging is exercised). */
  versionPage = 3;
  private clock = Date.parse('2026-03-01T00:00:00Z');
  private serial = 0;

  /** `everyClient`: mock every S3Client (for code that creates its own), else only `client`. */
  constructor(options: { everyClient?: boolean } = {}) {
    this.mock = options.everyClient ? mockClient(S3Client) : mockClient(this.client);
    const mock = this.mock;
    mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; MaxKeys?: number }) => {
      const contents = [...this.versions.keys()]
        .filter((key) => key.startsWith(input.Prefix ?? '') && this.current(key))
        .sort()
        .map((key) => {
          const v = this.current(key)!;
          return { Key: key, ETag: `"${v.eTag}"`, Size: v.body!.length, LastModified: v.lastModified };
        })
        .slice(0, input.MaxKeys ?? 1000);
      return { Contents: contents, IsTruncated: false };
    });
    mock.on(GetObjectCommand).callsFake((input: { Key: string; VersionId?: string; IfMatch?: string }) => {
      const version = input.VersionId
        ? this.versions.get(input.Key)?.find((v) => v.versionId === input.VersionId)
        : this.current(input.Key);
      if (!version?.body) throw s3Error('NoSuchKey', 404);
      if (!this.ignoreIfMatchOnGet && input.IfMatch && input.IfMatch !== `"${version.eTag}"`)
        throw s3Error('PreconditionFailed', 412);
      if (!input.VersionId) queueMicrotask(() => this.afterGet(input.Key));
      // A stream with the SDK's helpers (the config is read with transformToString).
      const bytes = version.body;
      const body = Object.assign(Readable.from([bytes]), {
        transformToString: async (encoding?: BufferEncoding) => bytes.toString(encoding ?? 'utf8'),
        transformToByteArray: async () => new Uint8Array(bytes),
      });
      const headers = { ContentType: 'text/csv', CacheControl: 'no-cache', Metadata: { source: 'crm-export' } };
      return { Body: body, ETag: `"${version.eTag}"`, ...headers } as never;
    });
    mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
      const version = this.current(input.Key);
      if (!version) throw s3Error('NotFound', 404);
      return { ETag: `"${version.eTag}"` };
    });
    mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: Readable; IfMatch?: string }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.Body) chunks.push(chunk as Buffer);
      this.beforeWrite('put', input.Key);
      this.checkMatch(input.Key, input.IfMatch);
      const version = this.put(input.Key, Buffer.concat(chunks));
      return { ETag: `"${version.eTag}"`, VersionId: version.versionId };
    });
    mock.on(DeleteObjectCommand).callsFake((input: { Key: string; VersionId?: string; IfMatch?: string }) => {
      if (input.VersionId) {
        const list = this.versions.get(input.Key) ?? [];
        this.versions.set(
          input.Key,
          list.filter((v) => v.versionId !== input.VersionId),
        );
        return {};
      }
      this.beforeWrite('delete', input.Key);
      this.checkMatch(input.Key, input.IfMatch);
      this.remove(input.Key);
      return { DeleteMarker: true };
    });
    mock
      .on(ListObjectVersionsCommand)
      .callsFake((input: { Prefix?: string; KeyMarker?: string; VersionIdMarker?: string }) => {
        // S3 lists keys in order, each key's versions newest first.
        const all = [...this.versions.keys()]
          .filter((key) => key.startsWith(input.Prefix ?? ''))
          .sort()
          .flatMap((key) => {
            const list = this.versions.get(key)!;
            return [...list].reverse().map((v, k) => ({ key, v, latest: k === 0 }));
          });
        let start = 0;
        if (input.KeyMarker) {
          start = all.findIndex((e) => e.key === input.KeyMarker && e.v.versionId === input.VersionIdMarker) + 1;
        }
        const page = all.slice(start, start + this.versionPage);
        const last = page.at(-1);
        const truncated = start + this.versionPage < all.length;
        const entry = (e: (typeof all)[number]) => ({
          Key: e.key,
          VersionId: e.v.versionId,
          IsLatest: e.latest,
          LastModified: e.v.lastModified,
          ETag: `"${e.v.eTag}"`,
        });
        return {
          Versions: page.filter((e) => e.v.body).map(entry),
          DeleteMarkers: page.filter((e) => !e.v.body).map(entry),
          IsTruncated: truncated,
          NextKeyMarker: truncated ? last?.key : undefined,
          NextVersionIdMarker: truncated ? last?.v.versionId : undefined,
        };
      });
  }

  /** An upload (also used by tests to set up and to change objects under the purge). */
  put(key: string, body: string | Buffer): FakeVersion {
    return this.add(key, Buffer.isBuffer(body) ? body : Buffer.from(body));
  }

  /** A delete without a version id: a delete marker becomes the current version. */
  remove(key: string): void {
    this.add(key, undefined);
  }

  current(key: string): FakeVersion | undefined {
    const latest = this.versions.get(key)?.at(-1);
    return latest?.body ? latest : undefined;
  }

  text(key: string): string | undefined {
    return this.current(key)?.body?.toString('utf8');
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  private add(key: string, body: Buffer | undefined): FakeVersion {
    this.clock += this.tickMs;
    const version: FakeVersion = {
      versionId: `v${++this.serial}`,
      body,
      eTag: body ? createHash('md5').update(body).digest('hex') : '',
      lastModified: new Date(this.clock),
    };
    this.versions.set(key, [...(this.versions.get(key) ?? []), version]);
    return version;
  }

  private checkMatch(key: string, ifMatch: string | undefined): void {
    const current = this.current(key);
    if (ifMatch !== undefined && (!current || ifMatch !== `"${current.eTag}"`))
      throw s3Error('PreconditionFailed', 412);
  }
}

export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode: status } });
}
