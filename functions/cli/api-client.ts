/**
 * Calls the stack's HTTP API. The local stack is called as is; a deployed one with the given JWT, or else
 * SigV4-signed (API Gateway IAM auth) with the default AWS credential chain. Problem+json answers become
 * `ApiError`s (UserInputErrors) carrying the server's detail, so the CLI prints what, where and how to fix.
 */
import type { SignatureV4Init } from '@smithy/signature-v4';
import { UserInputError } from '../engine/types.js';
import type { StackTarget } from './target.js';

/** An error answer from the API, kept apart so callers can tell "not found yet" from real failures. */
export class ApiError extends UserInputError {
  constructor(
    readonly status: number,
    message: string,
    where: string,
    hint?: string,
  ) {
    super(message, where, hint);
  }
}

/** An answer of the API as it came: status, headers and the parsed JSON body (or its text as `detail`). */
export interface ApiAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** GET/POST against the API; `path` is already URL-encoded. Error answers become ApiErrors. */
export async function callApi<T>(
  target: StackTarget,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const { status, statusText, body: parsed, text } = await requestApi(target, path, init);
  const url = `${target.apiUrl}${path}`;
  if (status < 200 || status >= 300) {
    if ((status === 401 || status === 403) && !target.local) {
      throw new ApiError(
        status,
        `the API refused the request (${status}): ${String(parsed.message ?? parsed.detail ?? '')}`,
        url,
        target.token
          ? 'Check that the token is valid for this API (issuer, audience, expiry).'
          : "Your AWS credentials need execute-api:Invoke on this API (attach the stack's InvokePolicyArn), or pass --token for a JWT-authorised stack.",
      );
    }
    throw new ApiError(
      status,
      `${status} ${String(parsed.title ?? statusText)}: ${String(parsed.detail ?? text)}`,
      url,
      // The problem's hint is the server's "how to fix"; the CLI prints it as its fix line.
      typeof parsed.hint === 'string' ? parsed.hint : undefined,
    );
  }
  return parsed as T;
}

/** One request, signed as the target needs; any status is returned (only an unreachable API throws). */
export async function requestApi(
  target: StackTarget,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const url = `${target.apiUrl}${path}`;
  const method = init.method ?? 'GET';
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  let response: Response;
  try {
    const authorised = target.local
      ? headers
      : target.token
        ? { ...headers, authorization: `Bearer ${target.token}` }
        : await signRequest(url, method, headers, body, target.region);
    response = await fetch(url, { method, headers: authorised, body });
  } catch (error) {
    throw new UserInputError(
      `cannot reach ${target.apiUrl}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
      url,
      target.local ? 'Is the local stack running? Start it with `npm start`.' : 'Check the endpoint and your network.',
    );
  }
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { detail: text.slice(0, 500) };
  }
  return { status: response.status, statusText: response.statusText, headers: response.headers, body: parsed, text };
}

/** Credentials to sign with; by default the AWS credential chain (env, profile, SSO, role). */
export type SigningCredentials = SignatureV4Init['credentials'];

/**
 * SigV4 for API Gateway's IAM authorisation (service `execute-api`); the console's proxy signs with it too
 * (./console-proxy.ts). Returns every header to send, the given ones included.
 */
export async function signRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  region: string,
  credentials?: SigningCredentials,
): Promise<Record<string, string>> {
  // Loaded on first use: the local stack and JWT callers never need them.
  const [{ SignatureV4 }, { Sha256 }, { defaultProvider }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
    import('@aws-sdk/credential-provider-node'),
  ]);
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const parsed = new URL(url);
  const signed = await signer.sign({
    method,
    protocol: parsed.protocol,
    hostname: parsed.hostname,
    path: parsed.pathname,
    query: Object.fromEntries(parsed.searchParams),
    headers: { ...headers, host: parsed.host },
    body,
  });
  return signed.headers as Record<string, string>;
}
