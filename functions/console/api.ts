/**
 * The console's only way to the service: same-origin relative `/v1/...` (and `/console/uploads/...`) requests.
 * Every request carries `x-affinity-console: 1`: the `affinity console` proxy refuses writes without it (a page on
 * another origin cannot set a custom header without a CORS preflight, which it never approves).
 * Errors come back as the API's problem+json `detail` (and `where`, `hint`) so pages show them in plain words.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const CONSOLE_HEADER = 'x-affinity-console';

/** The problem+json fields pages show; a reply that is not one still gets a sentence. */
export function problemMessage(status: number, statusText: string, body: unknown): string {
  const problem = (body ?? {}) as { title?: string; detail?: string; hint?: string; message?: string; where?: string };
  const what = problem.detail ?? problem.message ?? problem.title ?? statusText;
  const where = problem.where ? ` (at ${problem.where})` : '';
  return `${status}: ${what}${where}${problem.hint ? ` ${problem.hint}` : ''}`;
}

export async function apiRequest<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  headers.set(CONSOLE_HEADER, '1');
  const response = await fetch(path, { ...init, headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(
      `${response.status} ${response.statusText}: the API answered something that is not JSON.`,
      response.status,
    );
  }
  if (!response.ok) throw new ApiError(problemMessage(response.status, response.statusText, body), response.status);
  return body as T;
}

export const apiGet = <T>(path: string): Promise<T> => apiRequest<T>(path);

/** A JSON write (POST, DELETE); `body` undefined sends none. */
export function apiSend<T>(method: string, path: string, body?: unknown): Promise<T> {
  return apiRequest<T>(
    path,
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
}

export function datasetPath(dataset: string, rest = ''): string {
  return `/v1/datasets/${encodeURIComponent(dataset)}${rest}`;
}
