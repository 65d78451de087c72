/** Writes an in-memory model as the rows of one model version. */
import type { VersionWriter } from '../adapters/store-contract.js';
import type { InMemoryModel } from '../engine/recommend/index.js';
import type { HistoryEntry, RatingMatrix } from '../engine/types.js';

/** The fallback list kept per version: the API's limit is 100, the rest covers already-seen items. */
export const POPULARITY_ROWS = 1000;

export interface PublishProgress {
  (done: number, total: number): void;
}

export async function publishModel(
  model: InMemoryModel,
  writer: VersionWriter,
  options: { userNeighbours: boolean; onProgress?: PublishProgress },
): Promise<{ itemRows: number; userRows: number }> {
  const { matrix } = model;
  const total = matrix.items.size + matrix.users.size * (options.userNeighbours ? 2 : 1);
  let done = 0;
  let itemRows = 0;
  let userRows = 0;
  const tick = () => {
    done++;
    if (done % 2000 === 0) options.onProgress?.(done, total);
  };

  for (let i = 0; i < matrix.items.size; i++) {
    const itemId = matrix.items.idAt(i);
    const neighbours = model.itemNeighbours(itemId);
    // An item without neighbours needs no row: a missing row reads as "no neighbours".
    if (neighbours && neighbours.length > 0) {
      await writer.putItemNeighbours(itemId, neighbours);
      itemRows++;
    }
    tick();
  }
  for (let u = 0; u < matrix.users.size; u++) {
    const userId = matrix.users.idAt(u);
    await writer.putUserHistory(userId, recentFirstHistory(matrix, u));
    tick();
    if (options.userNeighbours) {
      const neighbours = model.userNeighbours(userId);
      if (neighbours && neighbours.length > 0) {
        await writer.putUserNeighbours(userId, neighbours);
        userRows++;
      }
      tick();
    }
  }
  await writer.putPopularity(model.popularity.slice(0, POPULARITY_ROWS));
  options.onProgress?.(total, total);
  return { itemRows, userRows };
}

/**
 * A user's history, most recent first when the file had timestamps (the store keeps the most recent entries
 * when it must cap a row), else in item order of first appearance in the file, latest first.
 */
export function recentFirstHistory(matrix: RatingMatrix, user: number): HistoryEntry[] {
  const { indptr, indices, values } = matrix.byUser;
  const times = matrix.timestamps;
  const positions: number[] = [];
  for (let p = indptr[user]; p < indptr[user + 1]; p++) positions.push(p);
  positions.sort((a, b) => {
    if (times) {
      const ta = Number.isNaN(times[a]) ? -Infinity : times[a];
      const tb = Number.isNaN(times[b]) ? -Infinity : times[b];
      if (ta !== tb) return tb - ta;
    }
    return indices[b] - indices[a];
  });
  return positions.map((p) => ({ item: matrix.items.idAt(indices[p]), value: values[p] }));
}
