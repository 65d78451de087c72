// Shared by the ingest*.test.ts files: loading from an in-memory stream, and a matrix as sortable entries.
import { Readable } from 'node:stream';
import { loadRatings, type IngestOptions } from '../../functions/engine/ingest/index.js';
import type { RatingMatrix } from '../../functions/engine/types.js';

/** A stream delivering `content` in chunks of `size` bytes (1 = every byte apart, to stress line splitting). */
export function streamOf(content: string | Buffer, size = 1 << 16): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

/** Every (user, item, value[, timestamp]) of a matrix, sorted, for comparison with hand-written expectations. */
export function entries(matrix: RatingMatrix): string[] {
  const out: string[] = [];
  const { indptr, indices, values } = matrix.byUser;
  for (let u = 0; u < matrix.byUser.rows; u++) {
    for (let k = indptr[u]; k < indptr[u + 1]; k++) {
      const time = matrix.timestamps && !Number.isNaN(matrix.timestamps[k]) ? ` @${matrix.timestamps[k]}` : '';
      out.push(`${matrix.users.idAt(u)}|${matrix.items.idAt(indices[k])}|${values[k]}${time}`);
    }
  }
  return out.sort();
}

export async function load(content: string | Buffer, options: IngestOptions = {}, chunkSize?: number) {
  return loadRatings(streamOf(content, chunkSize), options);
}
