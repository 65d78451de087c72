/** Human-readable output of the CLI (machine-readable output is --json). */
import type { QualityReport } from '../engine/ingest/index.js';
import type { Neighbour, RecommendationResult } from '../engine/types.js';

export function formatRecommendations(result: RecommendationResult & { model?: string }, subject: string): string {
  const lines: string[] = [];
  // A stack's answer names the model whose rows produced it (EASE rows are item rows too).
  const model = result.model && result.model !== 'popularity' ? ` (${result.model})` : '';
  const via = result.fallback
    ? `${result.fallback.algorithm} fallback (${result.fallback.reason.replace(/-/g, ' ')})`
    : `${result.algorithm}-based collaborative filtering${model}`;
  lines.push(`Recommendations for ${subject} — ${via}`);
  if (result.items.length === 0) lines.push('  (nothing to recommend: every candidate was excluded)');
  result.items.forEach((rec, rank) => {
    lines.push(`  ${String(rank + 1).padStart(2)}. ${rec.item}  score ${rec.score.toFixed(4)}`);
    if (rec.because.length > 0) {
      const reasons = rec.because.map((c) =>
        c.kind === 'popular'
          ? `popular: ${c.interactions} interaction${c.interactions === 1 ? '' : 's'}`
          : c.kind === 'trending'
            ? `trending: ${c.count} interaction${c.count === 1 ? '' : 's'} in ${c.windowDays} days (score ${c.score.toFixed(3)})`
            : c.kind === 'backfill'
              ? `filled in from the ${c.reason} ranking (${c.value})`
              : `${c.kind === 'item' ? 'you rated' : 'similar user'} ${c.id} (sim ${c.similarity.toFixed(3)} × ${c.value}) ${(c.share * 100).toFixed(0)}%`,
      );
      lines.push(`      because ${reasons.join('; ')}`);
    }
  });
  return lines.join('\n');
}

export function formatNeighbours(neighbours: readonly Neighbour[], title: string): string {
  const lines = [title];
  if (neighbours.length === 0) lines.push('  (no neighbours with positive similarity)');
  neighbours.forEach((n, rank) =>
    lines.push(
      `  ${String(rank + 1).padStart(2)}. ${n.id}  similarity ${n.similarity.toFixed(4)}  (${n.support} in common)`,
    ),
  );
  return lines.join('\n');
}

export function formatReport(report: QualityReport): string {
  const lines = [
    `Data quality — ${report.file ?? 'input'} (${report.format}${report.compressed ? ', gzip' : ''}${report.header ? ', header' : ''}${report.implicit ? ', implicit' : ''})`,
    `  rows read ${report.rowsRead.toLocaleString('en')}, accepted ${report.accepted.toLocaleString('en')}, duplicates dropped ${report.duplicatesDropped.toLocaleString('en')}`,
    `  ${report.users.toLocaleString('en')} users × ${report.items.toLocaleString('en')} items, ${report.ratings.toLocaleString('en')} ratings, density ${(report.density * 100).toFixed(3)}%`,
  ];
  const rejected = Object.entries(report.rejected);
  if (rejected.length > 0) {
    lines.push('  rejected:');
    for (const [reason, summary] of rejected) {
      if (!summary) continue;
      lines.push(
        `    ${reason}: ${summary.count} (lines ${summary.lines.join(', ')}${summary.count > summary.lines.length ? ', …' : ''}) e.g. ${summary.example}`,
      );
    }
  }
  if (report.ratingHistogram.length > 0) {
    lines.push(`  ratings: ${report.ratingHistogram.map((h) => `${h.value}:${h.count}`).join('  ')}`);
  }
  if (report.popularItems.length > 0) {
    lines.push(
      `  most popular: ${report.popularItems
        .slice(0, 5)
        .map((p) => `${p.item} (${p.count})`)
        .join(', ')}`,
    );
  }
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

export function formatTimings(timings: Record<string, number>): string {
  return `Timings: ${Object.entries(timings)
    .map(([phase, s]) => `${phase} ${s.toFixed(2)} s`)
    .join(', ')}`;
}
