/**
 * What a build records of its validation (engine/evaluate/model-selection.ts) and of the promotion gate: the
 * whole report in the job record and the S3 report, a compact summary in the version's manifest entry, and the
 * active model the gate compares against.
 *
 * Safety properties (tests: test/model-build/validation-summary.test.ts, test/pipeline/model-choice.test.ts):
 * - the summary keeps every candidate (popularity included) with its four metrics, and the gate's decision;
 * - it stays small (well under 1 KB per candidate), so the manifest's kept versions fit its 400 KB item;
 * - a version is held back only when the gate ran and failed; no gate, no validation: activated as before.
 */
import type { CandidateSummary, VersionInfo, VersionValidation } from '../adapters/store-contract.js';
import { modelOfVersion } from '../adapters/version-model.js';
import type { ValidationReport } from '../engine/evaluate/index.js';
import type { ModelSpec } from '../engine/models/index.js';

/** Metrics are kept to 6 significant digits in the manifest (the job record and the S3 report have them whole). */
const round = (value: number): number => Number(value.toPrecision(6));

export function summariseValidation(report: ValidationReport): VersionValidation {
  const candidates: CandidateSummary[] = report.candidates.map((c) => ({
    name: c.name,
    model: c.spec?.model ?? 'popularity',
    ndcg: round(c.ndcg),
    recall: round(c.recall),
    hitRate: round(c.hitRate),
    coverage: round(c.coverage),
  }));
  const { kind, share, users, heldOut } = report.split;
  return {
    k: report.k,
    chosen: report.chosen,
    reason: report.reason,
    split: { kind, share, users, heldOut },
    candidates,
    ...(report.gate ? { gate: report.gate } : {}),
  };
}

/** True when the promotion gate ran and held the new version back. */
export function heldBackByGate(report: ValidationReport | undefined): boolean {
  return report?.gate?.passed === false;
}

/** The active version's model, for the gate (a version stored before models were named: its item-knn/user-knn). */
export function activeModelOf(active: VersionInfo | undefined): ModelSpec | undefined {
  return active && modelOfVersion(active);
}
