import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { writeFileError } from '../shared/index.js';

export interface Output {
  stream: Writable;
  /** Ends what this module opened (a caller's stream is left open) and waits until it is flushed. */
  close(): Promise<void>;
}

/** A file (gzip when the path ends in .gz), opened before anything is written so a bad path fails at once. */
export async function openOutput(target: Writable | string): Promise<Output> {
  if (typeof target !== 'string') return { stream: target, close: async () => {} };
  const path = target;
  const file = createWriteStream(path);
  try {
    await once(file, 'open');
  } catch (error) {
    throw writeFileError(error, path);
  }
  if (!path.toLowerCase().endsWith('.gz')) {
    return {
      stream: file,
      close: async () => {
        file.end();
        await finished(file);
      },
    };
  }
  const gzip = createGzip();
  const done = pipeline(gzip, file);
  done.catch(() => {}); // reported by close() or by the failing write
  return {
    stream: gzip,
    close: async () => {
      gzip.end();
      await done;
    },
  };
}

/** Write with backpressure: wait for 'drain' when the stream's buffer is full (rejects if the stream fails). */
export async function writeChunk(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}
