/**
 * The console's upload route: `PUT /console/uploads/{dataset}/{fileName}` (each part URL-encoded, the body the
 * file's bytes) puts the file into the stack's bucket through `uploadToDataset` (./upload.ts), exactly as
 * `affinity upload` does: the same key classification, config validation and PutObject with the target's S3
 * client (s3rver locally, the user's default AWS credentials when deployed). No presigned URL, no bucket CORS.
 * Served by both the local API server (`npm start`) and `affinity console` (./console-server.ts).
 *
 * Safety properties (test/console/console-uploads.test.ts):
 * - `x-affinity-console: 1` is required (else 403): a cross-site form or simple fetch cannot send it without a
 *   CORS preflight, which neither server approves. Host and Origin are checked before this route by the server
 *   (functions/local/request-guard.ts).
 * - `content-length` is required (else 411): the size is checked against the CLI's limits before any byte is read,
 *   and S3 gets exactly that many.
 * - Only PUT (else 405); a path that is not exactly two encoded parts is a 404.
 * - Bad input is a 400 naming where (UserInputError); S3 failing (credentials, permissions, down) a 502 saying what
 *   to check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserInputError } from '../engine/types.js';
import { CONSOLE_UPLOADS_PREFIX } from '../local/console-static.js';
import { sendProblem } from '../local/http-replies.js';
import { uploadToDataset } from './upload.js';
import type { StackTarget } from './target.js';

/** The header every console request carries; browsers cannot add it cross-site without a preflight. */
export const CONSOLE_HEADER = 'x-affinity-console';

export function isConsoleUploadPath(url: string): boolean {
  return url.split('?')[0].startsWith(CONSOLE_UPLOADS_PREFIX);
}

/** True when the request carries `x-affinity-console: 1`. */
export function hasConsoleHeader(req: IncomingMessage): boolean {
  return req.headers[CONSOLE_HEADER] === '1';
}

/** Answers a request whose path {@link isConsoleUploadPath}; `target` undefined while the stack is starting. */
export async function handleConsoleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  target: StackTarget | undefined,
): Promise<void> {
  if (req.method !== 'PUT') {
    return sendProblem(res, 405, 'Method Not Allowed', 'Uploads are PUT requests with the file as the body.', {
      allow: 'PUT',
    });
  }
  if (!hasConsoleHeader(req)) {
    return sendProblem(
      res,
      403,
      'Forbidden',
      `An upload must carry the header ${CONSOLE_HEADER}: 1 (the console sends it on every request).`,
    );
  }
  const lengthHeader = req.headers['content-length'];
  if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader)) {
    return sendProblem(
      res,
      411,
      'Length Required',
      'An upload needs a content-length header: its size is checked before any byte is sent to the bucket.',
    );
  }
  const parts = (req.url ?? '').split('?')[0].slice(CONSOLE_UPLOADS_PREFIX.length).split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return sendProblem(
      res,
      404,
      'Not Found',
      `Uploads go to ${CONSOLE_UPLOADS_PREFIX}{dataset}/{fileName}, each part URL-encoded.`,
    );
  }
  if (!target) return sendProblem(res, 503, 'Service Unavailable', 'The stack is still starting; try again.');
  try {
    const [dataset, name] = parts.map((part, index) => decodePart(part, index === 0 ? 'dataset' : 'fileName'));
    const result = await uploadToDataset(() => target, {
      dataset,
      name,
      size: Number(lengthHeader),
      open: () => req,
      where: { dataset: 'dataset', name: 'dataset / fileName', source: name },
    });
    res.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ bucket: result.bucket, key: result.key, eTag: result.eTag, kind: result.kind }));
  } catch (error) {
    req.resume(); // the rest of a refused body is read and dropped, so the client sees the answer
    if (error instanceof UserInputError)
      return sendProblem(res, 400, 'Bad Request', error.message, {}, { where: error.where, hint: error.hint });
    // S3 refused or could not be reached (credentials, permissions, network): the user's to fix, so say so.
    sendProblem(
      res,
      502,
      'Upload to the bucket failed',
      `PutObject to s3://${target.bucket}/uploads/… failed: ${(error as Error).message}`,
      {},
      {
        where: target.local ? (target.s3Endpoint ?? 'S3') : `s3://${target.bucket}`,
        hint: target.local
          ? 'Is the local stack running? Start it with `npm start`.'
          : 'Your AWS credentials need s3:PutObject on uploads/* of this bucket; check AWS_PROFILE / `aws sso login`.',
      },
    );
  }
}

function decodePart(part: string, where: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UserInputError(
      `'${part.slice(0, 200)}' is not valid URL encoding`,
      where,
      'Encode each part with encodeURIComponent.',
    );
  }
}
