/**
 * The published shape of an explanation, shared by the API's responses and the JSON Lines export: a CF
 * contribution without its raw product (`share` says the same relative to the score; `terms` when the pair shares
 * catalogue terms), a popularity reason, a trending reason and a backfill label as they are.
 */
import type { BackfillReason, Contribution, Explanation, PopularityReason, TrendingReason } from '../types.js';

export type ExplanationRecord = Omit<Contribution, 'contribution'> | PopularityReason | TrendingReason | BackfillReason;

export function isContribution(explanation: Explanation): explanation is Contribution {
  return explanation.kind === 'item' || explanation.kind === 'user';
}

export function explanationRecord(explanation: Explanation): ExplanationRecord {
  if (explanation.kind === 'backfill') {
    const { kind, reason, value } = explanation;
    return { kind, reason, value };
  }
  if (explanation.kind === 'trending') {
    const { kind, score, count, windowDays, halfLifeDays, fallback } = explanation;
    const record: TrendingReason = { kind, score, count, windowDays, halfLifeDays };
    return fallback === undefined ? record : { ...record, fallback };
  }
  if (!isContribution(explanation)) {
    const { kind, interactions, fallback } = explanation;
    return fallback === undefined ? { kind, interactions } : { kind, interactions, fallback };
  }
  const { id, kind, similarity, value, share, terms } = explanation;
  return terms === undefined ? { id, kind, similarity, value, share } : { id, kind, similarity, value, share, terms };
}
