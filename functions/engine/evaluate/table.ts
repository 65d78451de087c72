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
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}
