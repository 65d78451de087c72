/**
 * Commands that talk to a running stack: `start` runs the local one (the README's main job); `upload`, `status`,
 * `jobs`, `rollback` and the `--dataset` forms of `recommend`/`similar` work against the local stack by default,
 * or against a deployed one given `--stack-outputs` (the JSON written by `cdk deploy --outputs-file`).
 */
import { createReadStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { JobRecord } from '../adapters/store-contract.js';
import { UserInputError } from '../engine/types.js';
import { DEMO_DATASET, ensureDemoFiles } from './demo.js';
import { action } from './errors.js';
import { integer } from './args.js';
import { formatNeighbours, formatRecommendations } from './print.js';
import { uploadKey } from '../adapters/bucket-layout.js';
import { DEFAULT_REGION, LOCAL_CREDENTIALS } from '../local/defaults.js';

/** Where a running stack is: written by `affinity start`, or read from CDK outputs. */
export interface StackTarget {
  apiUrl: string;
  bucket: string;
  region: string;
  /** Set for the local stack only. */
  s3Endpoint?: string;
  local: boolean;
  /** A JWT for stacks deployed with auth=jwt; otherwise deployed stacks are called with SigV4 (IAM). */
  token?: string;
}

function stackFile(dataDir: string): string {
  return join(dataDir, 'stack.json');
}

export interface TargetFlags {
  stackOutputs?: string;
  endpoint?: string;
  bucket?: string;
  token?: string;
}

export function withTarget(command: Command): Command {
  return command
    .option('--stack-outputs <file>', 'a deployed stack: the JSON file from `cdk deploy --outputs-file`')
    .option('--endpoint <url>', 'API base URL (overrides the stack file)')
    .option('--bucket <name>', 'upload bucket (overrides the stack file)')
    .option(
      '--token <jwt>',
      'bearer token for a stack deployed with auth=jwt (default: $AFFINITY_TOKEN; otherwise requests are SigV4-signed)',
    );
}

export function resolveTarget(flags: TargetFlags, dataDir: string): StackTarget {
  if (flags.stackOutputs) {
    let outputs: Record<string, Record<string, string>>;
    try {
      outputs = JSON.parse(readFileSync(flags.stackOutputs, 'utf8')) as Record<string, Record<string, string>>;
    } catch (error) {
      throw new UserInputError(
        `cannot read ${flags.stackOutputs}: ${(error as Error).message}`,
        '--stack-outputs',
        'Write it with: npx cdk deploy --outputs-file cdk-outputs.json',
      );
    }
    const stack = Object.values(outputs)[0] ?? {};
    const apiUrl = flags.endpoint ?? stack.ApiUrl;
    const bucket = flags.bucket ?? stack.BucketName;
    if (!apiUrl || !bucket)
      throw new UserInputError(
        `${flags.stackOutputs} has no ApiUrl/BucketName outputs`,
        '--stack-outputs',
        'Pass the outputs file of the Affinity stack.',
      );
    const token = flags.token ?? process.env.AFFINITY_TOKEN;
    return {
      apiUrl: apiUrl.replace(/\/$/, ''),
      bucket,
      region: process.env.AWS_REGION ?? regionFromUrl(apiUrl),
      local: false,
      token,
    };
  }
  const file = stackFile(dataDir);
  if (!existsSync(file)) {
    throw new UserInputError(
      'no running local stack found',
      file,
      'Start it in another terminal with `npm start`, or pass --stack-outputs for a deployed stack.',
    );
  }
  const local = JSON.parse(readFileSync(file, 'utf8')) as StackTarget;
  return { ...local, apiUrl: flags.endpoint ?? local.apiUrl, bucket: flags.bucket ?? local.bucket };
}

function regionFromUrl(url: string): string {
  return /execute-api\.([a-z0-9-]+)\.amazonaws/.exec(url)?.[1] ?? DEFAULT_REGION;
}

function s3For(target: StackTarget): S3Client {
  return target.local
    ? new S3Client({
        endpoint: target.s3Endpoint,
        region: target.region,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
      })
    : new S3Client({ region: target.region });
}

/** GET/POST against the API; problem+json errors become UserInputErrors with the server's detail. */
export async function callApi<T>(
  target: StackTarget,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
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
  if (!response.ok) {
    if ((response.status === 401 || response.status === 403) && !target.local) {
      throw new ApiError(
        response.status,
        `the API refused the request (${response.status}): ${String(parsed.message ?? parsed.detail ?? '')}`,
        url,
        target.token
          ? 'Check that the token is valid for this API (issuer, audience, expiry).'
          : "Your AWS credentials need execute-api:Invoke on this API (attach the stack's InvokePolicyArn), or pass --token for a JWT-authorised stack.",
      );
    }
    throw new ApiError(
      response.status,
      `${response.status} ${String(parsed.title ?? response.statusText)}: ${String(parsed.detail ?? text)}`,
      url,
    );
  }
  return parsed as T;
}

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

/** SigV4 for API Gateway's IAM authorisation, with the default AWS credential chain (env, profile, SSO, role). */
async function signRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  region: string,
): Promise<Record<string, string>> {
  const [{ SignatureV4 }, { Sha256 }, { defaultProvider }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
    import('@aws-sdk/credential-provider-node'),
  ]);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: defaultProvider(), sha256: Sha256 });
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

const encode = encodeURIComponent;

export function registerStackCommands(program: Command, dataDir: string): void {
  program
    .command('start')
    .description(
      'run the whole service locally (S3 + DynamoDB stand-ins, the build and API Lambda handlers) and load the demo dataset',
    )
    .option('--api-port <port>', 'HTTP API port', integer('--api-port', 0, 65535), 3000)
    .option('--s3-port <port>', 'S3 (s3rver) port', integer('--s3-port', 0, 65535), 4569)
    .option('--dynamo-port <port>', 'DynamoDB (dynalite) port', integer('--dynamo-port', 0, 65535), 4567)
    .option('--no-demo', 'do not upload the demo dataset on first start')
    .action(
      action(async (flags: { apiPort: number; s3Port: number; dynamoPort: number; demo: boolean }) =>
        startCommand(flags, dataDir),
      ),
    );

  withTarget(program.command('upload'))
    .description('upload a ratings file to uploads/<dataset>/ and wait for its build job')
    .argument('<file>', 'ratings file')
    .requiredOption('--dataset <name>', 'dataset (catalogue / tenant) name')
    .option('--key <name>', 'object name under uploads/<dataset>/ (default: the file name)')
    .option('--no-wait', 'return after the upload without waiting for the build')
    .option('--timeout <seconds>', 'how long to wait for the build', integer('--timeout', 1), 900)
    .action(
      action(
        async (
          file: string,
          flags: TargetFlags & { dataset: string; key?: string; wait: boolean; timeout: number },
        ) => {
          const target = resolveTarget(flags, dataDir);
          const { key, eTag } = await uploadFile(target, file, flags.dataset, flags.key);
          console.log(`Uploaded ${file} to s3://${target.bucket}/${key}`);
          if (!flags.wait) return;
          const job = await waitForJob(target, flags.dataset, key, eTag, flags.timeout * 1000);
          printJob(job);
          if (job.status === 'failed') process.exitCode = 3;
        },
      ),
    );

  withTarget(program.command('status'))
    .description('active model version, kept versions and the latest build of a dataset')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--json', 'print JSON')
    .action(
      action(async (flags: TargetFlags & { dataset: string; json?: boolean }) => {
        const status = await callApi<Record<string, unknown>>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}`,
        );
        console.log(JSON.stringify(status, null, 2));
      }),
    );

  withTarget(program.command('jobs'))
    .description('recent build jobs of a dataset, newest first')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--limit <n>', 'how many', integer('--limit', 1, 100), 10)
    .action(
      action(async (flags: TargetFlags & { dataset: string; limit: number }) => {
        const { jobs } = await callApi<{ jobs: JobRecord[] }>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}/jobs?limit=${flags.limit}`,
        );
        if (jobs.length === 0) console.log('no build jobs yet');
        for (const job of jobs)
          console.log(
            `${job.startedAt}  ${job.status.padEnd(10)} ${job.jobId}  ${job.version ?? ''}  ${job.source.key}${job.error ? `  — ${job.error.message}` : ''}`,
          );
      }),
    );

  withTarget(program.command('rollback'))
    .description('re-activate a kept model version (default: the previous one)')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--version <version>', 'version to activate')
    .action(
      action(async (flags: TargetFlags & { dataset: string; version?: string }) => {
        const result = await callApi<{ activeVersion: string }>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}/rollback`,
          {
            method: 'POST',
            body: flags.version ? { version: flags.version } : {},
          },
        );
        console.log(`Active version of ${flags.dataset}: ${result.activeVersion}`);
      }),
    );
}

export interface RemoteQueryFlags extends TargetFlags {
  dataset: string;
  user?: string;
  item?: string;
  algorithm?: string;
  limit: number;
  exclude?: string[];
  json?: boolean;
}

/** `recommend --dataset`: the same question as with --file, answered by the running API. */
export async function remoteRecommend(
  flags: RemoteQueryFlags,
  dataDir: string,
  history?: { item: string; value: number }[],
): Promise<void> {
  const target = resolveTarget(flags, dataDir);
  const base = `/v1/datasets/${encode(flags.dataset)}`;
  type Result = Parameters<typeof formatRecommendations>[0];
  let body: Result;
  if (history) {
    body = await callApi<Result>(target, `${base}/recommendations`, {
      method: 'POST',
      body: {
        history: history.map((h) => ({ item: h.item, rating: h.value })),
        limit: flags.limit,
        exclude: flags.exclude,
      },
    });
  } else {
    const query = new URLSearchParams({ limit: String(flags.limit), algorithm: flags.algorithm ?? 'item' });
    if (flags.exclude?.length) query.set('exclude', flags.exclude.join(','));
    body = await callApi<Result>(target, `${base}/users/${encode(flags.user ?? '')}/recommendations?${query}`);
  }
  console.log(
    flags.json
      ? JSON.stringify(body, null, 2)
      : formatRecommendations(body, flags.user ? `user ${flags.user}` : 'the given history'),
  );
}

/** `similar --dataset`: similar items or users from the running API. */
export async function remoteSimilar(flags: RemoteQueryFlags, dataDir: string): Promise<void> {
  const target = resolveTarget(flags, dataDir);
  const base = `/v1/datasets/${encode(flags.dataset)}`;
  const path = flags.item
    ? `${base}/items/${encode(flags.item)}/similar`
    : `${base}/users/${encode(flags.user ?? '')}/similar`;
  const body = await callApi<{ neighbours: { id: string; similarity: number; support: number }[] }>(
    target,
    `${path}?limit=${flags.limit}`,
  );
  console.log(
    flags.json
      ? JSON.stringify(body, null, 2)
      : formatNeighbours(
          body.neighbours,
          `${flags.item ? 'Items similar to item' : 'Users similar to user'} ${flags.item ?? flags.user}`,
        ),
  );
}

async function uploadFile(
  target: StackTarget,
  file: string,
  dataset: string,
  name?: string,
): Promise<{ key: string; eTag?: string }> {
  if (!existsSync(file)) throw new UserInputError(`file not found: ${file}`, file, 'Check the path.');
  if (dataset.includes('/') || dataset === '')
    throw new UserInputError(`dataset name '${dataset}' must be non-empty and contain no '/'`, '--dataset');
  const key = uploadKey(dataset, name ?? basename(file));
  const size = statSync(file).size;
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'upload [{bar}] {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
    : undefined;
  bar?.start(size, 0);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      bar?.update(sent);
      callback(null, chunk);
    },
  });
  const s3 = s3For(target);
  try {
    const response = await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: createReadStream(file).pipe(counter),
        ContentLength: size,
      }),
    );
    return { key, eTag: response.ETag };
  } finally {
    bar?.stop();
  }
}

/** Polls the job list until the job of this object (matched by key and eTag) has finished. */
async function waitForJob(
  target: StackTarget,
  dataset: string,
  key: string,
  eTag: string | undefined,
  timeoutMs: number,
): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  let lastPhase = '';
  while (Date.now() < deadline) {
    // Until the build has claimed its job the dataset may not exist yet (404); any other error is real.
    const { jobs } = await callApi<{ jobs: JobRecord[] }>(
      target,
      `/v1/datasets/${encode(dataset)}/jobs?limit=20`,
    ).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return { jobs: [] as JobRecord[] };
      throw error;
    });
    // PutObject answers the ETag quoted; S3 events carry it bare.
    const job = jobs.find(
      (j) => j.source.key === key && (!eTag || !j.source.eTag || unquote(j.source.eTag) === unquote(eTag)),
    );
    if (job) {
      if (!['queued', 'running'].includes(job.status)) return job;
      const phase = job.progress
        ? `${job.progress.phase} ${job.progress.total ? `${Math.round((100 * job.progress.done) / job.progress.total)}%` : ''}`
        : job.status;
      if (phase !== lastPhase) process.stderr.write(`build: ${phase}\n`);
      lastPhase = phase;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new UserInputError(
    `the build of ${key} did not finish within ${timeoutMs / 1000} s`,
    key,
    'Check `affinity jobs --dataset ' + dataset + '`; large files take longer, raise --timeout.',
  );
}

function unquote(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
}

function printJob(job: JobRecord): void {
  console.log(`Build ${job.jobId}: ${job.status}${job.version ? ` (version ${job.version})` : ''}`);
  if (job.error)
    console.log(
      `  error: ${job.error.message}${job.error.where ? `\n  where: ${job.error.where}` : ''}${job.error.hint ? `\n  fix:   ${job.error.hint}` : ''}`,
    );
  const report = job.report as Record<string, unknown> | undefined;
  if (report) {
    console.log(
      `  ${report.ratings ?? '?'} ratings, ${report.users ?? '?'} users, ${report.items ?? '?'} items; rows read ${report.rowsRead ?? '?'}, accepted ${report.accepted ?? '?'}`,
    );
    const rejected = Object.entries((report.rejected as Record<string, { count: number; example?: string }>) ?? {});
    for (const [reason, r] of rejected)
      console.log(`  rejected ${reason}: ${r.count}${r.example ? ` — e.g. ${r.example}` : ''}`);
  }
  if (job.timings)
    console.log(
      `  timings: ${Object.entries(job.timings)
        .map(([k, v]) => `${k} ${v}s`)
        .join(', ')}`,
    );
  if (job.reportKey) console.log(`  full report: s3://…/${job.reportKey}`);
}

async function startCommand(
  flags: { apiPort: number; s3Port: number; dynamoPort: number; demo: boolean },
  dataDir: string,
): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { startLocalStack } = await import('../local/stack.js');
  // The handlers read their environment at import; import them only once the stack has set it.
  let build: typeof import('../handlers/build.js') | undefined;
  let api: typeof import('../handlers/api.js') | undefined;
  const stack = await startLocalStack({
    dataDir,
    apiPort: flags.apiPort,
    s3Port: flags.s3Port,
    dynamoPort: flags.dynamoPort,
    buildHandler: async (event, context) => (build ??= await import('../handlers/build.js')).handler(event, context),
    apiHandler: async (event, context) => (api ??= await import('../handlers/api.js')).handler(event, context),
    log: (line) => console.error(line),
  });
  const target: StackTarget = {
    apiUrl: stack.apiUrl,
    bucket: stack.bucket,
    region: stack.region,
    s3Endpoint: stack.s3Endpoint,
    local: true,
  };
  writeFileSync(stackFile(dataDir), JSON.stringify(target, null, 2));

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait for a running build
    stopping = true;
    console.error('\nstopping (a running build finishes first; Ctrl-C again to force)…');
    rmSync(stackFile(dataDir), { force: true });
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (flags.demo) {
    const s3 = s3For(target);
    const { ratings } = await ensureDemoFiles(join(dataDir, 'demo'));
    const key = uploadKey(DEMO_DATASET, basename(ratings));
    const present = await s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key })).then(
      () => true,
      () => false,
    );
    if (!present) {
      console.error(`loading the demo dataset (${basename(ratings)}) through the S3 API…`);
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: readFileSync(ratings) }));
      await stack.bridge.idle();
    }
  }
  printWelcome(target, stack.dynamoEndpoint);
}

function printWelcome(target: StackTarget, dynamoEndpoint: string): void {
  const api = target.apiUrl;
  console.log(`
Affinity is running locally.
  API       ${api}   (OpenAPI: ${api}/openapi.json)
  S3        ${target.s3Endpoint}   bucket ${target.bucket}   (access key ${LOCAL_CREDENTIALS.accessKeyId} / secret ${LOCAL_CREDENTIALS.secretAccessKey})
  DynamoDB  ${dynamoEndpoint}

Try:
  curl '${api}/v1/datasets/demo/users/u1/recommendations?limit=5'
  curl '${api}/v1/datasets/demo/items/i1/similar?limit=5'
  curl -X POST '${api}/v1/datasets/demo/recommendations' -H 'content-type: application/json' -d '{"history":[{"item":"i1","rating":5},{"item":"i7","rating":4}]}'
  curl '${api}/v1/datasets/demo'

Upload your own ratings (user,item[,rating][,timestamp]) as dataset "mine":
  npx affinity upload ratings.csv --dataset mine
  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws --endpoint-url ${target.s3Endpoint} s3 cp ratings.csv s3://${target.bucket}/uploads/mine/ratings.csv

Ctrl-C stops; data is kept in .affinity/ for the next start.`);
}
