/**
 * Catalogue entries as terms. Title and text are normalised (Unicode NFKC, then `toLowerCase`, which is
 * locale-independent unlike `toLocaleLowerCase`) and cut into words by `Intl.Segmenter` (ICU's word break rules
 * with its dictionary for Chinese, Japanese and Thai, so 爵士音乐 gives 爵士 and 音乐); numbers are kept,
 * punctuation and stop words dropped; the segmenter's locale is fixed (`und`), so words do not depend on the
 * host's. Tags, categories, series and custom attributes are whole terms, prefixed with their field
 * (`tag:live music`, `cat:jazz`, `series:the wire`, `attr:mood=calm`).
 *
 * Safety properties (test/engine/content-tokenise.test.ts):
 * - a word never equals a field-prefixed term: words are split at ':' (ICU keeps `cat:jazz` as one word);
 * - NFKC folds compatibility forms (ﬁ → fi, full-width Ａ１ → a1) and composes combining marks (u + ̈ → ü);
 * - elided articles are cut off (l’amour → amour, dell’arte → arte); English contractions are left whole;
 * - stop words are those of the entry's language (none for a language without a list); an entry without one gets
 *   the list that most of its title and text words are in (at least 2), plus the Chinese list (stop-words.ts).
 */
import type { AttributeValue, CatalogueEntry } from '../catalogue/types.js';
import { guessStopWords, stopWordsFor } from './stop-words.js';

/** The fields terms are drawn from; `words` are title and text, which share one vocabulary. */
export const CONTENT_FIELDS = ['title', 'text', 'tags', 'categories', 'series', 'attributes'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

/** Prefix of each whole-term field (title and text words carry none). */
export const TERM_PREFIX = {
  tags: 'tag:',
  categories: 'cat:',
  series: 'series:',
  attributes: 'attr:',
} as const satisfies Partial<Record<ContentField, string>>;

const SEGMENTER = new Intl.Segmenter('und', { granularity: 'word' });

/** NFKC, lowercase, runs of white space as one space, trimmed: the form every term is compared in. */
export function normalise(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** The words of a text, in order (repeats kept: they are the term frequencies), stop words dropped. */
export function tokenise(text: string, language?: string): string[] {
  const raw = segmentWords(text);
  return withoutStopWords(raw, language === undefined ? guessStopWords(raw) : stopWordsFor(language));
}

/** Word-like segments of the normalised text, split at ':' (so no word looks like a field-prefixed term). */
function segmentWords(text: string): string[] {
  const words: string[] = [];
  for (const { segment, isWordLike } of SEGMENTER.segment(normalise(text))) {
    if (!isWordLike) continue;
    if (!segment.includes(':')) words.push(segment);
    else for (const part of segment.split(':')) if (part !== '') words.push(part);
  }
  return words;
}

function withoutStopWords(words: readonly string[], stop: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (const raw of words) {
    const word = withoutElision(raw, stop);
    if (!stop.has(word)) kept.push(word);
  }
  return kept;
}

const ELISION = /^(\p{L}{1,4})['’](\p{L}.*)$/u;

/** French and Italian elide articles and pronouns into the next word (l’amour, dell’arte): keep the word alone. */
function withoutElision(word: string, stop: ReadonlySet<string>): string {
  const match = ELISION.exec(word);
  if (match === null) return word;
  const article = match[1];
  return stop.has(article) || stop.has(article + 'a') ? match[2] : word;
}

/** A whole term of a multi-valued or scalar field; undefined for a value that is empty once normalised. */
export function wholeTerm(field: keyof typeof TERM_PREFIX, value: string): string | undefined {
  const normalised = normalise(value);
  return normalised === '' ? undefined : TERM_PREFIX[field] + normalised;
}

/** `attr:<name>=<value>`: the attribute's name as declared (normalised), its value as text. */
export function attributeTerm(name: string, value: AttributeValue): string | undefined {
  const text = normalise(String(value));
  return text === '' ? undefined : `${TERM_PREFIX.attributes}${normalise(name)}=${text}`;
}

/** The terms of one entry by field: word lists for title and text, distinct whole terms for the others. */
export interface EntryTerms {
  title: string[];
  text: string[];
  tags: string[];
  categories: string[];
  series: string[];
  /** Per declared attribute name (as in the entry): its term. */
  attributes: { name: string; term: string }[];
}

export function entryTerms(entry: CatalogueEntry): EntryTerms {
  const distinct = (field: keyof typeof TERM_PREFIX, values: readonly string[] | undefined): string[] => {
    const terms = new Set<string>();
    for (const value of values ?? []) {
      const term = wholeTerm(field, value);
      if (term !== undefined) terms.add(term);
    }
    return [...terms];
  };
  // One stop-word list for the whole entry: its language, else the guess from title and text together.
  const title = entry.title === undefined ? [] : segmentWords(entry.title);
  const text = entry.text === undefined ? [] : segmentWords(entry.text);
  const stop = entry.language === undefined ? guessStopWords([...title, ...text]) : stopWordsFor(entry.language);
  const attributes: { name: string; term: string }[] = [];
  for (const [name, value] of Object.entries(entry.attributes ?? {})) {
    const term = attributeTerm(name, value);
    if (term !== undefined) attributes.push({ name, term });
  }
  return {
    title: withoutStopWords(title, stop),
    text: withoutStopWords(text, stop),
    tags: distinct('tags', entry.tags),
    categories: distinct('categories', entry.categories),
    series: distinct('series', entry.series === undefined ? undefined : [entry.series]),
    attributes,
  };
}

/** The field and the value shown for a term (explanations: "shares: jazz, live"). */
export function describeTerm(term: string): { field: 'words' | keyof typeof TERM_PREFIX; value: string } {
  for (const field of ['tags', 'categories', 'series', 'attributes'] as const) {
    if (term.startsWith(TERM_PREFIX[field])) return { field, value: term.slice(TERM_PREFIX[field].length) };
  }
  return { field: 'words', value: term };
}
