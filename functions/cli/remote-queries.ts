/**
 * The `--dataset` forms of `recommend` and `similar`: the same questions as on a file, answered by a running
 * stack's API. Used by both command definitions (./recommend.ts, ./similar.ts), so it lives apart from either.
 */
import type { SimilarItemsBody, SimilarUsersBody } from '../api/schemas.js';
import { callApi } from './api-client.js';
import { formatNeighbours, formatRecommendations } from './print.js';
import { resolveTarget, type TargetFlags } from './target.js';

export interface RemoteQueryFlags extends TargetFlags {
  dataset: string;
  user?: string;
  item?: string;
  algorithm?: string;
  limit: number;
  exclude?: string[];
  json?: boolean;
}

const encode = encodeURIComponent;

/** `recommend --dataset`: recommendations for a stored user, or for an explicit history. */
export async function remoteRecommend(
  flags: RemoteQueryFlags,
  dataDir: string,
  history?: { item: string; value: number }[],
): Promise<void> {
  const target = resolveTarget(flags, dataDir);
  const base = `/v1/datasets/${encode(flags.dataset)}`;
  type Result = Parameters<typeof formatRecommendations>[0];
  let body: Result;
  if (history) {
    body = await callApi<Result>(target, `${base}/recommendations`, {
      method: 'POST',
      body: {
        history: history.map((h) => ({ item: h.item, rating: h.value })),
        limit: flags.limit,
        exclude: flags.exclude,
      },
    });
  } else {
    // Without --algorithm the API serves the active version's model (user rows for user-knn, else item rows).
    const query = new URLSearchParams({
      limit: String(flags.limit),
      ...(flags.algorithm && { algorithm: flags.algorithm }),
    });
    if (flags.exclude?.length) query.set('exclude', flags.exclude.join(','));
    body = await callApi<Result>(target, `${base}/users/${encode(flags.user ?? '')}/recommendations?${query}`);
  }
  console.log(
    flags.json
      ? JSON.stringify(body, null, 2)
      : formatRecommendations(body, flags.user ? `user ${flags.user}` : 'the given history'),
  );
}

/** `similar --dataset`: similar items or users. */
export async function remoteSimilar(flags: RemoteQueryFlags, dataDir: string): Promise<void> {
  const target = resolveTarget(flags, dataDir);
  const base = `/v1/datasets/${encode(flags.dataset)}`;
  const path = flags.item
    ? `${base}/items/${encode(flags.item)}/similar`
    : `${base}/users/${encode(flags.user ?? '')}/similar`;
  const body = await callApi<SimilarItemsBody | SimilarUsersBody>(target, `${path}?limit=${flags.limit}`);
  console.log(
    flags.json
      ? JSON.stringify(body, null, 2)
      : formatNeighbours(
          body.similar,
          `${flags.item ? 'Items similar to item' : 'Users similar to user'} ${flags.item ?? flags.user}`,
        ),
  );
}
