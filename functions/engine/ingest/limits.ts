/**
 * Ingest limits: decompressed bytes, data rows, distinct users and items, and an estimate of the memory the build
 * will take, so that a decompression bomb or an oversized upload fails at once instead of exhausting the build.
 *
 * Safety properties (each has a test in test/engine/ingest-limits.test.ts or ingest-bomb.test.ts):
 * - At once: counts are checked after every line, bytes and the estimate after every chunk (before the next is
 *   read); the first row, id or chunk past a limit throws. The error leaves the parse, which closes the source
 *   (its streams are destroyed, a file is closed) and drops the partial log: nothing keeps it alive.
 * - Early: the estimate projects the whole input from the first chunk on: a plain input from its size and the
 *   bytes per row so far; a gzip of known size through the inflation ratio seen so far (the bomb, 1.5 MB
 *   inflating 700×, fails after its first 256 KiB instead of at 179 million rows).
 * - Named: an IngestLimitError (a UserInputError) names the limit, the value reached, the limit's value and how to
 *   raise it; for a build, whether it is the deployment's limit or the dataset's (the lower of the two applies).
 *
 * Defaults (`limitsForMemory`) fit a build function of a given memory: a budget of 80% of it (the rest is the
 * runtime, the SDK and GC headroom) and the costs below, measured on a full build (parse, matrix, item rows):
 * about 64 bytes per row at peak, counted as 80.
 */
import { UserInputError } from '../types.js';

export interface IngestLimits {
  /** Bytes after decompression, blank and rejected lines included. */
  maxBytes?: number;
  /** Data rows read (header and blank lines excluded, rejected rows included). */
  maxRows?: number;
  /** Distinct user ids. */
  maxUsers?: number;
  /** Distinct item ids. */
  maxItems?: number;
  /** Estimated memory of the build (log, matrix, ids and neighbour rows), in MiB. */
  maxMemoryMb?: number;
}

export type LimitName = keyof Required<IngestLimits>;

export const LIMIT_NAMES: readonly LimitName[] = ['maxBytes', 'maxRows', 'maxUsers', 'maxItems', 'maxMemoryMb'];

/**
 * Where a deployment sets each limit: the build function's environment variable and the CDK context key that
 * sets it (infra/config.ts, functions/handlers/build-limits.ts read these names; messages quote them).
 * The memory budget follows the function's memory (context buildMemoryMb) unless set on its own.
 */
export const DEPLOYMENT_SETTINGS: Record<LimitName, { env: string; context: string }> = {
  maxBytes: { env: 'MAX_INPUT_BYTES', context: 'buildMaxInputBytes' },
  maxRows: { env: 'MAX_INPUT_ROWS', context: 'buildMaxInputRows' },
  maxUsers: { env: 'MAX_USERS', context: 'buildMaxUsers' },
  maxItems: { env: 'MAX_ITEMS', context: 'buildMaxItems' },
  maxMemoryMb: { env: 'BUILD_MEMORY_BUDGET_MB', context: 'buildMemoryBudgetMb' },
};

/** Estimated bytes of the build per row, per distinct user and per distinct item. */
export interface MemoryCost {
  perRow: number;
  perUser: number;
  perItem: number;
}

/** Log (20 B/row) and matrix build (CSR both ways, sort orders, timestamps); an id's string, map entry and slot. */
export const DEFAULT_MEMORY_COST: MemoryCost = Object.freeze({ perRow: 80, perUser: 128, perItem: 128 });

/** Share of the function's memory the build may take by the estimate. */
const MEMORY_BUDGET_SHARE = 0.8;
/** Bytes of input allowed per row of the row limit: a long JSON Lines record. */
const BYTES_PER_ROW_LIMIT = 128;
/** Per distinct id of the id limits: its dictionary entry plus a share of neighbour rows. */
const BYTES_PER_ID_LIMIT = 256;

/** The default limits of a build function with `memoryMb` of memory (2 significant digits, rounded down). */
export function limitsForMemory(memoryMb: number): Required<IngestLimits> {
  const maxMemoryMb = Math.floor(memoryMb * MEMORY_BUDGET_SHARE);
  const budget = maxMemoryMb * 2 ** 20;
  const maxRows = roundDown(budget / DEFAULT_MEMORY_COST.perRow);
  return {
    maxMemoryMb,
    maxRows,
    maxUsers: roundDown(budget / BYTES_PER_ID_LIMIT),
    maxItems: roundDown(budget / BYTES_PER_ID_LIMIT),
    maxBytes: roundDown(maxRows * BYTES_PER_ROW_LIMIT),
  };
}

function roundDown(value: number): number {
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
  return Math.floor(value / scale) * scale;
}

/** How to raise one limit, for the error's hint. */
export type LimitHint = (limit: LimitName, value: number) => string;

const SPLIT = 'or split the file into smaller uploads';

export const DEFAULT_LIMIT_HINT: LimitHint = (limit) => `raise limits.${limit} in the dataset config, ${SPLIT}`;

/**
 * The limits of a build: for each limit the lower of the deployment's and the dataset's (a dataset may lower a
 * limit, never raise it), with a hint that says which one applied and where to raise it.
 */
export function combineLimits(
  deployment: IngestLimits | undefined,
  dataset: IngestLimits | undefined,
): { limits: IngestLimits; hint: LimitHint } {
  const limits: IngestLimits = {};
  for (const name of LIMIT_NAMES) {
    const values = [deployment?.[name], dataset?.[name]].filter((v): v is number => v !== undefined);
    if (values.length > 0) limits[name] = Math.min(...values);
  }
  const hint: LimitHint = (limit, value) => {
    const ceiling = deployment?.[limit];
    if (ceiling === undefined) return DEFAULT_LIMIT_HINT(limit, value);
    if (dataset?.[limit] !== undefined && dataset[limit] < ceiling) {
      return `raise limits.${limit} in the dataset's config.json (the deployment allows up to ${group(ceiling)}), ${SPLIT}`;
    }
    const { env, context } = DEPLOYMENT_SETTINGS[limit];
    const memory = limit === 'maxMemoryMb' ? ` or the function's memory (CDK context buildMemoryMb)` : '';
    return `this is the deployment's limit: raise ${env} in the build function's environment (CDK context ${context})${memory}, ${SPLIT}`;
  };
  return { limits, hint };
}

/** Thrown when an input goes past a limit; `reached` is in the limit's unit (MiB for maxMemoryMb). */
export class IngestLimitError extends UserInputError {
  constructor(
    message: string,
    where: string,
    hint: string,
    readonly limit: LimitName,
    readonly value: number,
    readonly reached: number,
    /** Bytes (decompressed) read when the limit was hit. */
    readonly bytesRead: number,
  ) {
    super(message, where, hint);
  }
}

/** What the guard knows of the source to project its size. */
export interface SourceSize {
  /** Size of the raw input (the compressed size of a gzip) when known: a file's size, an S3 object's length. */
  rawBytes?: number;
  compressed: boolean;
  /** Raw (compressed) bytes consumed so far. */
  rawBytesRead(): number;
}

/** Checks one input against its limits as it is read. */
export class LimitGuard {
  bytes = 0;
  private readonly maxRows: number;
  private readonly maxUsers: number;
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly maxMemoryBytes: number;

  constructor(
    private readonly limits: IngestLimits,
    private readonly label: string,
    private readonly source: SourceSize,
    private readonly cost: MemoryCost = DEFAULT_MEMORY_COST,
    private readonly hint: LimitHint = DEFAULT_LIMIT_HINT,
  ) {
    this.maxRows = limits.maxRows ?? Infinity;
    this.maxUsers = limits.maxUsers ?? Infinity;
    this.maxItems = limits.maxItems ?? Infinity;
    this.maxBytes = limits.maxBytes ?? Infinity;
    this.maxMemoryBytes = limits.maxMemoryMb === undefined ? Infinity : limits.maxMemoryMb * 2 ** 20;
  }

  /** The most rows worth reserving room for. */
  get rowCap(): number {
    return this.maxRows;
  }

  /** After each line: rows read, distinct users and items. */
  checkCounts(rows: number, users: number, items: number, line: number): void {
    if (rows > this.maxRows) this.fail('maxRows', rows, `${group(rows)} rows read`, line);
    if (users > this.maxUsers) this.fail('maxUsers', users, `${group(users)} distinct users`, line);
    if (items > this.maxItems) this.fail('maxItems', items, `${group(items)} distinct items`, line);
  }

  /** Before a chunk is parsed: its decompressed bytes. */
  addBytes(bytes: number, line: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes)
      this.fail('maxBytes', this.bytes, `${group(this.bytes)} bytes after decompression`, line);
  }

  /** After a chunk is parsed: the memory the whole input would take, projected from what was read so far. */
  checkEstimate(rows: number, users: number, items: number, line: number): void {
    if (this.maxMemoryBytes === Infinity || rows === 0 || this.bytes === 0) return;
    const { rawBytes, compressed } = this.source;
    let projectedBytes = this.bytes;
    let how = `${group(Math.round(this.bytes / rows))} bytes per row so far`;
    if (rawBytes !== undefined && compressed) {
      const consumed = this.source.rawBytesRead();
      if (consumed > 0) {
        const ratio = this.bytes / consumed;
        projectedBytes = Math.max(this.bytes, rawBytes * ratio);
        how = `the gzip inflates ${group(Math.round(ratio))}× so far`;
      }
    } else if (rawBytes !== undefined) {
      projectedBytes = Math.max(this.bytes, rawBytes);
    }
    const scale = projectedBytes / this.bytes;
    const projectedRows = rows * scale;
    // Ids grow at most as fast as rows: linear is an upper bound.
    const estimate =
      projectedRows * this.cost.perRow +
      Math.min(users * scale, projectedRows) * this.cost.perUser +
      Math.min(items * scale, projectedRows) * this.cost.perItem;
    if (estimate <= this.maxMemoryBytes) return;
    const megabytes = Math.ceil(estimate / 2 ** 20);
    this.fail(
      'maxMemoryMb',
      megabytes,
      `building it would take an estimated ${group(megabytes)} MB (about ${group(Math.round(projectedRows))} rows; ${how})`,
      line,
      ' MB',
    );
  }

  private fail(limit: LimitName, reached: number, what: string, line: number, unit = ''): never {
    const value = this.limits[limit] as number;
    throw new IngestLimitError(
      `${this.label} exceeds the ${limit} limit: ${what} (at line ${group(line)}), the limit is ${group(value)}${unit}`,
      `${this.label}:${line}`,
      this.hint(limit, value),
      limit,
      value,
      reached,
      this.bytes,
    );
  }
}

/** 1234567 -> "1,234,567" (fixed, whatever the locale). */
export function group(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
