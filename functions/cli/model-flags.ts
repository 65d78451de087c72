/**
 * What the commands that build a model from a local file share: the model-option flags (they mirror
 * uploads/<dataset>/config.json), building from a file with them, and the choice of a file or a running stack.
 */
import { Command, Option } from 'commander';
import { decimal, integer, list } from './args.js';
import { MAX_K, parseModelConfig, SIMILARITY_MEASURES, type ModelConfig } from '../engine/model-config.js';
import { buildModel, type BuiltModel } from '../engine/pipeline.js';
import { MODEL_KINDS, UserInputError } from '../engine/types.js';
import { idHashKeyOf, storedUserIdWith } from './id-hash-key-flag.js';
import { readJsonFile } from './local-files.js';
import { withTarget } from './target.js';

export interface ModelFlags {
  config?: string;
  measure?: string;
  k?: number;
  shrinkage?: number;
  minSupport?: number;
  implicit?: boolean;
  models?: string[];
  /** Replaced by --models; still parsed so that using it fails with a message saying so. */
  mode?: string;
  format?: string;
  threads?: number;
  /** The id hashing key of a config with pseudonymizeUsers (./id-hash-key-flag.ts). */
  idHashKeyFile?: string;
}

/** The model options every file-based command shares. */
export function withModelOptions(command: Command): Command {
  return command
    .option('--config <file>', 'JSON file with model options (same shape as uploads/<dataset>/config.json)')
    .addOption(new Option('--measure <measure>', 'similarity measure').choices(SIMILARITY_MEASURES))
    .option('--k <n>', 'neighbours kept per row (default 50)', integer('--k', 1, MAX_K))
    .option(
      '--shrinkage <lambda>',
      'shrink similarities by n/(n+lambda), n = co-raters',
      decimal('--shrinkage', 0, 1e6),
    )
    .option('--min-support <n>', 'minimum co-raters for a pair', integer('--min-support', 1))
    .option('--implicit', 'treat every interaction as 1 (ignore ratings)')
    .option(
      '--models <kinds>',
      `model kinds to build: ${MODEL_KINDS.join(', ')} (comma-separated or repeated; default item)`,
      list,
    )
    .addOption(new Option('--mode <mode>').hideHelp())
    .addOption(
      new Option('--format <format>', 'input format (default: from the file name, then sniffed)').choices([
        'auto',
        'csv',
        'tsv',
        'dat',
        'jsonl',
      ]),
    )
    .option('--threads <n>', 'worker threads for the similarity kernel', integer('--threads', 1, 64))
    .option(
      '--id-hash-key-file <file>',
      'the id hashing key (base64) when the config sets pseudonymizeUsers (default: $ID_HASH_KEY)',
    );
}

/** The --config file (if any) overlaid with the flags given, then `overrides`, validated as one config. */
export function modelConfigFromFlags(flags: ModelFlags, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base = flags.config ? readConfigFile(flags.config) : {};
  const fromFlags = Object.fromEntries(
    Object.entries({
      measure: flags.measure,
      k: flags.k,
      shrinkage: flags.shrinkage,
      minSupport: flags.minSupport,
      implicit: flags.implicit,
      models: flags.models,
      mode: flags.mode,
    }).filter(([, v]) => v !== undefined),
  );
  const input = { ...((base.input as object) ?? {}), ...(flags.format ? { format: flags.format } : {}) };
  return parseModelConfig({ ...base, ...fromFlags, ...overrides, input }, flags.config ?? 'command-line options');
}

/** What a model-options file (--config, or an uploaded config.json) should hold. */
export const MODEL_CONFIG_HINT = 'Write a JSON object such as {"measure":"cosine","k":50}.';

/** The options of a --config file: a JSON object, checked field by field with the flags in modelConfigFromFlags. */
function readConfigFile(path: string): Record<string, unknown> {
  const json = readJsonFile(path, MODEL_CONFIG_HINT);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UserInputError(
      `${path} must hold a JSON object of model options, not ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`,
      path,
      MODEL_CONFIG_HINT,
    );
  return json as Record<string, unknown>;
}

/** A model built from a file, and how it stores a given user id (its pseudonym under pseudonymizeUsers). */
export async function buildFromFile(
  file: string,
  flags: ModelFlags,
  overrides: Partial<ModelConfig> = {},
): Promise<BuiltModel & { storedUserId: (id: string) => string }> {
  const config = modelConfigFromFlags(flags, overrides);
  const idHashKey = idHashKeyOf(config, flags);
  const built = await buildModel(file, {
    config,
    fileName: file,
    threads: flags.threads,
    ...(idHashKey ? { idHashKey } : {}),
  });
  return { ...built, storedUserId: storedUserIdWith(idHashKey) };
}

/** `--algorithm`: which kind of model answers (recommend, export). */
export function algorithmOption(): Option {
  return new Option(
    '--algorithm <algorithm>',
    "item-based or user-based CF (with --dataset, default: the active version's model)",
  )
    .choices(MODEL_KINDS)
    .default('item');
}

export interface ModelSourceFlags {
  file?: string;
  dataset?: string;
}

/** A query command's model: built from --file here, or the one a running stack serves (--dataset). */
export function withModelSource(command: Command): Command {
  return withTarget(withModelOptions(command))
    .option('--file <file>', 'ratings file to build the model from')
    .option('--dataset <name>', 'ask a running stack instead (local by default; see --stack-outputs)');
}

/** The --file of a query command not given --dataset; `example` shows a whole command line. */
export function requireFile(flags: ModelSourceFlags, commandName: string, example: string): string {
  if (!flags.file)
    throw new UserInputError(
      `${commandName} needs --file <ratings file> or --dataset <name> (running stack)`,
      '--file / --dataset',
      `e.g. ${example}`,
    );
  return flags.file;
}
