import type { ValidationReport } from './model-selection.js';
import type { EvaluationReport } from './types.js';

/** The report as an aligned text table: one line per configuration, metrics to 4 decimals. */
export function formatEvaluationTable(report: EvaluationReport): string {
  const k = report.k;
  const header = [
    'config',
    'algorithm',
    'users',
    `P@${k}`,
    `R@${k}`,
    `nDCG@${k}`,
    `MAP@${k}`,
    `HR@${k}`,
    'MRR',
    'coverage',
    'fallback',
    'build s',
  ];
  const body = report.rows.map((row) => [
    row.name,
    row.algorithm,
    String(row.users),
    ...[row.precision, row.recall, row.ndcg, row.map, row.hitRate, row.mrr, row.coverage].map((v) => v.toFixed(4)),
    String(row.fallbackUsers),
    row.buildSeconds.toFixed(2),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((cells) => cells[c].length)));
  // Text columns (the first two) align left, numbers right.
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const { split } = report;
  const title =
    `${split.kind === 'holdout' ? `holdout ${split.ratio} (seed ${split.seed})` : 'leave-last-out'}: ` +
    `${split.trainRatings} train / ${split.testRatings} test ratings, ${report.evaluatedUsers} of ${split.testUsers} test users evaluated`;
  // What `auto` chose on the training part, and why (its own validation split, inside the training part).
  const choices = report.rows.flatMap((row) => (row.chosen ? [`${row.name} chose ${row.chosen}: ${row.reason}`] : []));
  return (
    [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...choices].join('\n') + '\n'
  );
}

/** A build's validation as an aligned text table (popularity first; the chosen model marked `*`) and its reason. */
export function formatValidationTable(report: ValidationReport): string {
  const k = report.k;
  const rows = [
    ...report.candidates,
    ...(report.active && !report.candidates.includes(report.active) ? [report.active] : []),
  ];
  const header = ['model', `nDCG@${k}`, `Recall@${k}`, `HitRate@${k}`, 'coverage', 'train s'];
  const body = rows.map((row) => [
    `${row.name === report.chosen ? '* ' : row === report.active ? '(active) ' : '  '}${row.name}`,
    ...[row.ndcg, row.recall, row.hitRate, row.coverage].map((v) => v.toFixed(4)),
    row.trainSeconds.toFixed(2),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((cells) => cells[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const { split } = report;
  const title =
    `Validation: ${split.users} users, ${split.kind === 'time' ? 'their latest' : 'a random'} ` +
    `${Math.round(split.share * 100)}% held out (${split.heldOut} interactions; seed ${split.seed})`;
  const lines = [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), report.reason];
  if (report.gate) lines.push(report.gate.message);
  return lines.join('\n') + '\n';
}
