/** Commands that run the engine on a local file, no services needed: generate, build, recommend, similar, evaluate, export. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { decimal, integer, list } from './args.js';
import { evaluate, formatEvaluationTable, type EvaluationConfig } from '../engine/evaluate/index.js';
import { exportRecommendations } from '../engine/export/index.js';
import { MAX_K, parseModelConfig, SIMILARITY_MEASURES, type ModelConfig } from '../engine/model-config.js';
import { buildModel, type BuiltModel } from '../engine/pipeline.js';
import { loadRatings } from '../engine/ingest/index.js';
import { writeSyntheticItemMetadata, writeSyntheticRatings } from '../engine/synthetic/index.js';
import {
  MODEL_KINDS,
  UserInputError,
  type HistoryEntry,
  type ModelKind,
  type SimilarityMeasure,
} from '../engine/types.js';
import { action } from './errors.js';
import { remoteRecommend, remoteSimilar } from './remote-queries.js';
import { withTarget, type TargetFlags } from './target.js';
import { formatNeighbours, formatRecommendations, formatReport, formatTimings } from './print.js';

interface ModelFlags {
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
}

/** The model options every file-based command shares; they mirror uploads/<dataset>/config.json. */
function withModelOptions(command: Command): Command {
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
    .option('--threads <n>', 'worker threads for the similarity kernel', integer('--threads', 1, 64));
}

export function modelConfigFromFlags(flags: ModelFlags, overrides: Partial<ModelConfig> = {}): ModelConfig {
  let base: Record<string, unknown> = {};
  if (flags.config) {
    try {
      base = JSON.parse(readFileSync(flags.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UserInputError(
        `cannot read ${flags.config}: ${(error as Error).message}`,
        flags.config,
        'Pass a readable JSON file.',
      );
    }
  }
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

async function buildFromFile(
  file: string,
  flags: ModelFlags,
  overrides: Partial<ModelConfig> = {},
): Promise<BuiltModel> {
  return buildModel(file, { config: modelConfigFromFlags(flags, overrides), fileName: file, threads: flags.threads });
}

/** `item:rating,item,...` -> history entries (rating defaults to 1). */
export function parseHistory(text: string): HistoryEntry[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.lastIndexOf(':');
      if (at < 0) return { item: part, value: 1 };
      const value = Number(part.slice(at + 1));
      if (!Number.isFinite(value))
        throw new UserInputError(
          `history entry '${part}' has a rating that is not a number`,
          '--history',
          'Write item:rating pairs, e.g. i1:5,i7:3',
        );
      return { item: part.slice(0, at), value };
    });
}

export function registerOfflineCommands(program: Command, dataDir: string): void {
  program
    .command('generate')
    .description('write a deterministic synthetic media-shaped ratings file (Zipf popularity, taste clusters)')
    .argument('<out>', 'output file (.csv, .tsv, .dat, .jsonl; add .gz to compress)')
    .option('--users <n>', 'users', integer('--users', 1), 2000)
    .option('--items <n>', 'items', integer('--items', 1), 1000)
    .option('--ratings <n>', 'ratings', integer('--ratings', 1), 50_000)
    .option('--seed <n>', 'random seed', integer('--seed', 0), 42)
    .option('--clusters <n>', 'latent taste clusters', integer('--clusters', 1))
    .option('--no-timestamps', 'omit the timestamp column')
    .option('--implicit', 'no rating column (implicit feedback)')
    .option('--metadata <file>', 'also write item metadata (id, title, genres) as CSV')
    .action(
      action(
        async (
          out: string,
          o: {
            users: number;
            items: number;
            ratings: number;
            seed: number;
            clusters?: number;
            timestamps: boolean;
            implicit?: boolean;
            metadata?: string;
          },
        ) => {
          const options = {
            users: o.users,
            items: o.items,
            ratings: o.ratings,
            seed: o.seed,
            clusters: o.clusters,
            timestamps: o.timestamps,
            implicit: o.implicit ?? false,
          };
          const started = performance.now();
          const written = await writeSyntheticRatings(out, options);
          if (o.metadata) await writeSyntheticItemMetadata(o.metadata, options);
          console.log(
            `Wrote ${written.ratings.toLocaleString('en')} ratings (${(written.bytes / 1e6).toFixed(1)} MB) to ${out} in ${((performance.now() - started) / 1000).toFixed(2)} s`,
          );
        },
      ),
    );

  withModelOptions(program.command('build'))
    .description('read a ratings file, compute neighbour rows and print a model summary with the data-quality report')
    .argument('<file>', 'ratings file (CSV/TSV/::/JSON Lines, optionally .gz)')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (file: string, flags: ModelFlags & { json?: boolean }) => {
        const { model, report, timings, config } = await buildFromFile(file, flags);
        const rowsWithNeighbours = (
          count: number,
          lookup: (id: string) => readonly unknown[] | undefined,
          idAt: (i: number) => string,
        ) => {
          let rows = 0;
          for (let i = 0; i < count; i++) if ((lookup(idAt(i))?.length ?? 0) > 0) rows++;
          return rows;
        };
        const { users, items } = model.matrix;
        const summary = {
          file,
          config,
          users: users.size,
          items: items.size,
          ratings: report.ratings,
          itemRows: rowsWithNeighbours(items.size, model.itemNeighbours, (i) => items.idAt(i)),
          userRows: rowsWithNeighbours(users.size, model.userNeighbours, (i) => users.idAt(i)),
          timings,
          report,
        };
        if (flags.json) {
          console.log(JSON.stringify(summary, null, 2));
          return;
        }
        console.log(formatReport(report));
        console.log(
          `Model: ${config.measure}, k=${config.k}, models=${config.models.join(',')}${config.shrinkage ? `, shrinkage ${config.shrinkage}` : ''}; ` +
            `${summary.itemRows.toLocaleString('en')} item rows, ${summary.userRows.toLocaleString('en')} user rows`,
        );
        console.log(formatTimings(timings));
      }),
    );

  withTarget(withModelOptions(program.command('recommend')))
    .description(
      'recommend for a user of a file (--user) or for a given history (--history); use --dataset for a running stack',
    )
    .option('--file <file>', 'ratings file to build the model from')
    .option('--dataset <name>', 'ask a running stack instead (local by default; see --stack-outputs)')
    .option('--user <id>', 'user id in the file')
    .option('--history <items>', 'anonymous history: item[:rating],item[:rating],...')
    .addOption(
      new Option('--algorithm <algorithm>', 'item-based or user-based CF').choices(['item', 'user']).default('item'),
    )
    .option('--limit <n>', 'how many items', integer('--limit', 1, 1000), 10)
    .option('--exclude <items>', 'never recommend these (comma-separated)', list)
    .option('--normalise', 'divide scores by the sum of |similarity| of their contributors')
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          flags: ModelFlags &
            TargetFlags & {
              file?: string;
              dataset?: string;
              user?: string;
              history?: string;
              algorithm: 'item' | 'user';
              limit: number;
              exclude?: string[];
              normalise?: boolean;
              json?: boolean;
            },
        ) => {
          if (!flags.user === !flags.history)
            throw new UserInputError(
              'give exactly one of --user or --history',
              '--user / --history',
              'e.g. --user u1, or --history i1:5,i2:3',
            );
          if (flags.dataset)
            return remoteRecommend(
              { ...flags, dataset: flags.dataset },
              dataDir,
              flags.history ? parseHistory(flags.history) : undefined,
            );
          if (!flags.file)
            throw new UserInputError(
              'recommend needs --file <ratings file> or --dataset <name> (running stack)',
              '--file / --dataset',
              'e.g. affinity recommend --file ratings.csv --user u1',
            );
          // User-based CF needs only the user rows; item-based (and any --history) only the item rows.
          const models: ModelKind[] = flags.user && flags.algorithm === 'user' ? ['user'] : ['item'];
          const { model } = await buildFromFile(flags.file, flags, { models });
          const options = { limit: flags.limit, exclude: flags.exclude, normalise: flags.normalise ?? false };
          const result = flags.user
            ? model.recommendForUser(flags.user, { ...options, algorithm: flags.algorithm })
            : model.recommendForHistory(parseHistory(flags.history ?? ''), options);
          console.log(
            flags.json
              ? JSON.stringify(result, null, 2)
              : formatRecommendations(result, flags.user ? `user ${flags.user}` : 'the given history'),
          );
        },
      ),
    );

  withTarget(withModelOptions(program.command('similar')))
    .description('items similar to an item (--item) or users similar to a user (--user)')
    .option('--file <file>', 'ratings file to build the model from')
    .option('--dataset <name>', 'ask a running stack instead (local by default; see --stack-outputs)')
    .option('--item <id>', 'item id')
    .option('--user <id>', 'user id')
    .option('--limit <n>', 'how many', integer('--limit', 1, 500), 10)
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          flags: ModelFlags &
            TargetFlags & {
              file?: string;
              dataset?: string;
              item?: string;
              user?: string;
              limit: number;
              json?: boolean;
            },
        ) => {
          if (!flags.item === !flags.user)
            throw new UserInputError('give exactly one of --item or --user', '--item / --user', 'e.g. --item i42');
          if (flags.dataset) return remoteSimilar({ ...flags, dataset: flags.dataset }, dataDir);
          if (!flags.file)
            throw new UserInputError(
              'similar needs --file <ratings file> or --dataset <name> (running stack)',
              '--file / --dataset',
              'e.g. affinity similar --file ratings.csv --item i42',
            );
          const { model } = await buildFromFile(flags.file, flags, { models: [flags.user ? 'user' : 'item'] });
          const id = (flags.item ?? flags.user) as string;
          const neighbours = flags.item ? model.similarItems(id, flags.limit) : model.similarUsers(id, flags.limit);
          if (!neighbours)
            throw new UserInputError(
              `${flags.item ? 'item' : 'user'} '${id}' is not in ${flags.file}`,
              flags.item ? '--item' : '--user',
              'Check the id (ids are case-sensitive).',
            );
          console.log(
            flags.json
              ? JSON.stringify(neighbours, null, 2)
              : formatNeighbours(neighbours, `${flags.item ? 'Items similar to item' : 'Users similar to user'} ${id}`),
          );
        },
      ),
    );

  withModelOptions(program.command('evaluate'))
    .description('offline evaluation: several algorithms/settings and a popularity baseline side by side')
    .argument('<file>', 'ratings file')
    .addOption(
      new Option('--split <split>', 'per-user random holdout, or leave-last-out by timestamp')
        .choices(['holdout', 'last'])
        .default('holdout'),
    )
    .option('--ratio <r>', 'holdout share per user', decimal('--ratio', 0.01, 0.99), 0.2)
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .option('--at <k>', 'list length k for the @k metrics', integer('--at', 1, 1000), 10)
    .option('--measures <list>', 'similarity measures to compare (comma-separated)', list)
    .option('--algorithms <list>', 'item, user (comma-separated)', list)
    .option('--max-users <n>', 'evaluate a deterministic sample of test users', integer('--max-users', 1))
    .option('--json', 'print the report as JSON')
    .action(
      action(
        async (
          file: string,
          flags: ModelFlags & {
            split: 'holdout' | 'last';
            ratio: number;
            seed: number;
            at: number;
            measures?: string[];
            algorithms?: string[];
            maxUsers?: number;
            json?: boolean;
          },
        ) => {
          const config = modelConfigFromFlags(flags);
          const { matrix } = await loadRatings(file, {
            ...config.input,
            implicit: config.implicit || undefined,
            fileName: file,
          });
          const measures = (flags.measures ?? [config.measure]) as SimilarityMeasure[];
          const algorithms = flags.algorithms ?? ['item'];
          const configs: EvaluationConfig[] = [];
          for (const algorithm of algorithms) {
            if (algorithm !== 'item' && algorithm !== 'user')
              throw new UserInputError(
                `unknown algorithm '${algorithm}'`,
                '--algorithms',
                'Use item, user or both: --algorithms item,user',
              );
            for (const measure of measures) {
              configs.push({
                name: `${algorithm}-${measure}-k${config.k}`,
                algorithm,
                similarity: {
                  measure,
                  k: config.k,
                  shrinkage: config.shrinkage,
                  minSupport: config.minSupport,
                  implicit: config.implicit,
                },
              });
            }
          }
          const report = await evaluate(matrix, {
            split: flags.split,
            ratio: flags.ratio,
            seed: flags.seed,
            k: flags.at,
            configs,
            threads: flags.threads,
            maxUsers: flags.maxUsers,
          });
          console.log(flags.json ? JSON.stringify(report, null, 2) : formatEvaluationTable(report));
        },
      ),
    );

  withModelOptions(program.command('export'))
    .description('batch export: top-N recommendations for every user (or --users) to CSV or JSON Lines')
    .argument('<file>', 'ratings file')
    .requiredOption('--out <path>', 'output file')
    .addOption(new Option('--to <format>', 'output format (default: from --out extension)').choices(['csv', 'jsonl']))
    .option('--users <ids>', 'only these users (comma-separated)', list)
    .addOption(
      new Option('--algorithm <algorithm>', 'item-based or user-based CF').choices(['item', 'user']).default('item'),
    )
    .option('--limit <n>', 'items per user', integer('--limit', 1, 1000), 10)
    .option('--no-explain', 'omit explanations')
    .action(
      action(
        async (
          file: string,
          flags: ModelFlags & {
            out: string;
            to?: 'csv' | 'jsonl';
            users?: string[];
            algorithm: 'item' | 'user';
            limit: number;
            explain: boolean;
          },
        ) => {
          const { model } = await buildFromFile(file, flags, {
            models: [flags.algorithm === 'user' ? 'user' : 'item'],
          });
          const format = flags.to ?? (/\.jsonl$|\.ndjson$/i.test(flags.out) ? 'jsonl' : 'csv');
          const result = await exportRecommendations(model, flags.out, {
            format,
            users: flags.users,
            limit: flags.limit,
            algorithm: flags.algorithm,
            explain: flags.explain,
          });
          console.log(
            `Wrote ${result.rows.toLocaleString('en')} recommendations for ${result.users.toLocaleString('en')} users to ${basename(flags.out)} (${format})`,
          );
          if (result.unknownUsers.length > 0) {
            console.error(
              `warning: ${result.unknownUsers.length} users are not in ${file} and got the popularity fallback: ${result.unknownUsers.slice(0, 10).join(', ')}${result.unknownUsers.length > 10 ? ', …' : ''}`,
            );
          }
        },
      ),
    );
}
