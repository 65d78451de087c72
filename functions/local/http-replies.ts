/**
 * Plain node:http helpers shared by the local API server (./api-gateway-server.ts) and the console's own server
 * (functions/cli/console-*.ts): a problem+json answer, and a request body read up to API Gateway's limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** API Gateway HTTP API's request payload quota. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A problem+json answer (RFC 9457); `type`, `where` and `hint` only when known. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
  extra: { type?: string; where?: string; hint?: string } = {},
): void {
  const { type = 'about:blank', where, hint } = extra;
  const body = JSON.stringify({ type, title, status, detail, ...(where ? { where } : {}), ...(hint ? { hint } : {}) });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // The client may still be sending a body we will not read; do not reuse the connection.
    connection: 'close',
    ...headers,
  });
  res.end(body);
}

/** The whole body, or 'too-large' past API Gateway's limit (declared or sent); the rest is read and dropped. */
export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = declared > API_GATEWAY_MAX_BODY_BYTES;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > API_GATEWAY_MAX_BODY_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks);
}
