/** The shapes of an offline evaluation: what to evaluate, and the report it gives. */
import type { EaseMethod, ModelSpec } from '../models/index.js';
import type { Algorithm, SimilarityOptions } from '../types.js';

/**
 * What a row evaluates: item / user kNN, popularity, EASE (item rows of EASE weights), or `auto`: the build's
 * validation run on the training part (validateModels over `candidates`), then its choice trained and scored.
 */
export type EvaluationAlgorithm = Algorithm | 'ease' | 'auto';

export interface EvaluationConfig {
  /** Row label; unique within one evaluation. */
  name: string;
  algorithm: EvaluationAlgorithm;
  /** Similarity options of item / user configurations (ignored for popularity). */
  similarity?: Partial<SimilarityOptions>;
  /** EASE rows: λ, weights kept per item, method (default exact). */
  ease?: { lambda: number; k: number; method?: EaseMethod };
  /** `auto`: the candidates its validation compares, and the validation users sampled (default as a build). */
  candidates?: readonly ModelSpec[];
  validationUsers?: number;
}

export interface EvaluateOptions {
  /** 'holdout': per-user random holdout; 'last': leave-last-out by timestamp. */
  split: 'holdout' | 'last';
  /** Holdout share, default 0.2. */
  ratio?: number;
  /** Seeds the holdout and the user sample. Default 1. */
  seed?: number;
  /** List length. Default 10. */
  k?: number;
  configs: EvaluationConfig[];
  /** Worker threads for the neighbour computation. */
  threads?: number;
  /** Evaluate at most this many test users (a deterministic sample by seed). */
  maxUsers?: number;
  onProgress?(config: string, doneUsers: number, totalUsers: number): void;
}

/** The averages over evaluated users (coverage is over all their lists). */
export interface EvaluationMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  /** MAP@k: mean of average precision@k. */
  map: number;
  hitRate: number;
  /** Mean reciprocal rank within the k recommended items. */
  mrr: number;
  /** Distinct recommended items / items in the catalogue. */
  coverage: number;
  /** Users evaluated. */
  users: number;
  /** Users whose list came from the popularity fallback. */
  fallbackUsers: number;
}

export interface EvaluationRow extends EvaluationMetrics {
  name: string;
  algorithm: EvaluationAlgorithm;
  /** Resolved similarity options (item / user rows). */
  similarity?: SimilarityOptions;
  /** The model trained (EASE rows, and the one `auto` chose). */
  model?: ModelSpec;
  /** `auto`: the label of the candidate its validation chose, and why. */
  chosen?: string;
  reason?: string;
  /** Model build time (neighbours or popularity ranking; for `auto`, its validation too). */
  buildSeconds: number;
  /** Time to recommend for all evaluated users. */
  recommendSeconds: number;
}

export interface EvaluationReport {
  k: number;
  dataset: { users: number; items: number; ratings: number };
  split: {
    kind: 'holdout' | 'last';
    ratio?: number;
    seed: number;
    trainRatings: number;
    testRatings: number;
    testUsers: number;
  };
  /** Test users actually evaluated (all, or the maxUsers sample). */
  evaluatedUsers: number;
  rows: EvaluationRow[];
}

/** One ranked list of item indices for a user, and whether it came from a fallback. */
export interface RankedList {
  items: readonly number[];
  fallback?: boolean;
}
