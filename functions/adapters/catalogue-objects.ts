/**
 * Finding a dataset's catalogue object: one ListObjectsV2 of `uploads/<dataset>/items.` (the build role's
 * s3:ListBucket), keeping the exact catalogue names (bucket-layout.ts). The listing gives each object's ETag, which
 * then pins the read (s3-objects.ts), so a build reads the catalogue object it listed and no other.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CATALOGUE_FILES, uploadKey } from './bucket-layout.js';

export interface ListedObject {
  key: string;
  eTag?: string;
  size?: number;
}

export async function listCatalogueObjects(s3: S3Client, bucket: string, dataset: string): Promise<ListedObject[]> {
  const wanted = new Set(CATALOGUE_FILES.map((file) => uploadKey(dataset, file)));
  const found: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: uploadKey(dataset, 'items.'), ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && wanted.has(object.Key))
        found.push({ key: object.Key, eTag: object.ETag?.replace(/^"|"$/g, ''), size: object.Size });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found.sort((a, b) => (a.key < b.key ? -1 : 1));
}
