/**
 * Explanation bars: a recommended item's `because` entries (the API's RecommendedItem) as rows the console
 * draws. Pure: no DOM, so vitest checks it without a browser.
 *
 * Safety properties (test/console/explanation.test.ts):
 * - A bar's width is its share of the score in percent, clamped to 0–100 (a negative EASE share draws as 0 and
 *   says so in its label, rather than a bar pointing nowhere).
 * - Every entry kind gets a row in words; none is dropped.
 * - A history item is named by its title when one is known, always with its id (titles need not be unique).
 */

/** The `because` entry shapes of GET …/recommendations (functions/api/schemas.ts), as plain JSON. */
export type BecauseEntry =
  | { kind: 'item' | 'user'; id: string; similarity: number; value: number; share: number; terms?: string[] }
  | { kind: 'popular'; interactions: number; fallback?: string }
  | { kind: 'trending'; score: number; count: number; windowDays: number; halfLifeDays: number; fallback?: string }
  | { kind: 'backfill'; reason: 'popular' | 'trending'; value: number };

export interface ExplanationBar {
  /** What the row is about, in words. */
  label: string;
  /** Bar width in percent (0–100); undefined for rows that are not a share of the score. */
  widthPercent?: number;
  /** The numbers behind the row, for the tooltip / screen readers. */
  detail: string;
}

const FALLBACK_WORDS: Record<string, string> = {
  'unknown-user': 'the user is unknown to this version',
  'empty-history': 'the user has no usable history',
  'no-candidates': 'the model had nothing to recommend',
};

function round(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toString();
}

/** Titles by item id, from the catalogue (GET …/items/{id}); an id without one (or with '') is shown as the id alone. */
export type TitleLookup = ReadonlyMap<string, string>;

export function explanationBars(
  because: readonly BecauseEntry[] | undefined,
  titles: TitleLookup = new Map(),
): ExplanationBar[] {
  return (because ?? []).map((entry): ExplanationBar => {
    switch (entry.kind) {
      case 'item':
      case 'user': {
        const percent = entry.share * 100;
        const title = entry.kind === 'item' ? titles.get(entry.id) : undefined;
        const named = title ? `"${title}" (${entry.id})` : entry.id;
        const who = entry.kind === 'item' ? `because of ${named}` : `similar user ${entry.id}`;
        const shares = entry.terms && entry.terms.length > 0 ? `; shares: ${entry.terms.join(', ')}` : '';
        const negative = percent < 0 ? ' (counts against)' : '';
        return {
          label: `${who}: ${round(percent, 1)}%${negative}${shares}`,
          widthPercent: Math.min(100, Math.max(0, percent)),
          detail: `similarity ${round(entry.similarity, 3)}, rating ${round(entry.value, 2)}`,
        };
      }
      case 'popular':
        return {
          label: `popular: ${entry.interactions} users interacted with it${entry.fallback ? `, because ${FALLBACK_WORDS[entry.fallback] ?? entry.fallback}` : ''}`,
          detail: `interactions ${entry.interactions}`,
        };
      case 'trending':
        return {
          label: `trending: ${entry.count} interactions in the last ${round(entry.windowDays, 1)} days${entry.fallback ? `, because ${FALLBACK_WORDS[entry.fallback] ?? entry.fallback}` : ''}`,
          detail: `trending score ${round(entry.score, 2)}, half-life ${round(entry.halfLifeDays, 1)} days`,
        };
      case 'backfill':
        return {
          label: `filled in from the ${entry.reason} ranking (filters left too few scored items)`,
          detail: `${entry.reason} value ${round(entry.value, 2)}`,
        };
    }
  });
}

/** The history item ids the explanations of these results name that `titles` does not hold yet, each once. */
export function untitledBecauseIds(
  items: readonly { because?: readonly BecauseEntry[] }[],
  titles: { has(id: string): boolean },
): string[] {
  const ids = new Set<string>();
  for (const item of items)
    for (const entry of item.because ?? []) if (entry.kind === 'item' && !titles.has(entry.id)) ids.add(entry.id);
  return [...ids];
}
