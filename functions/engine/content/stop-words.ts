/**
 * Stop words: the most frequent function words (articles, pronouns, prepositions, conjunctions, auxiliaries) of
 * the languages media publishes in. Written for this project from general knowledge of each language — not copied
 * from any published list — and kept small on purpose: a word left out only costs a little weight (TF-IDF/BM25
 * give frequent words a low idf anyway), while a content word wrongly listed would be lost for every item.
 * Entries are written already normalised (NFKC, lowercase), as the tokeniser compares them.
 */

const LISTS = {
  en: `a an the and or but nor if then than so as of at by for from in into on onto to with without about over under
    is are was were be been being am do does did doing have has had having will would shall should can could may might
    must i me my mine we us our ours you your yours he him his she her hers it its they them their theirs this that
    these those there here what which who whom whose when where why how not no all any each both few more most other
    some such only own same too very just also up down out off again once s t don’t don't it’s it's i’m i'm`,
  de: `der die das den dem des ein eine einer eines einem einen und oder aber doch denn wenn als wie so auch noch nur
    nicht kein keine ist sind war waren bin bist sein seid wird werden wurde wurden hat haben hatte hatten kann können
    muss müssen soll sollen will wollen ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch sich mein dein
    unser euer im in an am auf aus bei mit nach von vom zu zum zur über unter vor für durch gegen ohne um bis dass
    daß ob dies diese dieser dieses jener man hier dort da`,
  fr: `le la les l un une des du de d et ou mais donc or ni car si que qu qui quoi dont où ne pas plus ce cet cette
    ces c est sont était étaient être été avoir a ont avait je j me m moi tu te t toi il elle on nous vous ils elles
    se s son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos au aux en dans sur sous par pour avec sans
    chez vers entre y comme aussi très`,
  es: `el la los las lo un una unos unas y o u e pero ni si que qué quien cual como cuando donde de del a al en con
    sin por para sobre entre hasta desde es son era eran ser fue fueron está están estar ha han haber he yo tú él
    ella nosotros vosotros ellos ellas me te se nos os le les mi mis tu tus su sus nuestro nuestra no muy más ya
    también este esta estos estas ese esa eso`,
  it: `il lo la i gli le un uno una e ed o ma se che chi cui non più di del della dei degli delle a al alla ai agli
    alle da dal dalla in nel nella nei con su sul sulla per tra fra è sono era erano essere stato ha hanno avere ho
    io tu lui lei noi voi loro mi ti si ci vi suo sua suoi sue mio mia questo questa quello quella come anche molto`,
  pt: `o a os as um uma uns umas e ou mas nem se que quem qual como quando onde de do da dos das em no na nos nas ao
    aos à às com sem por pelo pela para sobre entre até é são era eram ser foi foram está estão estar tem têm ter
    eu tu ele ela nós vós eles elas me te lhe lhes seu sua seus suas meu minha não muito mais já também este esta
    isso isto esse essa`,
  nl: `de het een en of maar want dus als dan dat die dit deze wie wat waar wanneer hoe niet geen is zijn was waren
    ben bent wordt worden werd heeft hebben had hadden kan kunnen moet moeten zal zullen ik jij je u hij zij ze wij
    we jullie mij me hem haar ons hun zich mijn jouw uw onze van in op aan met voor door bij naar uit over onder
    tot om te er hier daar ook nog al zo`,
  // Chinese: particles, pronouns and function words as ICU's word segmentation returns them (的, 了, 我们 …).
  zh: `的 了 和 与 及 或 而 但 是 在 有 也 就 都 不 没 没有 很 这 那 这个 那个 这些 那些 我 你 他 她 它 我们 你们 他们
    她们 它们 自己 之 其 把 被 从 对 为 以 于 向 着 过 吗 呢 吧 啊 呀 个 一个 上 下 中 里 等 还 又 则 所 如果 因为 所以 但是
    而且 或者 以及`,
} as const;

export type StopWordLanguage = keyof typeof LISTS;
export const STOP_WORD_LANGUAGES = Object.keys(LISTS) as StopWordLanguage[];

function toSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((word) => word !== ''));
}

const BY_LANGUAGE = new Map<string, ReadonlySet<string>>(
  STOP_WORD_LANGUAGES.map((language) => [language, toSet(LISTS[language])]),
);
const EMPTY: ReadonlySet<string> = new Set();
/** The lists of alphabetic languages, in the order a tie between guesses is settled (see guessStopWords). */
const LATIN: readonly StopWordLanguage[] = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'];
/** Fewer hits than this say nothing about the language ("Car Wars": car is a French stop word). */
export const MIN_GUESS_HITS = 2;
/** Each Latin list with the Chinese one: Chinese stop words never collide with an alphabetic word. */
const WITH_CHINESE = new Map<StopWordLanguage | undefined, ReadonlySet<string>>([
  [undefined, BY_LANGUAGE.get('zh')!],
  ...LATIN.map((language): [StopWordLanguage, ReadonlySet<string>] => [
    language,
    new Set([...BY_LANGUAGE.get(language)!, ...BY_LANGUAGE.get('zh')!]),
  ]),
]);

/**
 * The stop words of a language tag (`de`, `pt-BR`, `zh-Hant`: the primary subtag picks the list); a language with
 * no list of its own gets none (a wrong list would remove its content words).
 */
export function stopWordsFor(language: string): ReadonlySet<string> {
  const primary = language.split(/[-_]/)[0].toLowerCase();
  return BY_LANGUAGE.get(primary) ?? EMPTY;
}

/**
 * Stop words for words of unknown language: the alphabetic list holding most of them (at least MIN_GUESS_HITS;
 * ties go to the earlier list of LATIN), plus the Chinese list. A union of all lists instead would drop English
 * "car", "door", "man" or "son" (French, Dutch, German, Spanish stop words) from every untagged English entry.
 */
export function guessStopWords(words: readonly string[]): ReadonlySet<string> {
  let best: StopWordLanguage | undefined;
  let bestHits = MIN_GUESS_HITS - 1;
  for (const language of LATIN) {
    const list = BY_LANGUAGE.get(language)!;
    let hits = 0;
    for (const word of words) if (list.has(word)) hits++;
    if (hits > bestHits) {
      best = language;
      bestHits = hits;
    }
  }
  return WITH_CHINESE.get(best)!;
}
