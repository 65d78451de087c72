/**
 * Hybrid item rows, blended at build time per pair. For row item j and each neighbour i in the union of j's CF row
 * and its content row:
 *
 *   w(j, i) = cf(j, i) + γ · (1 − α_i) · m_j · content(j, i),   α_i = n_i / (n_i + β),   m_j = maxAbs(cf row j)
 *
 * where n_i is the candidate i's interactions in the matrix the rows are trained on (0 for a cold item), β the
 * spec's `evidence` and γ its `contentWeight` (both chosen by the build's validation, models/candidates.ts). Why this shape (docs/SYNTHETIC.md, "Content and hybrid on
 * synthetic data", has the figures):
 * - CF is kept whole: a warm candidate (n_i ≫ β) is ranked as by CF alone. Content rows are flat within a factor
 *   (many near-1 cosines) while CF rows carry popularity within it, so any content weight on warm pairs costs NDCG;
 *   the earlier convex blend α·cf/max + (1 − α)·content, which also rescaled every CF row, lost 2–21% of the best
 *   CF's NDCG@10 even where the text was pure noise.
 * - The evidence is the *candidate's*: scores are summed over the user's history rows j, and what CF cannot know is
 *   an item i it has barely seen (a new item leans on content, a well-known one on CF), whoever j is.
 * - Content is put on the CF row's scale (m_j) and below it (γ): EASE weights are not similarities, and a content
 *   candidate should win a slot only where several history items point to it.
 * A pair missing from one row has that part 0 (it was not among that row's top k). The top k = max(cf k, content k)
 * by |w| are kept (ties: the smaller neighbour index); w = 0 is dropped. A row beyond the CF block (a cold j: the
 * catalogue items after the matrix's) is its content row. A warm j whose CF row is empty (its users interacted
 * with nothing else) has m_j = 0, so an empty row: its users get the popularity fallback, which scored far above
 * content-only lists in the validations measured (NDCG@10 0.13 against 0.03).
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
  /** γ (the spec's contentWeight). */
  contentScale: number,
): HybridRows {
  if (!(evidence > 0)) throw new RangeError(`hybrid evidence must be > 0 (got ${evidence})`);
  if (!(contentScale >= 0)) throw new RangeError(`hybrid content scale must be >= 0 (got ${contentScale})`);
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
    const inCf = j >= cf.start && j < cf.end;
    let maxAbs = 0;
    if (inCf) {
      const base = (j - cf.start) * cf.k;
      const count = cf.count[j - cf.start];
      for (let s = 0; s < count; s++) {
        maxAbs = Math.max(maxAbs, Math.abs(cf.similarity[base + s]));
        pairs.set(cf.neighbour[base + s], { cf: cf.similarity[base + s], content: 0, support: cf.support[base + s] });
      }
    }
    const base = (j - start) * content.k;
    for (let s = 0; s < content.count[j - start]; s++) {
      const i = content.neighbour[base + s];
      const pair = pairs.get(i);
      if (pair) pair.content = content.similarity[base + s];
      else pairs.set(i, { cf: 0, content: content.similarity[base + s], support: 0 });
    }
    const blended: { i: number; w: number; support: number; content: boolean }[] = [];
    for (const [i, pair] of pairs) {
      let w: number;
      if (inCf) {
        const ni = interactions(i);
        const contentWeight = contentScale * (evidence / (ni + evidence)) * maxAbs;
        w = pair.cf + contentWeight * pair.content;
      } else w = pair.content;
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
