/**
 * From the ingest options to the matrix's combine rule (data/combine-events.ts), and the report of the weighting:
 * typed events combine by {@link TYPED_EVENTS_RULE}; plain ratings keep "the latest wins", decayed when
 * `halfLifeDays` is set; neither = the plain rule (no weighting section in the report).
 */
import { TYPED_EVENTS_RULE, type CombineOptions, type CombineReport } from '../data/index.js';
import type { EventWeightingReport } from './event-types.js';
import { ratingHistogram } from './report.js';
import type { IngestOptions, QualityReport } from './types.js';

/** The combine options of an ingest, or undefined for plain ratings without decay (the original rule). */
export function combineOptionsOf(options: IngestOptions): CombineOptions | undefined {
  if (options.events === undefined && options.halfLifeDays === undefined) return undefined;
  return { rule: options.events ? TYPED_EVENTS_RULE : 'latest', halfLifeDays: options.halfLifeDays };
}

/** The rule as the report's warning says it. */
export function describeRule(combine: CombineOptions): string | undefined {
  if (combine.rule === 'latest') return undefined; // the original rule and its message
  const decayed = combine.halfLifeDays === undefined ? '' : `, each decayed (half-life ${combine.halfLifeDays} days)`;
  const rule =
    combine.rule === 'sign-log1p'
      ? 'sign(sum)·log1p(|sum|)'
      : combine.rule === 'clamp'
        ? 'the sum, clamped'
        : 'the sum';
  return `the value is ${rule} of their weights${decayed}`;
}

export function weightingReport(report: QualityReport, combine: CombineReport): QualityReport {
  const weighting: EventWeightingReport = {
    rule: combine.rule,
    cancelledPairs: combine.cancelledPairs,
    effectiveWeights: ratingHistogram(combine.effectiveWeights),
  };
  if (combine.halfLifeDays !== undefined) {
    weighting.halfLifeDays = combine.halfLifeDays;
    weighting.newestTimestamp = combine.newestTimestamp;
    weighting.timestampUnit = combine.timestampUnit;
  }
  const warnings = [...report.warnings];
  if (combine.cancelledPairs > 0) {
    warnings.push(
      `${combine.cancelledPairs} (user, item) pair${combine.cancelledPairs === 1 ? '' : 's'} left out: their events' weights sum to 0`,
    );
  }
  return { ...report, warnings, weighting };
}
