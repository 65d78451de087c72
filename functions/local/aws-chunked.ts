/**
 * Real S3 accepts bodies in `aws-chunked` content encoding (the AWS SDK v3 and AWS CLI v2 send streamed uploads that
 * way, with a trailing checksum); s3rver 3.7 does not understand it and would store the chunk framing as data. This
 * wraps s3rver's request listener so such requests reach it as plain bodies, as they would be stored by S3.
 *
 * Framing: `<hex size>[;chunk-signature=…]\r\n<size bytes>\r\n` repeated, then `0[;…]\r\n`, optional trailer
 * lines (`x-amz-checksum-crc32:…`) and a final `\r\n`.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';

export function decodeAwsChunkedRequests(listener: RequestListener): RequestListener {
  return (req, res) => {
    const encodings = String(req.headers['content-encoding'] ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (!encodings.includes('aws-chunked')) return listener(req, res);

    const headers = { ...req.headers };
    const others = encodings.filter((e) => e !== 'aws-chunked');
    if (others.length > 0) headers['content-encoding'] = others.join(', ');
    else delete headers['content-encoding'];
    if (headers['x-amz-decoded-content-length'])
      headers['content-length'] = String(headers['x-amz-decoded-content-length']);
    else delete headers['content-length'];
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    delete headers['x-amz-trailer'];
    delete headers['x-amz-decoded-content-length'];

    const body = new PassThrough();
    // The decoded stream stands in for the request: same line and headers, plain body.
    Object.assign(body, {
      headers,
      rawHeaders: Object.entries(headers).flatMap(([name, value]) => [name, String(value)]),
      method: req.method,
      url: req.url,
      httpVersion: req.httpVersion,
      httpVersionMajor: req.httpVersionMajor,
      httpVersionMinor: req.httpVersionMinor,
      socket: req.socket,
      connection: req.socket,
    });
    req
      .pipe(new AwsChunkedDecoder())
      .on('error', (error) => body.destroy(error))
      .pipe(body);
    listener(body as unknown as IncomingMessage, res);
  };
}

/** Streams the data of an aws-chunked body, dropping the framing, signatures and trailers. */
export class AwsChunkedDecoder extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0; // data bytes left in the current chunk
  private state: 'size' | 'data' | 'data-end' | 'trailers' = 'size';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'trailers') return callback(new Error('aws-chunked body ended in the middle of a chunk'));
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'trailers') {
        this.pending = Buffer.alloc(0);
        return;
      }
      if (this.state === 'data') {
        if (this.pending.length === 0) return;
        const take = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const eol = this.pending.indexOf('\r\n');
      if (eol < 0) {
        if (this.pending.length > 4096) throw new Error('aws-chunked header line too long');
        return;
      }
      const line = this.pending.subarray(0, eol).toString('latin1');
      this.pending = this.pending.subarray(eol + 2);
      if (this.state === 'data-end') {
        if (line !== '') throw new Error('aws-chunked chunk not followed by CRLF');
        this.state = 'size';
        continue;
      }
      const size = Number.parseInt(line.split(';')[0], 16);
      if (!Number.isFinite(size) || size < 0) throw new Error(`bad aws-chunked size line '${line.slice(0, 40)}'`);
      if (size === 0) this.state = 'trailers';
      else {
        this.remaining = size;
        this.state = 'data';
      }
    }
  }
}
