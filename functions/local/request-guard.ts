/**
 * What the local HTTP server refuses before the API sees a request. Locally there is no authentication, and a
 * browser on the same machine will send the server whatever a web page asks it to, so:
 *
 * - Host must name this server (localhost, 127.0.0.1, [::1], the address it listens on, or a configured name,
 *   each with its port), else 421. This stops DNS rebinding: a page on evil.example whose name is made to resolve
 *   to 127.0.0.1 is same-origin with itself, and only its Host header tells the requests apart.
 * - A request that can change state (any method but GET, HEAD, OPTIONS) from another site is refused with 403:
 *   `Sec-Fetch-Site` other than same-origin / none, or an `Origin` that is not this server. Non-browser clients
 *   (curl, the CLI) send neither header and pass; the API itself then requires JSON for every POST.
 *
 * Tests: test/local/cross-site.test.ts (real HTTP requests to the real app).
 */

export interface RequestRefusal {
  status: 403 | 421;
  type: string;
  title: string;
  detail: string;
  hint: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Addresses that mean "every interface": not a name a client uses. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** Every `name:port` (lower case) this server answers to; bare names too on port 80, where browsers omit it. */
export function allowedHosts(port: number, listenHost: string, extraNames: readonly string[] = []): Set<string> {
  const bracketed = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  const names = [...LOOPBACK_NAMES, ...(WILDCARD_ADDRESSES.has(bracketed) ? [] : [bracketed]), ...extraNames];
  const hosts = new Set<string>();
  for (const name of names.map((n) => n.toLowerCase())) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name);
  }
  return hosts;
}

/** The refusal for a request, or undefined when it may reach the API. */
export function refuseRequest(
  request: { method?: string; headers: Record<string, string | string[] | undefined> },
  hosts: ReadonlySet<string>,
): RequestRefusal | undefined {
  const host = single(request.headers.host)?.trim().toLowerCase();
  const known = [...hosts].join(', ');
  if (!host || !hosts.has(host)) {
    return {
      status: 421,
      type: 'urn:affinity:problem:misdirected-request',
      title: 'Misdirected request',
      detail: host
        ? `This local API does not answer to Host ${JSON.stringify(host.slice(0, 256))}; it answers to ${known}.`
        : `The request has no Host header; this local API answers to ${known}.`,
      hint: 'Call it as http://127.0.0.1:<port> or http://localhost:<port>; other names must be allowed when the stack starts (allowedHosts).',
    };
  }
  if (SAFE_METHODS.has((request.method ?? 'GET').toUpperCase())) return undefined;
  const fetchSite = single(request.headers['sec-fetch-site'])?.trim().toLowerCase();
  const origin = single(request.headers.origin)?.trim();
  const crossSite =
    (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') ||
    (origin !== undefined && !isThisServer(origin, hosts));
  if (!crossSite) return undefined;
  return {
    status: 403,
    type: 'urn:affinity:problem:cross-site-request',
    title: 'Cross-site request refused',
    detail:
      `A cross-site ${request.method} was refused (Origin ${JSON.stringify((origin ?? '(none)').slice(0, 256))}, ` +
      `Sec-Fetch-Site ${JSON.stringify(fetchSite ?? '(none)')}): the local API has no authentication, so only pages ` +
      'it serves itself and non-browser clients may change state.',
    hint: 'Use the affinity CLI or curl, or serve the page from this API’s own origin.',
  };
}

function isThisServer(origin: string, hosts: ReadonlySet<string>): boolean {
  try {
    const url = new URL(origin); // 'null' (sandboxed and file: pages) does not parse
    return url.protocol === 'http:' && hosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
