/**
 * Every knob of the synthetic model in one place, calibrated in docs/SYNTHETIC.md with
 * bench/synthetic-calibration.ts (which may override them through SYNTH_TASTE for experiments; nothing else
 * writes them).
 */
/** The taste and session knobs, calibrated in docs/SYNTHETIC.md (bench/synthetic-calibration.ts). */
export const TASTE = {
  /**
   * Items per taste factor: each genre splits into round(members / factorSize) sub-genres (at least one), so users
   * like sub-genres and the items of one genre split their audience.
   */
  factorSize: 50,
  /** Share of items that also load on a second factor (any genre), at secondFactorLoad of their weight. */
  secondFactorShare: 0.3,
  secondFactorLoad: 0.5,
  /** Chance that an item starts a series with the next items of its factor; series have 2 to seriesMaxParts parts. */
  seriesStart: 0.2,
  seriesMaxParts: 5,
  /** Mean share of a user's draws taken from their own factors (logit-normal across users, sigma FOCUS_SPREAD). */
  focus: 0.7,
  focusSpread: 1,
  /** A user likes LIKED_MIN + [0, LIKED_EXTRA) factors; extras are sub-genres of their genres with IN_GENRE. */
  likedMin: 2,
  likedExtra: 3,
  inGenre: 0.8,
  /** Lognormal sigma of the shares among a user's factors. */
  shareSpread: 1,
  /** Mean items per session (geometric). */
  sessionMean: 3,
  /** Chance of watching the next part of a series after rating this one >= 4, or lower. */
  continueLiked: 0.8,
  continueOther: 0.25,
  /** Rating mean: base + user bias + item bias + affinity·ratingTaste; noise sigma noise − affinity·noiseTaste. */
  ratingBase: 2.5,
  ratingTaste: 2,
  noise: 1,
  noiseTaste: 0.5,
  /** Weight boost (times affinity) of liked items when a heavy user's history is completed by weighted sampling. */
  fillBoost: 8,
};

/** The description knobs (text.ts), described in docs/SYNTHETIC.md ("Descriptions, tags and cold items"). */
export const TEXT = {
  /** Words per description: sentences (vocabulary.ts) are added up to a length uniform in [wordsMin, wordsMax]. */
  wordsMin: 30,
  wordsMax: 80,
  /** Tags per item: uniform in [tagsMin, tagsMax], distinct topic words drawn as the text's are. */
  tagsMin: 2,
  tagsMax: 4,
  /** Chance that a description puts one of its topic words in double quotes (so the CSV needs quoting). */
  quote: 0.15,
};
