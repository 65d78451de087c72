/**
 * Hybrid item rows, blended at build time per pair. For row item j and each neighbour i in the union of j's CF row
 * and its content row:
 *
 *   w(j, i) = α·cf(j, i) / maxAbs(cf row j) + (1 − α)·content(j, i),   α = n / (n + β),   n = min(n_i, n_j)
 *
 * where n_x is x's interactions in the matrix the rows are trained on (0 for a cold item) and β the spec's
 * `evidence`. A pair is only as well known as its less-known item: CF's weight for (j, i) comes from the users who
 * interacted with both, at most min(n_i, n_j) of them, so a popular j does not make CF trustworthy about a
 * rarely-seen i. Dividing by the row's largest |cf| puts CF on the content cosine's scale ([−1, 1]) whatever the
 * model (EASE weights are not similarities). A pair missing from one row has that part 0: it was not among that
 * row's top k. The top k = max(cf k, content k) by |w| are kept (ties: the smaller neighbour index); w = 0 is
 * dropped. A row with no CF row (a cold j, n_j = 0 so α = 0) is its content row.
 *
 * Support is the CF row's co-rater count for the pair (0 where CF did not list it, and always 0 for EASE).
 * `contentSlots` marks, slot by slot, the pairs whose content part is > 0: those get shared terms as explanations.
 *
 * Safety properties (test/engine/content-model.test.ts): every weight equals the formula above computed by hand;
 * a cold item's row equals its content row.
 */
import type { NeighbourBlock } from '../types.js';

export interface HybridRows {
  block: NeighbourBlock;
  /** 1 where the slot's content part is > 0 (aligned with block.neighbour). */
  contentSlots: Uint8Array;
}

export function blendHybridRows(
  cf: NeighbourBlock,
  content: NeighbourBlock,
  /** Interactions of row item x in the training matrix (0 for items beyond it). */
  interactions: (row: number) => number,
  evidence: number,
): HybridRows {
  if (!(evidence > 0)) throw new RangeError(`hybrid evidence must be > 0 (got ${evidence})`);
  const { start, end } = content;
  const k = Math.max(cf.k, content.k);
  const rows = end - start;
  const block = {
    start,
    end,
    k,
    count: new Uint32Array(rows),
    neighbour: new Uint32Array(rows * k),
    similarity: new Float64Array(rows * k),
    support: new Uint32Array(rows * k),
  };
  const contentSlots = new Uint8Array(rows * k);
  const pairs = new Map<number, { cf: number; content: number; support: number }>();
  for (let j = start; j < end; j++) {
    pairs.clear();
    let maxAbs = 0;
    if (j >= cf.start && j < cf.end) {
      const base = (j - cf.start) * cf.k;
      const count = cf.count[j - cf.start];
      for (let s = 0; s < count; s++) maxAbs = Math.max(maxAbs, Math.abs(cf.similarity[base + s]));
      for (let s = 0; s < count; s++)
        pairs.set(cf.neighbour[base + s], {
          cf: cf.similarity[base + s] / maxAbs,
          content: 0,
          support: cf.support[base + s],
        });
    }
    const base = (j - start) * content.k;
    for (let s = 0; s < content.count[j - start]; s++) {
      const i = content.neighbour[base + s];
      const pair = pairs.get(i);
      if (pair) pair.content = content.similarity[base + s];
      else pairs.set(i, { cf: 0, content: content.similarity[base + s], support: 0 });
    }
    const nj = interactions(j);
    const blended: { i: number; w: number; support: number; content: boolean }[] = [];
    for (const [i, pair] of pairs) {
      const n = Math.min(nj, interactions(i));
      const alpha = n / (n + evidence);
      const w = alpha * pair.cf + (1 - alpha) * pair.content;
      if (w !== 0) blended.push({ i, w, support: pair.support, content: pair.content > 0 });
    }
    blended.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.i - b.i);
    const kept = Math.min(k, blended.length);
    const out = (j - start) * k;
    block.count[j - start] = kept;
    for (let s = 0; s < kept; s++) {
      block.neighbour[out + s] = blended[s].i;
      block.similarity[out + s] = blended[s].w;
      block.support[out + s] = blended[s].support;
      contentSlots[out + s] = blended[s].content ? 1 : 0;
    }
  }
  return { block, contentSlots };
}
