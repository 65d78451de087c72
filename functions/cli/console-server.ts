/**
 * `affinity console`: the web console on this machine, against the local stack (no flags) or a deployed one
 * (`--stack-outputs`). It serves the built page under /console/, puts dropped files into the bucket
 * (./console-uploads.ts, the same code as `affinity upload`) and forwards `/v1/*` and `/health` to the stack's API
 * (./console-proxy.ts: SigV4 with the user's AWS credentials, or a bearer token). Nothing new is exposed on the
 * internet: the deployed stack is called as the CLI calls it.
 *
 * Safety properties — this server holds the user's AWS credentials (test/console/console-server.test.ts):
 * - It listens on loopback only: a --host that is not 127.0.0.0/8, ::1 or localhost is refused at start (there is
 *   no --allow-remote; anyone who could reach it could act with the user's credentials).
 * - DNS rebinding: a Host header other than this server's own 127.0.0.1 / localhost / [::1] with its port → 421,
 *   nothing forwarded (functions/local/request-guard.ts).
 * - CSRF: any request with an Origin that is not this server → 403; every forwarded request and every upload needs
 *   `x-affinity-console: 1` → else 403. A cross-site page cannot add that header without a CORS preflight, and
 *   this server never answers one (OPTIONS is not forwarded and gets no CORS headers).
 * - Only `/v1/…` and `/health` are forwarded, and only to the API's origin (./console-proxy.ts).
 * - Static files: as functions/local/console-static.ts guarantees (the build's files only, GET/HEAD).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserInputError } from '../engine/types.js';
import { isConsolePath, serveConsole } from '../local/console-static.js';
import { allowedHosts, refuseRequest } from '../local/request-guard.js';
import { logSafePath } from '../log-redaction.js';
import type { SigningCredentials } from './api-client.js';
import { integer } from './args.js';
import { proxyToApi, isProxiedPath } from './console-proxy.js';
import { sendProblem } from '../local/http-replies.js';
import { CONSOLE_HEADER, handleConsoleUpload, hasConsoleHeader, isConsoleUploadPath } from './console-uploads.js';
import { action } from './errors.js';
import { resolveTarget, withTarget, type StackTarget, type TargetFlags } from './target.js';

export const DEFAULT_CONSOLE_PORT = 4800;

export interface ConsoleServerOptions {
  target: StackTarget;
  /** A built console (functions/console/build.ts). */
  consoleDir: string;
  /** 0 = ephemeral (tests). */
  port: number;
  host?: string;
  /** For a deployed stack signed with SigV4; default: the AWS credential chain. */
  credentials?: SigningCredentials;
  log?: (line: string) => void;
}

export interface RunningConsoleServer {
  /** http://host:port, no trailing slash. */
  url: string;
  stop(): Promise<void>;
}

/** True for the addresses and the name that reach this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Refuses (UserInputError on --host) any address other machines could reach. */
export function assertLoopbackHost(host: string): void {
  if (!isLoopbackHost(host))
    throw new UserInputError(
      `the console will not listen on ${host}: it acts with your AWS credentials, so it listens on loopback only`,
      '--host',
      'Use 127.0.0.1 (the default), localhost or ::1; to use it from another machine, forward the port over SSH.',
    );
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const log = options.log ?? ((line: string) => console.error(line));
  let hosts = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refusal = refuseRequest(req, hosts);
    if (refusal) return sendProblem(res, refusal.status, refusal.title, refusal.detail, {}, { hint: refusal.hint });
    // refuseRequest checks Origin on writes only; here every request with a foreign Origin is refused.
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, hosts))
      return sendProblem(
        res,
        403,
        'Forbidden',
        `Requests from ${JSON.stringify(origin.slice(0, 256))} are refused: only this console's own pages may call it.`,
      );
    const url = req.url ?? '/';
    if (isConsoleUploadPath(url)) return handleConsoleUpload(req, res, options.target);
    if (isConsolePath(url)) return serveConsole(req, res, options.consoleDir);
    if (url === '/') {
      res.writeHead(302, { location: '/console/' });
      res.end();
      return;
    }
    if (!isProxiedPath(url))
      return sendProblem(res, 404, 'Not Found', 'This server has /console/, and forwards /v1/… and /health.');
    if (!hasConsoleHeader(req))
      return sendProblem(
        res,
        403,
        'Forbidden',
        `A request forwarded to the API must carry the header ${CONSOLE_HEADER}: 1 (the console sends it).`,
        {},
        { hint: 'Call the API directly (affinity status / curl) rather than through the console server.' },
      );
    return proxyToApi(req, res, { target: options.target, credentials: options.credentials });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        `console ${req.method} ${logSafePath(req.url ?? '')}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendProblem(res, 500, 'Internal Server Error', 'The console server failed; see its log.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UserInputError(`port ${options.port} is in use`, '--port', 'Pass another --port, or stop what uses it.')
          : error,
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port, host);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isOwnOrigin(origin: string, hosts: ReadonlySet<string>): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && hosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

interface ConsoleFlags extends TargetFlags {
  port: number;
  host: string;
}

export function registerConsoleCommand(program: Command, dataDir: string): void {
  withTarget(program.command('console'))
    .description(
      'serve the web console on this machine against the local stack, or a deployed one (--stack-outputs): API calls SigV4-signed with your AWS credentials (or --token), uploads put with them',
    )
    .option('--port <port>', 'port on loopback', integer('--port', 0, 65535), DEFAULT_CONSOLE_PORT)
    .option('--host <address>', 'loopback address to listen on (127.0.0.1, localhost or ::1)', '127.0.0.1')
    .action(
      action(async (flags: ConsoleFlags) => {
        assertLoopbackHost(flags.host); // before the build: nothing to wait for
        const target = resolveTarget(flags, dataDir);
        const { buildConsole } = await import('../console/build.js');
        const built = await buildConsole(join(dataDir, 'console'));
        const server = await startConsoleServer({ target, consoleDir: built.dir, port: flags.port, host: flags.host });
        const auth = target.local
          ? 'unsigned (local stack)'
          : target.token
            ? 'bearer token'
            : 'SigV4 (your AWS credentials)';
        console.log(
          `Console   ${server.url}/console/\n  API     ${target.apiUrl}   ${auth}\n  Bucket  ${target.bucket}\nCtrl-C stops.`,
        );
        const stop = () => {
          void server.stop().finally(() => process.exit(0));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
    );
}
