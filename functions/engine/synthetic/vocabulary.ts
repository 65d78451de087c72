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
].map((pool) => pool.split(/\s+/).filter((word) => word !== ''));

/**
 * Words every description may use (verbs, common nouns and adjectives of blurbs), drawn Zipf-like: the first are
 * the most frequent. None is a topic word, so they carry no taste signal.
 */
export const SHARED_WORDS: readonly string[] = `story life world journey discovers finds years young town city family
  friend secret past future love home truth begins decides everything nothing chance first small beyond together
  alone face fight lost returns behind stranger night time year woman man girl boy people group team place dream
  change power hope fear memory moment last life search escape summer winter road return old new little great
  unexpected strange simple dangerous quiet ordinary after while`
  .split(/\s+/)
  .filter((word, k, all) => word !== '' && all.indexOf(word) === k);

/** English stop words the descriptions use (all on the tokeniser's list, so it drops them; they make the text read as English, and make the tokeniser guess English). */
export const STOP_WORDS: readonly string[] = `the a of and in to with his her their who when an as but for on is at from
  that into they she he`
  .split(/\s+/)
  .filter((word) => word !== '');

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
