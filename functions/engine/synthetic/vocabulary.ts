/**
 * The words of the synthetic catalogue's descriptions (text.ts): topic words per taste factor, and words every
 * description shares. Written for this project. Each genre of metadata.ts (by cluster) has a pool of English topic
 * words, dealt to its first factors TOPIC_WORDS at a time; factors past a pool's end (big catalogues: more than
 * POOL_FACTORS factors in a genre, or genres past the named ones) get pronounceable pseudo-words, unique per factor.
 * Every topic word belongs to exactly one factor (test/engine/synthetic-content.test.ts checks the pools are
 * disjoint, and disjoint from the shared words and the tokeniser's stop words).
 */

/** Topic words per taste factor. */
export const TOPIC_WORDS = 6;
/** English topic words per genre pool: the first POOL_FACTORS factors of a genre get English words. */
const POOL_SIZE = 24;
export const POOL_FACTORS = POOL_SIZE / TOPIC_WORDS;

/** One pool per genre of metadata.ts's GENRES, in the same order (Drama, Comedy, Thriller, …). */
export const GENRE_TOPIC_POOLS: readonly (readonly string[])[] = [
  // Drama
  `inheritance widow courtroom farmhouse funeral confession scholarship factory strike hospital diagnosis surgeon
   orphanage custody verdict vineyard miners shipyard choir headmaster pension tenement bakery quarry`,
  // Comedy
  `wedding roommate karaoke mixup prank inlaws sitcom standup blunder intern caterer bachelor mascot hamster
   retirees timeshare clowns lottery makeover gossip landlord sleepover neighbour bridesmaid`,
  // Thriller
  `hostage sniper blackmail surveillance conspiracy fugitive abduction ransom informant cipher assassin bunker
   extortion hacker embassy kidnapper wiretap safehouse whistleblower stalker dossier ambush decoy heist`,
  // Documentary
  `glaciers archive interviews expedition wildlife census migration coral rainforest archaeology footage volcano
   ecosystem biography satellites reef drought plankton tribes fossils pollution harvest artisans nomads`,
  // Romance
  `courtship sweethearts proposal honeymoon flirtation serenade longing heartbreak engagement valentine bouquet
   matchmaker rendezvous elopement soulmate crush duet moonlight ballroom chemistry admirer letters promise locket`,
  // Sci-Fi
  `spaceship android nebula colony asteroid cyborg wormhole starship terraforming quantum hologram clone galaxy
   orbit teleporter mutant reactor exoplanet hyperdrive robotics lunar singularity probe alien`,
  // Animation
  `puppy dragonfly toybox snowman talking penguin balloon candyland treehouse unicorn kitten crayon bunny
   dinosaur pixie gingerbread acorn raccoon hedgehog marshmallow rainbow piglet lullaby sprout`,
  // Horror
  `haunting zombie cemetery exorcism poltergeist vampire ritual asylum demon werewolf possession crypt curse
   cabin seance mannequin sacrifice coven slasher ghoul catacomb scarecrow tombstone phantom`,
  // Crime
  `detective homicide mobster smuggling precinct cartel forensics alibi racketeering bootlegger gangster robbery
   counterfeit syndicate interrogation parole undercover mugshot heroin laundering pickpocket getaway jailbreak fence`,
  // Fantasy
  `wizard sorceress dragon prophecy wyvern elves amulet enchanted goblin quest spellbook castle druid oracle
   griffin potion realm dwarves sword throne sorcery fairies runes mermaid`,
  // Adventure
  `treasure jungle shipwreck pirates compass machete canyon raft island safari mountaineer caravan map
   lagoon temple voyage explorer outpost rapids summit cavern desert parachute balloonist`,
  // Mystery
  `clue manor butler whodunit locked governess poison amateur sleuth riddle disappearance suspects candlestick
   lighthouse diary portrait telegram heiress vicar inspector fingerprint deduction pendant attic`,
  // Musical
  `saxophone chorus orchestra broadway jazz tango rehearsal audition ballet cabaret tenor soprano conductor
   drummer trumpet piano lyrics encore vaudeville songwriter harmonica violin gospel opera`,
  // Western
  `cowboy saloon sheriff outlaw ranch stagecoach gunslinger prairie cattle spurs homestead posse bounty
   railroad marshal mustang tumbleweed revolver rodeo wagon prospector lasso bandit corral`,
  // War
  `trenches battalion regiment submarine squadron bombing infantry sergeant artillery resistance occupation
   garrison convoy paratroopers armistice deserter foxhole medic bomber minefield siege platoon veterans barracks`,
  // Family
  `grandparents siblings holiday picnic campsite adoption stepmother twins babysitter pony backyard birthday
   thanksgiving reunions scouts daycare aquarium playground fairground carpool lemonade homework schoolbus grandpa`,
].map(words);

/** Blurb words every description may use, by part of speech (none is a topic word, so they carry no taste). */
export const SHARED_NOUNS: readonly string[] = words(`story journey woman man girl boy family friend stranger town
  city world truth secret past future dream memory hope fear summer winter night team group life chance home road
  moment power`);
export const SHARED_VERBS: readonly string[] = words(`discovers finds hides loses follows faces protects uncovers
  chases remembers rebuilds confronts leaves joins defends betrays changes escapes searches survives questions fights
  returns saves`);
/** Adjectives start with a consonant, so "a {adjective}" always reads right. */
export const SHARED_ADJECTIVES: readonly string[] = words(`young strange quiet dangerous lonely reluctant brilliant
  ruthless gentle restless forgotten fearless curious troubled stubborn bitter hopeful weary daring sly`);

/**
 * Sentence templates: {T} a topic word, {N} a shared noun, {V} a shared verb, {A} a shared adjective. Every literal
 * word is a stop word (STOP_WORDS) or a shared word (SHARED_WORDS), so only the topic words say anything.
 */
export const SENTENCES: readonly string[] = [
  'When the {T} {V} the {T}, the {A} {N} {V} the {T}.',
  'The {A} {N} of the {T} {V} the {N} of the {T}.',
  'A {A} {N} of {T}, {T} and {T}.',
  'The {N} {V} the {T} at the {T}.',
  'Between the {T} and the {T}, a {A} {N} {V} the {T}.',
  'Years after the {T}, the {N} {V} the {A} {T}.',
  'Nothing {V} the {T} like the {T}.',
  'Their {N} {V} the {T} and the {T}.',
  'She {V} the {T}; he {V} the {T}.',
  'Everything {V} when the {T} {V} the {N}.',
];

/** English stop words of the templates (all on the tokeniser's list, so it drops them; they make it guess English). */
export const STOP_WORDS: readonly string[] = words('the a and of at their she he when');

/** Every shared word: the parts of speech and the templates' literal words that are not stop words. */
export const SHARED_WORDS: readonly string[] = [
  ...new Set([
    ...SHARED_NOUNS,
    ...SHARED_VERBS,
    ...SHARED_ADJECTIVES,
    ...SENTENCES.flatMap((sentence) =>
      words(sentence.replace(/\{[A-Z]\}|[.,;]/g, ' ').toLowerCase()).filter((word) => !STOP_WORDS.includes(word)),
    ),
  ]),
];

function words(list: string): string[] {
  return list.split(/\s+/).filter((word) => word !== '');
}

const SYLLABLES = 'ka lo mi nu re sa ti vo be da fe gu ha jo ki le mo ne pi ru'.split(' ');

/**
 * A pronounceable pseudo-word for each index: the base-20 syllables of 8000 + 13·index (an injective map, so every
 * index has its own word; at least four syllables, so none is an English word or a stop word).
 */
export function pseudoWord(index: number): string {
  let text = '';
  for (let n = 8000 + 13 * index; n > 0; n = Math.floor(n / 20)) text += SYLLABLES[n % 20];
  return text;
}
