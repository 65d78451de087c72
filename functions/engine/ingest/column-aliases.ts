/**
 * The header names (and JSON Lines keys) recognised for each role when the options do not name the columns,
 * compared lower-case without punctuation ("user_id" = "userid").
 */
const ALIASES = {
  user: [
    'user',
    'userid',
    'uid',
    'users',
    'customer',
    'customerid',
    'member',
    'memberid',
    'account',
    'accountid',
    'viewer',
    'viewerid',
    'visitor',
    'visitorid',
    'subscriber',
    'subscriberid',
    'profile',
    'profileid',
    'reviewer',
    'reviewerid',
  ],
  item: [
    'item',
    'itemid',
    'iid',
    'items',
    'movie',
    'movieid',
    'product',
    'productid',
    'content',
    'contentid',
    'asset',
    'assetid',
    'video',
    'videoid',
    'title',
    'titleid',
    'show',
    'showid',
    'track',
    'trackid',
    'song',
    'songid',
    'article',
    'articleid',
    'sku',
    'episode',
    'episodeid',
    'program',
    'programid',
    'book',
    'bookid',
    'isbn',
    'asin',
  ],
  rating: ['rating', 'ratings', 'score', 'value', 'stars', 'weight', 'preference', 'rate', 'grade', 'overall'],
  timestamp: [
    'timestamp',
    'time',
    'ts',
    'date',
    'datetime',
    'when',
    'createdat',
    'ratedat',
    'watchedat',
    'epoch',
    'unixtime',
    'unixreviewtime',
    'eventtime',
  ],
  /** Read only when the config has eventWeights (typed events). */
  type: ['type', 'eventtype', 'event', 'eventname', 'action', 'interaction', 'interactiontype', 'signal', 'kind'],
} as const;

export type Role = keyof typeof ALIASES;

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Position of the first name recognised for `role`; -1 if none. */
export function aliasIndex(names: readonly string[], role: Role): number {
  const aliases: readonly string[] = ALIASES[role];
  return names.findIndex((name) => aliases.includes(normalise(name)));
}
