import type { RejectionReason, RejectionSummary } from './types.js';

/**
 * Counts rejected lines by reason, keeping the first few line numbers and the first message of each. Generic in
 * the reason so the catalogue (engine/catalogue) reports its own reasons the same way.
 */
export class Rejections<Reason extends string = RejectionReason> {
  readonly byReason: Partial<Record<Reason, RejectionSummary>> = {};
  total = 0;

  constructor(private readonly maxLines: number) {}

  add(reason: Reason, line: number, problem: string): void {
    this.total++;
    const entry = this.byReason[reason];
    if (entry === undefined) {
      this.byReason[reason] = { count: 1, lines: this.maxLines > 0 ? [line] : [], example: `line ${line}: ${problem}` };
      return;
    }
    entry.count++;
    if (entry.lines.length < this.maxLines) entry.lines.push(line);
  }

  /** One line per reason, most frequent first, for error messages and warnings. */
  summary(): string {
    return (Object.entries(this.byReason) as [string, RejectionSummary][])
      .sort((a, b) => b[1].count - a[1].count)
      .map(([reason, entry]) => `${reason}: ${entry.count} (e.g. ${entry.example})`)
      .join('; ');
  }
}
