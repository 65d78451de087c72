/**
 * Scans every route of a dataset through the API for mentions of an erased user or a taken-down item: the
 * erased user's own recommendations (item and user based, explained), every other user's recommendations (both,
 * explained) and similar users, every item's similar items, popularity, the dataset status and its jobs. An id
 * counts as named when it appears in a body's JSON text not as part of a longer id ({@link mentions}: "u1" never
 * matches "u10"), whether as a value or inside a message.
 *
 * The only place a body may carry the erased user's id is the echo of the request that named them (the `userId`
 * of their own recommendations, the detail of their own 404): that echo is removed before their own answers are
 * scanned, and those answers must be the unknown user's (popularity, fallback unknown-user).
 */
export interface ScanTarget {
  dataset: string;
  /** Every other user and item to ask about. */
  users: readonly string[];
  items: readonly string[];
  erasedUser?: string;
  takenDownItem?: string;
}

export interface ScanResult {
  requests: number;
  /** Each request whose answer named the subject (or answered wrongly for them), with why. */
  findings: { path: string; why: string }[];
}

type Fetch = (path: string) => Promise<{ status: number; body: Record<string, unknown> }>;

const seg = encodeURIComponent;

/** Whether `text` holds `id` with no id character ([A-Za-z0-9_-]) right before or after it. */
export function mentions(text: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`).test(text);
}

export async function scanForErased(api: Fetch, target: ScanTarget, concurrency = 8): Promise<ScanResult> {
  const { dataset, erasedUser, takenDownItem } = target;
  const base = `/v1/datasets/${seg(dataset)}`;
  const named = (body: unknown): string[] => {
    const text = JSON.stringify(body);
    return [erasedUser, takenDownItem].filter((id): id is string => id !== undefined && mentions(text, id));
  };
  const checks: { path: string; check: (status: number, body: Record<string, unknown>) => string | undefined }[] = [];
  const noMention = (status: number, body: Record<string, unknown>) => {
    const ids = named(body);
    return ids.length ? `names ${ids.join(', ')} (status ${status})` : undefined;
  };
  const recommendationPaths = (user: string) => [
    `${base}/users/${seg(user)}/recommendations?limit=100&explain=true`,
    `${base}/users/${seg(user)}/recommendations?limit=100&explain=true&algorithm=user`,
  ];
  for (const user of target.users) {
    for (const path of recommendationPaths(user)) checks.push({ path, check: noMention });
    checks.push({ path: `${base}/users/${seg(user)}/similar?limit=100`, check: noMention });
  }
  for (const item of target.items)
    checks.push({ path: `${base}/items/${seg(item)}/similar?limit=100`, check: noMention });
  for (const path of [`${base}/popular?limit=100`, base, `${base}/jobs?limit=100`])
    checks.push({ path, check: noMention });
  if (erasedUser !== undefined) {
    for (const path of recommendationPaths(erasedUser)) {
      checks.push({
        path,
        check: (status, body) => {
          const fallback = (body.fallback as { reason?: string } | undefined)?.reason;
          if (status !== 200 || fallback !== 'unknown-user')
            return `not an unknown user (status ${status}, ${fallback})`;
          const { userId: _echo, ...rest } = body;
          return noMention(status, rest);
        },
      });
    }
    checks.push({
      path: `${base}/users/${seg(erasedUser)}/similar?limit=100`,
      check: (status) => (status === 404 ? undefined : `similar users answered ${status}`),
    });
  }
  if (takenDownItem !== undefined) {
    checks.push({
      path: `${base}/items/${seg(takenDownItem)}/similar?limit=100`,
      check: (status) => (status === 404 ? undefined : `similar items of the taken-down item answered ${status}`),
    });
  }

  const findings: ScanResult['findings'] = [];
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < checks.length; k = next++) {
      const { path, check } = checks[k];
      const { status, body } = await api(path);
      const why = check(status, body);
      if (why) findings.push({ path, why });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: checks.length, findings };
}
