/**
 * Descriptions and tags of the synthetic catalogue. A description is sentences from templates (vocabulary.ts) whose
 * topic-word slots are filled from the item's own taste factor (or its second factor, in proportion to its loading)
 * with probability `contentSignal`, else from a factor chosen uniformly from all factors; every other word is a
 * shared blurb word or a stop word. So text carries taste signal in proportion to `contentSignal`, and none at 0.
 * See docs/SYNTHETIC.md ("Descriptions, tags and cold items").
 *
 * Safety properties (test/engine/synthetic-content.test.ts): deterministic by seed, each item from its own random
 * stream (seed, 9, item), so the interaction and metadata streams are untouched; with `contentSignal` 1 every topic
 * word is one of the item's factors'; with 0 the words do not depend on the item's factors at all (the same draws
 * for any factor); every topic word belongs to exactly one factor.
 */
import { Random } from '../shared/index.js';
import type { SyntheticCatalogue } from './catalogue.js';
import { TASTE, TEXT } from './model.js';
import {
  GENRE_TOPIC_POOLS,
  POOL_FACTORS,
  pseudoWord,
  SENTENCES,
  SHARED_ADJECTIVES,
  SHARED_NOUNS,
  SHARED_VERBS,
  TOPIC_WORDS,
} from './vocabulary.js';

/** The topic words of each factor: its genre's English pool while it lasts, then pseudo-words unique per factor. */
export function factorTopics(catalogue: Pick<SyntheticCatalogue, 'factors' | 'factorCluster'>): string[][] {
  const topics: string[][] = [];
  let first = 0; // first factor of the current genre (factors of a genre are consecutive)
  for (let f = 0; f < catalogue.factors; f++) {
    const c = catalogue.factorCluster[f];
    if (f === 0 || c !== catalogue.factorCluster[f - 1]) first = f;
    const position = f - first;
    const pool = GENRE_TOPIC_POOLS[c];
    topics.push(
      pool !== undefined && position < POOL_FACTORS
        ? pool.slice(position * TOPIC_WORDS, (position + 1) * TOPIC_WORDS)
        : Array.from({ length: TOPIC_WORDS }, (_, w) => pseudoWord(f * TOPIC_WORDS + w)),
    );
  }
  return topics;
}

/** Share of an item's own-factor topic words that come from its second factor (its loading relative to the first). */
export const SECOND_FACTOR_TOPIC_SHARE = TASTE.secondFactorLoad / (1 + TASTE.secondFactorLoad);

export interface SyntheticDescription {
  text: string;
  tags: string[];
}

/**
 * The description and tags of an item of factor `own` (and `second`, or -1), from its own stream. A topic word
 * makes all four of its draws whatever their outcome, so the text's draws never depend on the factors; at `signal`
 * 0 the factors are never read, so text and tags are the same for any factors.
 */
export function describeItem(
  random: Random,
  own: number,
  second: number,
  topics: readonly (readonly string[])[],
  signal: number,
): SyntheticDescription {
  const topic = (): string => {
    const fromOwn = random.next() < signal;
    const which = random.next();
    const any = random.int(topics.length);
    const word = random.int(TOPIC_WORDS);
    const f = fromOwn ? (second >= 0 && which < SECOND_FACTOR_TOPIC_SHARE ? second : own) : any;
    return topics[f][word];
  };
  // Sentences from the templates until the drawn length (never past wordsMax).
  const length = TEXT.wordsMin + random.int(TEXT.wordsMax - TEXT.wordsMin + 1);
  const sentences: string[][] = [];
  const topicAt: [number, number][] = [];
  let count = 0;
  while (count < length) {
    const template = SENTENCES[random.int(SENTENCES.length)].split(' ');
    if (count + template.length > TEXT.wordsMax) break;
    const sentence = template.map((part, w) => {
      const slot = /\{([TNVA])\}/.exec(part);
      if (slot === null) return part;
      const kind = slot[1];
      if (kind === 'T') topicAt.push([sentences.length, w]);
      const word =
        kind === 'T'
          ? topic()
          : kind === 'N'
            ? pick(random, SHARED_NOUNS)
            : kind === 'V'
              ? pick(random, SHARED_VERBS)
              : pick(random, SHARED_ADJECTIVES);
      return part.replace(slot[0], w === 0 ? capitalise(word) : word);
    });
    sentences.push(sentence);
    count += template.length;
  }
  if (topicAt.length > 0 && random.next() < TEXT.quote) {
    const [s, w] = topicAt[random.int(topicAt.length)];
    sentences[s][w] = sentences[s][w].replace(/^(\p{L}+)/u, '"$1"');
  }
  const text = sentences.map((sentence) => sentence.join(' ')).join(' ');
  const tagCount = TEXT.tagsMin + random.int(TEXT.tagsMax - TEXT.tagsMin + 1);
  const tags: string[] = [];
  for (let attempt = 0; tags.length < tagCount && attempt < 8 * tagCount; attempt++) {
    const tag = topic();
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { text, tags };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pick(random: Random, list: readonly string[]): string {
  return list[random.int(list.length)];
}

/** The stream of item i's description: its own, so any item's text can be drawn alone. */
export function descriptionRandom(seed: number, item: number): Random {
  return new Random(seed, 9, item);
}
