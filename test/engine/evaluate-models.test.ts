// `affinity evaluate` rows for EASE and `auto`: an EASE row trains exactly its spec; `auto` runs the build's
// validation on the training part and scores its choice like any row, so its metrics equal those of the row of
// the same spec; bad EASE or auto rows are refused by name.
import { describe, expect, it } from 'vitest';
import { buildRatingMatrix } from '../../functions/engine/data/index.js';
import { evaluate, formatEvaluationTable } from '../../functions/engine/evaluate/index.js';
import { sameSpec, type ModelSpec } from '../../functions/engine/models/index.js';
import { syntheticLog } from '../../functions/engine/synthetic/index.js';
import { DEFAULT_SIMILARITY_OPTIONS, UserInputError } from '../../functions/engine/types.js';

const matrix = buildRatingMatrix(
  syntheticLog({ users: 200, items: 60, ratings: 3000, seed: 11, implicit: true, timestamps: false }),
).matrix;
const similarity = { ...DEFAULT_SIMILARITY_OPTIONS };
const CANDIDATES: ModelSpec[] = [
  { model: 'item-knn', similarity },
  { model: 'user-knn', similarity },
  { model: 'ease', lambda: 5, k: 60, method: 'exact' },
  { model: 'ease', lambda: 50, k: 60, method: 'exact' },
];
const METRICS = ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'mrr', 'coverage', 'fallbackUsers'] as const;

describe('evaluate: EASE and auto rows', () => {
  it('auto scores the candidate its validation chose exactly as that candidate’s own row', async () => {
    const report = await evaluate(matrix, {
      split: 'holdout',
      seed: 3,
      configs: [
        { name: 'item', algorithm: 'item', similarity },
        { name: 'user', algorithm: 'user', similarity },
        { name: 'ease-5', algorithm: 'ease', ease: { lambda: 5, k: 60 } },
        { name: 'ease-50', algorithm: 'ease', ease: { lambda: 50, k: 60, method: 'exact' } },
        { name: 'auto', algorithm: 'auto', candidates: CANDIDATES },
      ],
    });
    const rows = new Map(report.rows.map((row) => [row.name, row]));
    expect(rows.get('ease-5')!.model).toEqual(CANDIDATES[2]);
    expect(rows.get('ease-50')!.model).toEqual(CANDIDATES[3]);
    // EASE and item-knn rows differ (the EASE row really trains EASE weights).
    expect(rows.get('ease-50')!.ndcg).not.toBe(rows.get('item')!.ndcg);

    const auto = rows.get('auto')!;
    const chosen = CANDIDATES.find((spec) => sameSpec(spec, auto.model!))!;
    expect(chosen).toBeDefined();
    const twin =
      report.rows.find((row) => row.name !== 'auto' && (row.model ? sameSpec(row.model, chosen) : false)) ??
      rows.get(chosen.model === 'item-knn' ? 'item' : 'user')!;
    for (const metric of METRICS) expect(auto[metric]).toBe(twin[metric]);
    expect(auto.chosen).toMatch(/^(ease|item-knn|user-knn) \(/);
    expect(auto.reason).toContain('has the best validation NDCG@10');
    expect(formatEvaluationTable(report)).toContain(`auto chose ${auto.chosen}: ${auto.reason}`);
  });

  it('refuses an EASE row without a valid λ and K, and an auto row without candidates', async () => {
    const bad = [
      { name: 'e', algorithm: 'ease' as const },
      { name: 'e', algorithm: 'ease' as const, ease: { lambda: 0, k: 10 } },
      { name: 'e', algorithm: 'ease' as const, ease: { lambda: 10, k: 0.5 } },
      { name: 'a', algorithm: 'auto' as const, candidates: [] },
    ];
    for (const config of bad) {
      const error = await evaluate(matrix, { split: 'holdout', configs: [config] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).where).toBe(
        config.algorithm === 'ease' ? 'configs[0].ease' : 'configs[0].candidates',
      );
    }
  });
});
