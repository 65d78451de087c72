import { describe, expect, it } from 'vitest';
import { describeTerm, entryTerms, normalise, stopWordsFor, tokenise } from '../../functions/engine/content/index.js';

describe('tokenise: Chinese (ICU dictionary segmentation via Intl.Segmenter)', () => {
  it('cuts a sentence into words, not single characters, and drops the function words', () => {
    // 我 (I) and 和 (and) are stop words; ICU gives 喜欢 / 爵士 / 音乐 / 现场 / 演出 as two-character words.
    expect(tokenise('我喜欢听爵士音乐和现场演出。')).toEqual(['喜欢', '听', '爵士', '音乐', '现场', '演出']);
    // 的 and 了 are particles (stop words).
    expect(tokenise('今天的新闻报道了北京的天气')).toEqual(['今天', '新闻', '报道', '北京', '天气']);
  });

  it('keeps Latin words and numbers inside Chinese text', () => {
    const words = tokenise('爵士乐Live现场2024');
    expect(words).toContain('爵士');
    expect(words).toContain('live');
    expect(words).toContain('现场');
    expect(words).toContain('2024');
  });

  it('finds the same words with a zh language tag (the list of its primary subtag)', () => {
    expect(tokenise('我们在上海听爵士音乐', 'zh-Hans-CN')).toEqual(['上海', '听', '爵士', '音乐']);
  });
});

describe('tokenise: German, NFKC and case', () => {
  it('drops German stop words and keeps umlauts and compounds whole', () => {
    expect(tokenise('Für die Mädchen über Äpfel und die Kühlschranktür', 'de')).toEqual([
      'mädchen',
      'äpfel',
      'kühlschranktür',
    ]);
  });

  it('composes combining marks, so decomposed and precomposed umlauts are one word', () => {
    const decomposed = 'Mu\u0308nchen Ko\u0308ln';
    expect(decomposed).not.toBe('München Köln');
    expect(tokenise(decomposed)).toEqual(tokenise('München Köln'));
    expect(tokenise(decomposed)).toEqual(['münchen', 'köln']);
  });

  it('folds compatibility forms: ligatures, full-width letters and digits', () => {
    expect(tokenise('ﬁnale')).toEqual(['finale']);
    expect(tokenise('Ｈｅｌｌｏ　Ｗｏｒｌｄ １２３')).toEqual(['hello', 'world', '123']);
  });

  it('lowercases capital sharp s and keeps ß', () => {
    expect(tokenise('GROẞE Straße')).toEqual(['große', 'straße']);
  });
});

describe('tokenise: English, numbers, punctuation', () => {
  it('removes English stop words', () => {
    expect(tokenise('The Best of the Jazz Festival', 'en')).toEqual(['best', 'jazz', 'festival']);
    expect(tokenise('It is what it is, and they were there')).toEqual([]);
  });

  it('keeps numbers (decimals too) and drops punctuation', () => {
    expect(tokenise('Top 10 songs of 2024 -- 3.5 stars!!! (live)', 'en')).toEqual([
      'top',
      '10',
      'songs',
      '2024',
      '3.5',
      'stars',
      'live',
    ]);
  });

  it('cuts elided French and Italian articles off the word', () => {
    expect(tokenise('l’amour du jazz', 'fr')).toEqual(['amour', 'jazz']);
    expect(tokenise("storia dell'arte", 'it')).toEqual(['storia', 'arte']);
  });

  it('uses the list of the language tag, and none for a language without a list', () => {
    // "die" and "war" are English words but German stop words.
    expect(tokenise('die war', 'en')).toEqual(['die', 'war']);
    expect(tokenise('die war', 'de')).toEqual([]);
    expect(tokenise('the car', 'sv')).toEqual(['the', 'car']);
    expect(stopWordsFor('pt-BR').has('não')).toBe(true);
    expect(stopWordsFor('NL').has('het')).toBe(true);
    expect(stopWordsFor('zh-Hant').has('的')).toBe(true);
  });

  it('guesses the list of untagged text from its words, so other languages’ stop words stay content words', () => {
    // car (French), door (Dutch), man (German) and son (Spanish) are stop words there, content words in English.
    expect(tokenise('The car and the door of the man and his son')).toEqual(['car', 'door', 'man', 'son']);
    expect(tokenise('Der Mann und die Frau mit dem Hund')).toEqual(['mann', 'frau', 'hund']);
    // One hit says nothing ("car" is a French stop word): nothing is removed.
    expect(tokenise('Car Wars')).toEqual(['car', 'wars']);
    // Chinese stop words apply with any guess: they never collide with an alphabetic word.
    expect(tokenise('the best of 爵士的音乐')).toEqual(['best', '爵士', '音乐']);
  });

  it('never produces a word that looks like a field-prefixed term', () => {
    expect(tokenise('cat:jazz tag:live 12:30')).toEqual(['cat', 'jazz', 'tag', 'live', '12', '30']);
  });

  it('normalises white space in whole values', () => {
    expect(normalise('  Live \t Music\n')).toBe('live music');
  });
});

describe('entryTerms', () => {
  it('makes tags, categories, series and attributes whole, prefixed, distinct terms', () => {
    const terms = entryTerms({
      item: 'i1',
      title: 'Live Music',
      text: 'Jazz in the park',
      tags: ['Live Music', 'live  music', ' '],
      categories: ['Jazz', 'Ｊａｚｚ'],
      series: 'Summer Nights',
      attributes: { mood: 'Calm', year: 1999, explicit: false },
    });
    expect(terms.title).toEqual(['live', 'music']);
    expect(terms.text).toEqual(['jazz', 'park']);
    expect(terms.tags).toEqual(['tag:live music']);
    expect(terms.categories).toEqual(['cat:jazz']);
    expect(terms.series).toEqual(['series:summer nights']);
    expect(terms.attributes).toEqual([
      { name: 'mood', term: 'attr:mood=calm' },
      { name: 'year', term: 'attr:year=1999' },
      { name: 'explicit', term: 'attr:explicit=false' },
    ]);
  });

  it('guesses one list for the whole entry from title and text together', () => {
    // The title alone ("Car Wars") has one French hit; with the English text the entry is English.
    const terms = entryTerms({ item: 'i', title: 'Car Wars', text: 'the story of the war in the stars' });
    expect(terms.title).toEqual(['car', 'wars']);
    expect(terms.text).toEqual(['story', 'war', 'stars']);
    // Tagged German: "war" is a stop word there.
    expect(entryTerms({ item: 'j', title: 'Es war einmal', language: 'de' }).title).toEqual(['einmal']);
  });

  it('gives an entry without any field no terms', () => {
    expect(entryTerms({ item: 'empty' })).toEqual({
      title: [],
      text: [],
      tags: [],
      categories: [],
      series: [],
      attributes: [],
    });
  });

  it('describes terms for explanations', () => {
    expect(describeTerm('cat:jazz')).toEqual({ field: 'categories', value: 'jazz' });
    expect(describeTerm('tag:live music')).toEqual({ field: 'tags', value: 'live music' });
    expect(describeTerm('attr:mood=calm')).toEqual({ field: 'attributes', value: 'mood=calm' });
    expect(describeTerm('jazz')).toEqual({ field: 'words', value: 'jazz' });
  });
});
