/**
 * `affinity recommend`: recommendations for a user of a ratings file (--user) or for a given history
 * (--history), from a model built here (--file) or served by a running stack (--dataset).
 */
import type { Command } from 'commander';
import { integer, list } from './args.js';
import { UserInputError, type HistoryEntry, type ModelKind } from '../engine/types.js';
import { action } from './errors.js';
import {
  algorithmOption,
  buildFromFile,
  requireFile,
  withModelSource,
  type ModelFlags,
  type ModelSourceFlags,
} from './model-flags.js';
import { formatRecommendations } from './print.js';
import { remoteRecommend } from './remote-queries.js';
import type { TargetFlags } from './target.js';

type RecommendFlags = ModelFlags &
  TargetFlags &
  ModelSourceFlags & {
    user?: string;
    history?: string;
    /** Absent (with --dataset only): the served model's rows. */
    algorithm?: ModelKind;
    limit: number;
    exclude?: string[];
    normalise?: boolean;
    json?: boolean;
  };

export function registerRecommendCommand(program: Command, dataDir: string): void {
  withModelSource(program.command('recommend'))
    .description(
      'recommend for a user of a file (--user) or for a given history (--history); use --dataset for a running stack',
    )
    .option('--user <id>', 'user id in the file')
    .option('--history <items>', 'anonymous history: item[:rating],item[:rating],...')
    .addOption(algorithmOption())
    .option('--limit <n>', 'how many items', integer('--limit', 1, 1000), 10)
    .option('--exclude <items>', 'never recommend these (comma-separated)', list)
    .option('--normalise', 'divide scores by the sum of |similarity| of their contributors')
    .option('--json', 'print JSON')
    .action(
      action(async (flags: RecommendFlags, command: Command) =>
        // A running stack serves the active version's model by default: --algorithm only when given.
        recommend(
          command.getOptionValueSource('algorithm') === 'default' ? { ...flags, algorithm: undefined } : flags,
          dataDir,
        ),
      ),
    );
}

async function recommend(flags: RecommendFlags, dataDir: string): Promise<void> {
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
  const file = requireFile(flags, 'recommend', 'affinity recommend --file ratings.csv --user u1');
  const algorithm = flags.algorithm ?? 'item';
  // User-based CF needs only the user rows; item-based (and any --history) only the item rows.
  const models: ModelKind[] = flags.user && algorithm === 'user' ? ['user'] : ['item'];
  const { model, storedUserId } = await buildFromFile(file, flags, { models });
  const options = { limit: flags.limit, exclude: flags.exclude, normalise: flags.normalise ?? false };
  const result = flags.user
    ? model.recommendForUser(storedUserId(flags.user), { ...options, algorithm })
    : model.recommendForHistory(parseHistory(flags.history ?? ''), options);
  console.log(
    flags.json
      ? JSON.stringify(result, null, 2)
      : formatRecommendations(result, flags.user ? `user ${flags.user}` : 'the given history'),
  );
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
