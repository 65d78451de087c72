/**
 * Appends ASCII text and unsigned integers straight into large byte chunks: formatting millions of lines as
 * JS strings costs several times more than the generation itself.
 */
export class ByteChunker {
  private chunk: Buffer;
  private length = 0;

  constructor(private readonly size = 1 << 20) {
    this.chunk = Buffer.allocUnsafe(size);
  }

  /** True when fewer than `bytes` bytes are free: take() the chunk before writing more. */
  needsFlush(bytes = 4096): boolean {
    return this.chunk.length - this.length < bytes;
  }

  get filled(): number {
    return this.length;
  }

  bytes(data: Uint8Array): void {
    const n = data.length;
    if (this.chunk.length - this.length < n) this.grow(n);
    // A plain loop beats TypedArray.set for the few bytes of an id or separator.
    const chunk = this.chunk;
    let p = this.length;
    for (let i = 0; i < n; i++) chunk[p++] = data[i];
    this.length = p;
  }

  ascii(text: string): void {
    if (this.chunk.length - this.length < text.length) this.grow(text.length);
    this.length += this.chunk.write(text, this.length, 'latin1');
  }

  byte(value: number): void {
    if (this.length === this.chunk.length) this.grow(1);
    this.chunk[this.length++] = value;
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(value: number): void {
    if (this.chunk.length - this.length < 16) this.grow(16);
    if (value === 0) {
      this.chunk[this.length++] = 48;
      return;
    }
    let digits = 1;
    for (let bound = 10; bound <= value; bound *= 10) digits++;
    let position = this.length + digits;
    this.length = position;
    for (let v = value; position > this.length - digits;) {
      const next = Math.floor(v / 10);
      this.chunk[--position] = 48 + (v - next * 10);
      v = next;
    }
  }

  /** The filled part of the current chunk; a fresh chunk takes its place. */
  take(): Buffer {
    const full = this.chunk.subarray(0, this.length);
    this.chunk = Buffer.allocUnsafe(this.size);
    this.length = 0;
    return full;
  }

  /** A single write larger than the chunk: replace it by a bigger one holding what is there. */
  private grow(bytes: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.chunk.length * 2, this.length + bytes));
    this.chunk.copy(next, 0, 0, this.length);
    this.chunk = next;
  }
}
