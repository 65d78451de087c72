/**
 * `affinity similar`: the neighbours of an item (--item) or a user (--user), from a model built here (--file)
 * or served by a running stack (--dataset).
 */
import type { Command } from 'commander';
import { integer } from './args.js';
import { UserInputError } from '../engine/types.js';
import { action } from './errors.js';
import { buildFromFile, requireFile, withModelSource, type ModelFlags, type ModelSourceFlags } from './model-flags.js';
import { formatNeighbours } from './print.js';
import { remoteSimilar } from './remote-queries.js';
import type { TargetFlags } from './target.js';

type SimilarFlags = ModelFlags &
  TargetFlags &
  ModelSourceFlags & { item?: string; user?: string; limit: number; json?: boolean };

export function registerSimilarCommand(program: Command, dataDir: string): void {
  withModelSource(program.command('similar'))
    .description('items similar to an item (--item) or users similar to a user (--user)')
    .option('--item <id>', 'item id')
    .option('--user <id>', 'user id')
    .option('--limit <n>', 'how many', integer('--limit', 1, 500), 10)
    .option('--json', 'print JSON')
    .action(action(async (flags: SimilarFlags) => similar(flags, dataDir)));
}

async function similar(flags: SimilarFlags, dataDir: string): Promise<void> {
  if (!flags.item === !flags.user)
    throw new UserInputError('give exactly one of --item or --user', '--item / --user', 'e.g. --item i42');
  if (flags.dataset) return remoteSimilar({ ...flags, dataset: flags.dataset }, dataDir);
  const file = requireFile(flags, 'similar', 'affinity similar --file ratings.csv --item i42');
  const { model, storedUserId } = await buildFromFile(file, flags, { models: [flags.user ? 'user' : 'item'] });
  const id = (flags.item ?? flags.user) as string;
  const neighbours = flags.item
    ? model.similarItems(id, flags.limit)
    : model.similarUsers(storedUserId(id), flags.limit);
  if (!neighbours)
    throw new UserInputError(
      `${flags.item ? 'item' : 'user'} '${id}' is not in ${file}`,
      flags.item ? '--item' : '--user',
      'Check the id (ids are case-sensitive).',
    );
  console.log(
    flags.json
      ? JSON.stringify(neighbours, null, 2)
      : formatNeighbours(neighbours, `${flags.item ? 'Items similar to item' : 'Users similar to user'} ${id}`),
  );
}
