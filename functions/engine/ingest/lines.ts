/**
 * Splits a stream of chunks into physical lines, at byte level.
 *
 * Safety properties (each tested in test/engine/ingest-hostile-lines.test.ts, ingest-line-breaks.test.ts and the
 * corpus, ingest-corpus.test.ts):
 * - Bounded: no line is buffered past `maxLineBytes`. A longer line is reported once (`onTooLong`, when the limit
 *   is crossed) and its remaining bytes are dropped as they arrive, up to its line break; a 1 GB line without one
 *   costs no more memory than the limit.
 * - Line breaks: LF and CRLF (the CR is left at the line's end for the caller to strip); when the first line
 *   break of the input is a lone CR (classic Mac OS files), CR, LF and CRLF all end a line, whatever the chunks.
 * - A line is copied at most once however many chunks it spans (the carry is kept as parts).
 */
const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  /** True once the input was found to use CR-only line breaks. */
  crOnly = false;
  private decided = false;
  /** CR-only input: the last line break was a CR, so an LF right after it belongs to the same break. */
  private lastBreakCr = false;
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
        position = this.crOnly ? 0 : 1;
        this.lastBreakCr = this.crOnly;
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
    position = this.crOnly ? this.splitUniversal(chunk, position) : this.splitLf(chunk, position);
    if (position < chunk.length) this.append(chunk.subarray(position));
  }

  /** LF ends a line; returns where the unfinished last line starts. */
  private splitLf(chunk: Buffer, position: number): number {
    for (;;) {
      const at = chunk.indexOf(LF, position);
      if (at < 0) return position;
      this.endLine(chunk, position, at);
      position = at + 1;
    }
  }

  /** CR, LF and CRLF end a line (each byte searched once per chunk, not once per line). */
  private splitUniversal(chunk: Buffer, position: number): number {
    let nextCr = chunk.indexOf(CR, position);
    let nextLf = chunk.indexOf(LF, position);
    while (nextCr >= 0 || nextLf >= 0) {
      const isCr = nextLf < 0 || (nextCr >= 0 && nextCr < nextLf);
      const at = isCr ? nextCr : nextLf;
      const restOfCrlf = !isCr && this.lastBreakCr && at === position && this.carryBytes === 0 && !this.skipping;
      if (!restOfCrlf) this.endLine(chunk, position, at);
      this.lastBreakCr = isCr;
      position = at + 1;
      if (isCr) nextCr = chunk.indexOf(CR, position);
      else nextLf = chunk.indexOf(LF, position);
    }
    return position;
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

  private decide(firstBreak: number): void {
    this.decided = true;
    this.crOnly = firstBreak === CR;
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
    this.onLine(buf, start, end);
  }
}
