/**
 * The console's only way to the service: same-origin relative `/v1/...` requests to the public HTTP API.
 * Errors come back as the API's problem+json `detail` (and `hint`) so pages show them in plain words.
 */
export class ApiError extends Error {}

export async function apiGet<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, ...init });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(`${response.status} ${response.statusText}: the API answered something that is not JSON.`);
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { title?: string; detail?: string; hint?: string; message?: string };
    const what = problem.detail ?? problem.message ?? problem.title ?? response.statusText;
    throw new ApiError(`${response.status}: ${what}${problem.hint ? ` ${problem.hint}` : ''}`);
  }
  return body as T;
}

export function datasetPath(dataset: string, rest = ''): string {
  return `/v1/datasets/${encodeURIComponent(dataset)}${rest}`;
}
