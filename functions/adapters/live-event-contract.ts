/**
 * The live-event part of the store contract (re-exported by ./store-contract.ts, where the other roles are): the
 * API's role (LiveEventWriter: store a batch, read a user's, erase a user's) and the build's (LiveEventFolder: read
 * a range of arrivals, delete what was folded), and the weighting a version records so the API values live events
 * as its build did. Implemented by ./dynamo/live-events.ts; the IAM grants in infra/ match the roles.
 */
import type { LiveEventFields } from '../engine/ingest/index.js';

/** A version's combine rule and event weights (the config's eventWeights, defaultEventWeight, halfLifeDays). */
export interface VersionWeighting {
  /** The combine rule of a (user, item) pair's rows: 'latest' for plain ratings, 'sign-log1p' for typed events. */
  rule: string;
  /** Every value read as 1 (the config's `implicit`, or `input.columns.rating: null`). */
  implicit?: boolean;
  /** Timestamps not read (`input.columns.timestamp: null`). */
  ignoreTimestamps?: boolean;
  eventWeights?: Record<string, number>;
  defaultEventWeight?: number;
  halfLifeDays?: number;
}

/**
 * One live event as stored (POST /v1/datasets/{dataset}/events): unique per (dataset, user, eventId). `n` is its
 * place in its request's batch, so events of one request keep their order (the duplicate rule's "later row").
 */
export interface LiveEvent extends LiveEventFields {
  user: string;
}

/** What a batch write found: events stored now, and events already stored by an earlier request (same eventId). */
export interface LiveEventWrite {
  accepted: number;
  duplicates: number;
}

/** The API's live-event role: store a batch (idempotent by eventId), read one user's events, erase a user's. */
export interface LiveEventWriter {
  /** Conditional puts, one per event; answers once every event is stored (throws, never drops one). */
  putLiveEvents(dataset: string, events: readonly LiveEvent[]): Promise<LiveEventWrite>;
  /** The user's live events received at or after `since` (ISO; all when absent), in one strongly consistent Query. */
  getUserLiveEvents(dataset: string, userId: string, since?: string): Promise<LiveEvent[]>;
  /** Deletes every live event of the user (erasure). */
  deleteUserLiveEvents(dataset: string, userId: string): Promise<{ deleted: number }>;
}

/** The build's live-event role: read a range of arrivals to fold them into a file, delete what was folded. */
export interface LiveEventFolder {
  /** Every live event of the dataset with from <= receivedAt < to (ISO), a page at a time, across all shards. */
  scanLiveEvents(dataset: string, range: { from?: string; to: string }): AsyncIterable<LiveEvent[]>;
  /** Deletes the live events received before `before` (ISO): folded into files that every later build reads. */
  deleteFoldedLiveEvents(dataset: string, before: string): Promise<{ deleted: number }>;
}
