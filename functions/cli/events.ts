/**
 * `affinity events --dataset d file`: sends a file of live events to POST /v1/datasets/{dataset}/events in batches
 * of 500, with progress on stderr and a summary on stdout. The file is JSON Lines (one event object per line:
 * eventId?, user, item, type?, value?, timestamp?) or CSV with a header naming those columns; either may be gzipped
 * (`.gz`).
 *
 * Safety properties (test/cli/events.test.ts):
 * - Nothing silently dropped: a line that is not an event stops the command before its batch is sent, naming the
 *   line; a 400 stops it at that batch, naming the file's line numbers of the fields the API refused (the batch is
 *   refused whole, so nothing of it was stored). Batches before it were stored; the summary says how many events.
 * - Safe to resend: 429 and 503 (and an unreachable API) are retried with exponential back-off, honouring
 *   Retry-After; with eventIds a resent batch counts every stored event as a duplicate.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { UserInputError } from '../engine/types.js';
import { requestApi, type ApiAnswer } from './api-client.js';
import { readableFileSize } from './local-files.js';
import { resolveTarget, type StackTarget, type TargetFlags } from './target.js';

export const EVENTS_PER_BATCH = 500;
const FIELDS = ['eventId', 'user', 'item', 'type', 'value', 'timestamp'] as const;

export interface EventsFlags extends TargetFlags {
  dataset: string;
  /** Attempts per batch for 429 / 503 / an unreachable API. */
  retries: number;
  json?: boolean;
}

interface Numbered {
  line: number;
  event: Record<string, unknown>;
}

export interface EventsSummary {
  dataset: string;
  file: string;
  events: number;
  batches: number;
  accepted: number;
  duplicates: number;
  seconds: number;
}

export async function eventsCommand(file: string, flags: EventsFlags, dataDir: string): Promise<void> {
  readableFileSize(file);
  const target = resolveTarget(flags, dataDir);
  const summary = await sendEvents(target, flags.dataset, file, {
    retries: flags.retries,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(
    flags.json
      ? JSON.stringify(summary, null, 2)
      : `Sent ${summary.events.toLocaleString('en')} events from ${file} to dataset "${summary.dataset}" in ` +
          `${summary.batches} batch(es): ${summary.accepted.toLocaleString('en')} stored, ` +
          `${summary.duplicates.toLocaleString('en')} duplicates (${summary.seconds.toFixed(1)} s, ` +
          `${Math.round(summary.events / Math.max(summary.seconds, 1e-3)).toLocaleString('en')} events/s).`,
  );
}

export async function sendEvents(
  target: StackTarget,
  dataset: string,
  file: string,
  options: { retries: number; progress: (line: string) => void; sleep?: (ms: number) => Promise<void> },
): Promise<EventsSummary> {
  const started = performance.now();
  const summary: EventsSummary = { dataset, file, events: 0, batches: 0, accepted: 0, duplicates: 0, seconds: 0 };
  let lastProgress = 0;
  const sendBatch = async (batch: Numbered[]) => {
    const answer = await postWithRetries(target, dataset, batch, options);
    summary.batches++;
    summary.events += batch.length;
    summary.accepted += Number(answer.body.accepted ?? 0);
    summary.duplicates += Number(answer.body.duplicates ?? 0);
    if (performance.now() - lastProgress >= 1000) {
      lastProgress = performance.now();
      options.progress(
        `events: ${summary.events.toLocaleString('en')} sent (line ${batch.at(-1)!.line.toLocaleString('en')}), ` +
          `${summary.accepted.toLocaleString('en')} stored, ${summary.duplicates.toLocaleString('en')} duplicates`,
      );
    }
  };
  let batch: Numbered[] = [];
  for await (const numbered of readEvents(file)) {
    batch.push(numbered);
    if (batch.length === EVENTS_PER_BATCH) {
      await sendBatch(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sendBatch(batch);
  if (summary.events === 0) throw new UserInputError(`${file} holds no events`, file, 'Write one event per line.');
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** POSTs one batch; retries 429 / 503 / unreachable with back-off; a 400 becomes a UserInputError naming lines. */
async function postWithRetries(
  target: StackTarget,
  dataset: string,
  batch: readonly Numbered[],
  options: { retries: number; sleep?: (ms: number) => Promise<void> },
): Promise<ApiAnswer> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const path = `/v1/datasets/${encodeURIComponent(dataset)}/events`;
  for (let attempt = 1; ; attempt++) {
    let answer: ApiAnswer | undefined;
    let failure: unknown;
    try {
      answer = await requestApi(target, path, { method: 'POST', body: { events: batch.map((b) => b.event) } });
    } catch (error) {
      failure = error; // unreachable: worth a retry
    }
    if (answer && answer.status >= 200 && answer.status < 300) return answer;
    const retryable = !answer || answer.status === 429 || answer.status === 503;
    if (!retryable || attempt >= options.retries) {
      if (!answer) throw failure;
      throw refusal(answer, batch, target, path);
    }
    const retryAfter = Number(answer?.headers.get('retry-after'));
    const backoff = Math.min(20_000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(retryAfter * 1000, backoff) : backoff);
  }
}

/** The API's refusal, with each `events[i].field` named by the file's line number. */
function refusal(answer: ApiAnswer, batch: readonly Numbered[], target: StackTarget, path: string): UserInputError {
  const { status, body } = answer;
  const errors = Array.isArray(body.errors) ? (body.errors as { field?: string; message?: string }[]) : [];
  const lines = errors.map(({ field = '', message = '' }) => {
    const index = /^events\[(\d+)\]/.exec(field);
    const at = index ? batch[Number(index[1])] : undefined;
    return at
      ? `line ${at.line}: ${field.replace(/^events\[\d+\]\.?/, '') || 'event'}: ${message}`
      : `${field}: ${message}`;
  });
  const first = batch[0].line;
  const detail = lines.length > 0 ? lines.slice(0, 20).join('; ') : String(body.detail ?? answer.text);
  return new UserInputError(
    `${status} ${String(body.title ?? answer.statusText)}: the batch of lines ${first}-${batch.at(-1)!.line} was refused ` +
      `(none of it stored; the batches before it were): ${detail}${lines.length > 20 ? `; and ${lines.length - 20} more` : ''}`,
    `${target.apiUrl}${path}`,
    typeof body.hint === 'string'
      ? body.hint
      : 'Fix the named lines and send the file again (stored events count as duplicates when they have an eventId).',
  );
}

/** The file's events with their line numbers (1-based; a CSV header is line 1). */
async function* readEvents(file: string): AsyncIterable<Numbered> {
  const stream: Readable = /\.gz$/i.test(file) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const name = file.replace(/\.gz$/i, '');
  if (/\.csv$/i.test(name)) yield* csvEvents(stream, file);
  else if (/\.(jsonl|ndjson)$/i.test(name)) yield* jsonLinesEvents(stream, file);
  else
    throw new UserInputError(
      `${file}: events files are .jsonl, .ndjson or .csv (optionally .gz)`,
      file,
      'Write one JSON event per line (.jsonl), or a CSV with a header: eventId,user,item,type,value,timestamp.',
    );
}

async function* jsonLinesEvents(stream: Readable, file: string): AsyncIterable<Numbered> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (error) {
      throw new UserInputError(`${file} line ${line} is not JSON (${(error as Error).message})`, `${file}:${line}`);
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      throw new UserInputError(
        `${file} line ${line} is not a JSON object`,
        `${file}:${line}`,
        'One event object per line.',
      );
    yield { line, event: event as Record<string, unknown> };
  }
}

async function* csvEvents(stream: Readable, file: string): AsyncIterable<Numbered> {
  const parser = stream.pipe(parse({ columns: true, skip_empty_lines: true, info: true, trim: false }));
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const unknown = Object.keys(record).filter((column) => !(FIELDS as readonly string[]).includes(column));
    if (unknown.length > 0)
      throw new UserInputError(
        `${file} has unknown columns ${unknown.map((c) => JSON.stringify(c)).join(', ')}`,
        `${file}:1`,
        `Name the columns ${FIELDS.join(', ')} (user and item required).`,
      );
    const event: Record<string, unknown> = {};
    for (const [column, text] of Object.entries(record)) {
      if (text === '') continue; // an empty cell is an absent field
      event[column] =
        column === 'value' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : text;
    }
    yield { line: info.lines, event };
  }
}
