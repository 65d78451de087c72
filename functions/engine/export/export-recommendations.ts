/**
 * Batch export of recommendations for many users, streamed with backpressure.
 *
 * CSV (RFC 4180; fields with commas, quotes or line breaks are quoted, quotes doubled), one row per
 * recommendation: `user,rank,item,score,fallback,because`
 * - rank: 1-based; score: the recommender's score (full precision);
 * - fallback: the fallback reason (`unknown-user`, `empty-history`, `no-candidates`) or empty;
 * - because (only with `explain`): `id:share;id:share` — the top contributors (history items for item-based,
 *   neighbour users for user-based) with their share of the score to 4 decimals. Inside it `%` and `;` of an
 *   id are written `%25` and `%3B`; split on `;`, split each part at its last `:`, then decodeURIComponent.
 *   Empty for popularity rows: their score is the item's interaction count, and `fallback` says why.
 * A user with no recommendation has no row.
 *
 * JSON Lines: one object per user, `{"user","algorithm","fallback":reason|null,"items":[{"rank","item","score",
 * "because"?:[{"id","kind","similarity","value","share"} | {"kind":"popular","interactions","fallback"?}]}]}`.
 *
 * Users not in the model get the popularity fallback (flagged `unknown-user` for item / user exports), as from
 * the API, and are listed in `unknownUsers` too, so nothing asked for is silently missing.
 */
import type { Writable } from 'node:stream';
import type { InMemoryModel } from '../recommend/index.js';
import { explanationRecord, isContribution, recommendPopular } from '../recommend/index.js';
import { UserInputError, type Algorithm, type Contribution, type RecommendationResult } from '../types.js';
import { csvRecord } from '../shared/index.js';
import { openOutput, writeChunk } from './output.js';

export interface ExportOptions {
  format: 'csv' | 'jsonl';
  /** Users to export, in this order (duplicates once). Default: every user of the model, in index order. */
  users?: readonly string[];
  /** Recommendations per user. Default 10. */
  limit?: number;
  /** Default 'item'. */
  algorithm?: Algorithm;
  /** Include the top contributors of each recommendation. Default false. */
  explain?: boolean;
  onProgress?(doneUsers: number, totalUsers: number): void;
}

export interface ExportSummary {
  /** Users written (including unknown ones, who get the popularity fallback). */
  users: number;
  /** Recommendation rows (CSV rows without the header; items over all JSON lines). */
  rows: number;
  unknownUsers: string[];
}

const CSV_HEADER = 'user,rank,item,score,fallback,because\n';
const BATCH_CHARS = 64 * 1024;
const EXPLAIN_TOP = 3;

/**
 * Writes recommendations for `options.users` (default all) to `out`: a path (gzip when it ends in .gz; the file
 * is closed at the end) or a Writable (left open, e.g. process.stdout).
 */
export async function exportRecommendations(
  model: InMemoryModel,
  out: Writable | string,
  options: ExportOptions,
): Promise<ExportSummary> {
  const { format, limit, algorithm, explain } = checkOptions(options);
  const users = options.users ? [...new Set(options.users)] : allUsers(model);
  const output = await openOutput(out);
  const unknownUsers: string[] = [];
  let exported = 0;
  let rows = 0;
  let batch = format === 'csv' ? CSV_HEADER : '';
  try {
    for (let index = 0; index < users.length; index++) {
      const user = users[index];
      const history = model.historyOf(user);
      if (history === undefined) unknownUsers.push(user);
      // Unknown users get what the API would serve them: the popularity fallback, flagged `unknown-user`.
      const result =
        algorithm === 'popularity'
          ? recommendPopular(
              model.popularity,
              { limit },
              history?.map((entry) => entry.item),
            )
          : model.recommendForUser(user, { limit, algorithm, explainTop: explain ? EXPLAIN_TOP : 0 });
      batch += format === 'csv' ? csvLines(user, result, explain) : jsonLine(user, result, explain);
      exported++;
      rows += result.items.length;
      if (batch.length >= BATCH_CHARS) {
        await writeChunk(output.stream, batch);
        batch = '';
        options.onProgress?.(index + 1, users.length);
      }
    }
    if (batch.length > 0) await writeChunk(output.stream, batch);
    options.onProgress?.(users.length, users.length);
  } finally {
    await output.close();
  }
  return { users: exported, rows, unknownUsers };
}

function csvLines(user: string, result: RecommendationResult, explain: boolean): string {
  const fallback = result.fallback?.reason ?? '';
  let text = '';
  result.items.forEach((recommendation, index) => {
    const because = explain ? recommendation.because.filter(isContribution).map(becauseEntry).join(';') : '';
    text +=
      csvRecord([user, String(index + 1), recommendation.item, String(recommendation.score), fallback, because]) + '\n';
  });
  return text;
}

function becauseEntry(contribution: Contribution): string {
  return `${contribution.id.replace(/%/g, '%25').replace(/;/g, '%3B')}:${contribution.share.toFixed(4)}`;
}

function jsonLine(user: string, result: RecommendationResult, explain: boolean): string {
  const record = {
    user,
    algorithm: result.algorithm,
    fallback: result.fallback?.reason ?? null,
    items: result.items.map((recommendation, index) => ({
      rank: index + 1,
      item: recommendation.item,
      score: recommendation.score,
      ...(explain
        ? {
            because: recommendation.because.map(explanationRecord),
          }
        : {}),
    })),
  };
  return JSON.stringify(record) + '\n';
}

function allUsers(model: InMemoryModel): string[] {
  const ids = model.matrix.users;
  return Array.from({ length: ids.size }, (_, index) => ids.idAt(index));
}

function checkOptions(options: ExportOptions): {
  format: 'csv' | 'jsonl';
  limit: number;
  algorithm: Algorithm;
  explain: boolean;
} {
  if (options === null || typeof options !== 'object') {
    throw new UserInputError('export options must be an object', 'options', 'pass { format: "csv" }');
  }
  if (options.format !== 'csv' && options.format !== 'jsonl') {
    throw new UserInputError(
      `export format must be "csv" or "jsonl", got ${JSON.stringify(options.format)}`,
      'format',
      'use csv or jsonl',
    );
  }
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UserInputError(
      `limit must be an integer from 1 to 1000, got ${String(limit)}`,
      'limit',
      'use e.g. limit 10',
    );
  }
  const algorithm = options.algorithm ?? 'item';
  if (algorithm !== 'item' && algorithm !== 'user' && algorithm !== 'popularity') {
    throw new UserInputError(
      `algorithm must be "item", "user" or "popularity", got ${JSON.stringify(algorithm)}`,
      'algorithm',
      'use item, user or popularity',
    );
  }
  if (options.users !== undefined) {
    if (!Array.isArray(options.users))
      throw new UserInputError(
        'users must be a list of user ids',
        'users',
        'pass an array of strings, or leave it out for every user',
      );
    options.users.forEach((user, index) => {
      if (typeof user !== 'string')
        throw new UserInputError(`users[${index}] is not a string`, `users[${index}]`, 'pass user ids as strings');
    });
  }
  if (options.explain !== undefined && typeof options.explain !== 'boolean') {
    throw new UserInputError('explain must be true or false', 'explain', 'set explain to true or false');
  }
  return { format: options.format, limit, algorithm, explain: options.explain ?? false };
}
