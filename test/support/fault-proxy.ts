/**
 * An HTTP proxy in front of a real local server that fails chosen requests on demand, for faults the real
 * server cannot produce (a DynamoDB write failing mid-build). Requests are matched on the X-Amz-Target header
 * and, optionally, on text in their body (e.g. one row's key, so exactly one write chunk and its retries fail).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** e.g. 'DynamoDB_20120810.BatchWriteItem' */
  target: string;
  /** Only requests whose body contains every one of these strings match (default: every request to `target`). */
  bodyIncludes?: string[];
  /** Let this many matching requests through before failing. */
  after: number;
  /** Fail at most this many (default: all following). */
  times?: number;
  /**
   * Requests to `target` that are let through and whose body contains every string of `bodyIncludes` are held
   * before being forwarded: writes in flight while a sibling fails (a slow partition) land late. They are
   * released after `ms`, or as soon as a request with X-Amz-Target `releasedBy` has been answered, if earlier
   * (so a test can make held writes land right after a given step of the code under test).
   */
  delay?: { bodyIncludes: string[]; ms: number; releasedBy?: string };
}

export interface FaultProxy {
  endpoint: string;
  /** Matching requests seen / failed so far. */
  stats: { seen: number; failed: number };
  setRule(rule: FaultRule | undefined): void;
  stop(): Promise<void>;
}

const includesAll = (body: string, parts: readonly string[] | undefined) =>
  (parts ?? []).every((part) => body.includes(part));

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(upstream);
  let rule: FaultRule | undefined;
  const stats = { seen: 0, failed: 0 };

  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let delayMs = 0;
      if (rule && target === rule.target) {
        const text = body.toString('utf8');
        if (includesAll(text, rule.bodyIncludes)) {
          stats.seen++;
          const failNow = stats.seen > rule.after && (rule.times === undefined || stats.failed < rule.times);
          if (failNow) {
            stats.failed++;
            res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(
              JSON.stringify({
                __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
                message: 'injected fault',
              }),
            );
            return;
          }
        }
        if (rule.delay && includesAll(text, rule.delay.bodyIncludes)) delayMs = rule.delay.ms;
      }
      if (delayMs > 0) hold(() => forward(req, body, res), delayMs);
      else forward(req, body, res);
      if (rule?.delay?.releasedBy === target) res.on('finish', releaseHeld);
    });
  });

  const held = new Set<() => void>();
  const hold = (send: () => void, ms: number) => {
    const release = () => {
      clearTimeout(timer);
      held.delete(release);
      send();
    };
    const timer = setTimeout(release, ms);
    held.add(release);
  };
  const releaseHeld = () => {
    for (const release of [...held]) release();
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstreamRequest = request(
      {
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamRequest.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstreamRequest.end(body);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setRule(next) {
      rule = next;
      stats.seen = 0;
      stats.failed = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        releaseHeld();
        server.close(() => resolve());
        server.closeAllConnections(); // SDK clients keep their sockets alive
      }),
  };
}
