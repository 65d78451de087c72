// Shared by ingest-limits.test.ts and the child process of ingest-bomb.test.ts: a decompression bomb made in
// memory, never committed. One gzip member of a repeated line, concatenated (gzip allows several members, and
// gunzip inflates them all): the case is 128 members of 8 MiB of "1,1,5\n" = 1.5 MB of gzip that inflates
// to 1 GiB, 179 million rows.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

export const BOMB_LINE = '1,1,5\n';
const MEMBER_BYTES = 8 << 20;

/** `members` gzip members of 8 MiB of BOMB_LINE each: 8 MiB × members inflated, ~12 KB each compressed. */
export function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(MEMBER_BYTES).fill(BOMB_LINE), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

/** The inflated size of gzipBomb(members). */
export function bombInflatedBytes(members: number): number {
  return members * MEMBER_BYTES;
}

/** The bomb as an S3 body would arrive: 64 KiB chunks. */
export function bombStream(bomb: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bomb.length; i += 64 << 10) chunks.push(bomb.subarray(i, i + (64 << 10)));
  return Readable.from(chunks);
}
