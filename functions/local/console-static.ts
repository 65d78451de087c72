/**
 * Serves the built web console (functions/console/build.ts) under /console/ on the local API server: static
 * files only, GET and HEAD, answered before (and never reaching) the API's Lambda handler. The deployed stack
 * serves nothing of this.
 *
 * Safety properties (test/console/console-static.test.ts):
 * - Only the files the build wrote are served: a path with `..`, a dot-file (the digest), or any name not in the
 *   directory is a 404; it never reads outside the directory.
 * - Any other method is 405 with `allow: GET, HEAD`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONSOLE_PREFIX = '/console';
/** The console's upload route (functions/cli/console-uploads.ts), answered before the static files. */
export const CONSOLE_UPLOADS_PREFIX = `${CONSOLE_PREFIX}/uploads/`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export function isConsolePath(url: string): boolean {
  const path = url.split('?')[0];
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

/** Answers a request whose path {@link isConsolePath}. */
export function serveConsole(req: IncomingMessage, res: ServerResponse, dir: string): void {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('The console is static: only GET and HEAD.\n');
    return;
  }
  if (path === CONSOLE_PREFIX) {
    // Relative asset URLs in index.html need the trailing slash.
    res.writeHead(308, { location: `${CONSOLE_PREFIX}/` });
    res.end();
    return;
  }
  const name = path.slice(CONSOLE_PREFIX.length + 1) || 'index.html';
  // Only a plain file name the build wrote: no sub-paths, no dot-files; checked against the listing, not the path.
  const served = readdirSync(dir).filter((file) => !file.startsWith('.') && CONTENT_TYPES[extension(file)]);
  if (!served.includes(name)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`No console file ${name}. Open ${CONSOLE_PREFIX}/.\n`);
    return;
  }
  const body = readFileSync(join(dir, name));
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extension(name)],
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot);
}
