/**
 * Writes an in-memory model as the rows of one model version: every user's history and the popularity list
 * (both serve every kind, and the fallback), plus the neighbour rows of exactly the configured model kinds.
 */
import type { VersionWriter } from '../adapters/store-contract.js';
import type { InMemoryModel } from '../engine/recommend/index.js';
import type { HistoryEntry, ModelKind, Neighbour, RatingMatrix } from '../engine/types.js';

/** The fallback list kept per version: the API's limit is 100, the rest covers already-seen items. */
export const POPULARITY_ROWS = 1000;

export interface PublishProgress {
  (done: number, total: number): void;
}

/** Per model kind, how the writer stores one of its rows. */
const PUT_ROW: {
  readonly [kind in ModelKind]: (writer: VersionWriter, id: string, neighbours: readonly Neighbour[]) => Promise<void>;
} = {
  item: (writer, id, neighbours) => writer.putItemNeighbours(id, neighbours),
  user: (writer, id, neighbours) => writer.putUserNeighbours(id, neighbours),
};

export async function publishModel(
  model: InMemoryModel,
  writer: VersionWriter,
  options: { models: readonly ModelKind[]; onProgress?: PublishProgress },
): Promise<{ itemRows: number; userRows: number }> {
  const { matrix } = model;
  const total = matrix.users.size + options.models.reduce((sum, kind) => sum + model.rowIds(kind).size, 0);
  let done = 0;
  const tick = () => {
    done++;
    if (done % 2000 === 0) options.onProgress?.(done, total);
  };

  const written: Record<ModelKind, number> = { item: 0, user: 0 };
  for (const kind of options.models) {
    const ids = model.rowIds(kind);
    for (let index = 0; index < ids.size; index++) {
      const id = ids.idAt(index);
      const neighbours = model.neighboursOf(kind, id);
      // An entity without neighbours needs no row: a missing row reads as "no neighbours".
      if (neighbours && neighbours.length > 0) {
        await PUT_ROW[kind](writer, id, neighbours);
        written[kind]++;
      }
      tick();
    }
  }
  for (let u = 0; u < matrix.users.size; u++) {
    await writer.putUserHistory(matrix.users.idAt(u), recentFirstHistory(matrix, u));
    tick();
  }
  await writer.putPopularity(model.popularity.slice(0, POPULARITY_ROWS));
  options.onProgress?.(total, total);
  return { itemRows: written.item, userRows: written.user };
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
