/**
 * Splits a stream of chunks into physical lines, at byte level.
 *
 * Safety properties (each tested in test/engine/ingest-hostile-lines.test.ts and ingest-corpus.test.ts):
 * - Bounded: no line is buffered past `maxLineBytes`. A longer line is reported once (`onTooLong`, when the limit
 *   is crossed) and its remaining bytes are dropped as they arrive, up to its line break; a 1 GB line without one
 *   costs no more memory than the limit.
 * - Line breaks: LF and CRLF (the CR is left at the line's end for the caller to strip), or CR alone when the
 *   first line break of the input is a lone CR (old Mac files; then a CRLF also counts as one break).
 * - A line is copied at most once however many chunks it spans (the carry is kept as parts).
 */
const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  /** True once the input was found to use CR-only line breaks. */
  crOnly = false;
  private breakByte = LF;
  private decided = false;
  /** The first line break seen so far is a CR that ended a chunk: the next byte tells CR from CRLF. */
  private heldCr = false;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Inside a line already reported too long: drop bytes up to its line break. */
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (buf: Buffer, start: number, end: number) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let position = 0;
    if (!this.decided) {
      if (this.heldCr) {
        this.heldCr = false;
        this.decide(chunk[0] === LF ? LF : CR);
        this.endLine(chunk, 0, 0);
        position = this.breakByte === LF ? 1 : 0;
      } else {
        const lf = chunk.indexOf(LF);
        const cr = chunk.indexOf(CR);
        if (cr >= 0 && (lf < 0 || cr < lf)) {
          if (cr + 1 === chunk.length) {
            this.append(chunk.subarray(0, cr));
            this.heldCr = true;
            return;
          }
          this.decide(chunk[cr + 1] === LF ? LF : CR);
        } else if (lf >= 0) {
          this.decide(LF);
        }
      }
    }
    const breakByte = this.breakByte;
    for (;;) {
      const at = chunk.indexOf(breakByte, position);
      if (at < 0) break;
      this.endLine(chunk, position, at);
      position = at + 1;
    }
    if (position < chunk.length) this.append(chunk.subarray(position));
  }

  /** End of input: the last line, when it has no line break. */
  end(): void {
    this.heldCr = false;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.carryBytes > 0) {
      const last = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
      this.clearCarry();
      this.emit(last, 0, last.length);
    }
  }

  private decide(breakByte: number): void {
    this.decided = true;
    this.breakByte = breakByte;
    this.crOnly = breakByte === CR;
  }

  /** A line break at `end` of `chunk`; the line began at `start` of it, after any carried parts. */
  private endLine(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.carryBytes === 0) {
      if (end - start > this.maxLineBytes) return this.onTooLong();
      return this.emit(chunk, start, end);
    }
    if (this.carryBytes + (end - start) > this.maxLineBytes) {
      this.clearCarry();
      return this.onTooLong();
    }
    const joined = Buffer.concat([...this.carry, chunk.subarray(start, end)]);
    this.clearCarry();
    this.emit(joined, 0, joined.length);
  }

  private append(part: Buffer): void {
    if (this.skipping) return;
    if (this.carryBytes + part.length > this.maxLineBytes) {
      this.clearCarry();
      this.skipping = true;
      return this.onTooLong();
    }
    this.carry.push(part);
    this.carryBytes += part.length;
  }

  private clearCarry(): void {
    this.carry = [];
    this.carryBytes = 0;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    // CRLF in a CR-only file: the LF is the rest of the same line break.
    if (this.crOnly && start < end && buf[start] === LF) start++;
    this.onLine(buf, start, end);
  }
}
