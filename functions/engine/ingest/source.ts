import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { directoryError, readFileError } from '../shared/index.js';
import { UserInputError } from '../types.js';

/** Bytes of a source: decompressed when gzip, without a UTF-8 byte-order mark. */
export interface ByteSource {
  chunks: AsyncIterable<Buffer>;
  compressed: boolean;
  /** Set when the name said .gz but the bytes were not gzip (read as plain text). */
  notGzipDespiteName: boolean;
  /** Size in bytes of a plain (not gzip) file given by path; undefined otherwise. */
  plainBytes?: number;
  /** Size in bytes of a file given by path (compressed or not); undefined for a stream. */
  fileBytes?: number;
  /** Raw bytes consumed so far: what the inflater has taken in (gzip); 0 for plain input (use the chunks). */
  rawBytesRead(): number;
}

const READ_CHUNK = 1 << 20;

/** Open a path or stream; fatal problems (missing file, directory, unreadable) become UserInputError. */
export async function openSource(
  source: string | NodeJS.ReadableStream,
  label: string,
  onProgress?: (bytesRead: number) => void,
): Promise<ByteSource> {
  const file = typeof source === 'string' ? await openFile(source, label) : undefined;
  const raw = file ? file.chunks : toBuffers(source as AsyncIterable<Buffer | string>);
  const counted = onProgress ? countBytes(raw, onProgress) : raw;
  const iterator = counted[Symbol.asyncIterator]();
  // Peek at the first non-empty chunk: gzip is recognised by its magic bytes, whatever the name says.
  let first = await nextChunk(iterator, label);
  while (first !== undefined && first.length < 2) {
    const more = await nextChunk(iterator, label);
    if (more === undefined) break;
    first = Buffer.concat([first, more]);
  }
  const rest = prepend(first, iterator, label);
  const gzip = first !== undefined && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const inflater = gzip ? createGunzip({ chunkSize: 1 << 18 }) : undefined;
  const chunks = inflater ? gunzip(rest, inflater, label) : rest;
  return {
    chunks: withoutBom(chunks, label),
    compressed: gzip,
    notGzipDespiteName: !gzip && /\.gz$/i.test(label),
    plainBytes: gzip ? undefined : file?.size,
    fileBytes: file?.size,
    // bytesWritten counts the input zlib has consumed, not what is queued in front of it.
    rawBytesRead: () => inflater?.bytesWritten ?? 0,
  };
}

async function openFile(path: string, label: string): Promise<{ chunks: AsyncIterable<Buffer>; size: number }> {
  let handle: fs.FileHandle;
  let size: number;
  try {
    const stat = await fs.stat(path);
    size = stat.size;
    if (stat.isDirectory()) throw directoryError(label);
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw readFileError(error, label);
  }
  return { chunks: readAndClose(handle), size };
}

async function* readAndClose(handle: fs.FileHandle): AsyncIterable<Buffer> {
  const stream = handle.createReadStream({ highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

async function nextChunk(iterator: AsyncIterator<Buffer>, label: string): Promise<Buffer | undefined> {
  try {
    const step = await iterator.next();
    return step.done ? undefined : step.value;
  } catch (error) {
    throw readFileError(error, label);
  }
}

async function* toBuffers(stream: AsyncIterable<Buffer | string>): AsyncIterable<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

async function* countBytes(
  chunks: AsyncIterable<Buffer>,
  onProgress: (bytesRead: number) => void,
): AsyncIterable<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    onProgress(total);
    yield chunk;
  }
}

async function* prepend(
  first: Buffer | undefined,
  iterator: AsyncIterator<Buffer>,
  label: string,
): AsyncIterable<Buffer> {
  try {
    if (first !== undefined) yield first;
    for (;;) {
      const chunk = await nextChunk(iterator, label);
      if (chunk === undefined) return;
      yield chunk;
    }
  } finally {
    // Stopping early (a fatal error in a later line) must still close the file.
    await iterator.return?.();
  }
}

export async function* gunzip(
  compressed: AsyncIterable<Buffer>,
  inflater: Gunzip,
  label: string,
): AsyncIterable<Buffer> {
  const feeding = pipeline(Readable.from(compressed), inflater);
  feeding.catch(() => undefined); // the same error surfaces through the iteration below
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
    await feeding;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new UserInputError(
        `${label} is not a valid gzip file (${(error as Error).message})`,
        label,
        'the file is corrupt or truncated: re-create it with gzip, or upload it uncompressed',
      );
    }
    throw readFileError(error, label);
  } finally {
    inflater.destroy();
    // Let the pipeline close the compressed side too (a stopped parse must leave no stream open behind it).
    await feeding.catch(() => undefined);
  }
}

async function* withoutBom(chunks: AsyncIterable<Buffer>, label: string): AsyncIterable<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0); // the first bytes, until there are enough to check for a mark
  for await (const chunk of chunks) {
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 3) continue;
    yield stripMark(head, label);
    head = undefined;
  }
  if (head !== undefined && head.length > 0) yield stripMark(head, label);
}

function stripMark(head: Buffer, label: string): Buffer {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new UserInputError(
      `${label} is UTF-16 encoded`,
      label,
      'save it as UTF-8 (e.g. "CSV UTF-8" in a spreadsheet)',
    );
  }
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
}
