// What a build records of its validation in the manifest: every candidate with its four metrics, the gate's
// decision, small enough that the kept versions fit the manifest's 400 KB item; and when the gate holds a version.
import { describe, expect, it } from 'vitest';
import type { CandidateScore, ValidationReport } from '../../functions/engine/evaluate/index.js';
import { gateDecision } from '../../functions/engine/evaluate/model-selection.js';
import { DEFAULT_SIMILARITY_OPTIONS } from '../../functions/engine/types.js';
import { heldBackByGate, summariseValidation } from '../../functions/model-build/validation-summary.js';

const score = (name: string, spec: CandidateScore['spec'], ndcg: number): CandidateScore => ({
  name,
  ...(spec ? { spec } : {}),
  ndcg,
  recall: ndcg + 0.1,
  hitRate: ndcg + 0.2,
  coverage: 1 / 3,
  fallbackUsers: 2,
  trainSeconds: 1.5,
  scoreSeconds: 0.5,
});

const similarity = { ...DEFAULT_SIMILARITY_OPTIONS };
const REPORT: ValidationReport = {
  k: 10,
  split: { kind: 'time', share: 0.2, seed: 1, users: 2000, heldOut: 4100, trainInteractions: 90_000 },
  candidates: [
    score('popularity', undefined, 0.1),
    score('item-knn (cosine, k 50)', { model: 'item-knn', similarity }, 0.2),
    score('user-knn (cosine, k 50)', { model: 'user-knn', similarity }, 0.25),
    ...[10, 40, 160].map((lambda, i) =>
      score(`ease (λ ${lambda}, K 200, exact)`, { model: 'ease', lambda, k: 200, method: 'exact' }, 0.3 + i / 100),
    ),
  ],
  chosen: 'ease (λ 160, K 200, exact)',
  reason: 'ease (λ 160, K 200, exact) has the best validation NDCG@10: 0.3200, against …',
};

describe('summariseValidation', () => {
  it('keeps every candidate with its model and four metrics (6 significant digits), and the choice', () => {
    const summary = summariseValidation(REPORT);
    expect(summary.candidates.map((c) => [c.name, c.model])).toEqual([
      ['popularity', 'popularity'],
      ['item-knn (cosine, k 50)', 'item-knn'],
      ['user-knn (cosine, k 50)', 'user-knn'],
      ['ease (λ 10, K 200, exact)', 'ease'],
      ['ease (λ 40, K 200, exact)', 'ease'],
      ['ease (λ 160, K 200, exact)', 'ease'],
    ]);
    expect(summary.candidates[1]).toEqual({
      name: 'item-knn (cosine, k 50)',
      model: 'item-knn',
      ndcg: 0.2,
      recall: 0.3,
      hitRate: 0.4,
      coverage: 0.333333,
    });
    expect(summary).toMatchObject({ k: 10, chosen: REPORT.chosen, reason: REPORT.reason });
    expect(summary.split).toEqual({ kind: 'time', share: 0.2, users: 2000, heldOut: 4100 });
    expect(summary.gate).toBeUndefined();
    // Well under 1 KB per candidate: 20 kept versions (the most versionsKept allows) stay far below 400 KB.
    expect(JSON.stringify(summary).length).toBeLessThan(REPORT.candidates.length * 250);
  });

  it('carries the gate decision; a version is held back only when a gate ran and failed', () => {
    const failed = { ...REPORT, gate: gateDecision(0.2, 0.3, 0.05, 'ease') };
    const passed = { ...REPORT, gate: gateDecision(0.29, 0.3, 0.05, 'ease') };
    expect(summariseValidation(failed).gate).toEqual(failed.gate);
    expect(heldBackByGate(failed)).toBe(true);
    expect(heldBackByGate(passed)).toBe(false);
    expect(heldBackByGate(REPORT)).toBe(false);
    expect(heldBackByGate(undefined)).toBe(false);
  });
});
