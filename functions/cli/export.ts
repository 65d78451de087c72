/** `affinity export`: top-N recommendations for every user of a file (or --users), to CSV or JSON Lines. */
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { integer, list } from './args.js';
import { exportRecommendations } from '../engine/export/index.js';
import type { ModelKind } from '../engine/types.js';
import { action } from './errors.js';
import { algorithmOption, buildFromFile, withModelOptions, type ModelFlags } from './model-flags.js';

type ExportFlags = ModelFlags & {
  out: string;
  to?: 'csv' | 'jsonl';
  users?: string[];
  algorithm: ModelKind;
  limit: number;
  explain: boolean;
};

/** How many unknown users the warning names before it says "…". */
const UNKNOWN_USERS_NAMED = 10;

export function registerExportCommand(program: Command): void {
  withModelOptions(program.command('export'))
    .description('batch export: top-N recommendations for every user (or --users) to CSV or JSON Lines')
    .argument('<file>', 'ratings file')
    .requiredOption('--out <path>', 'output file')
    .addOption(new Option('--to <format>', 'output format (default: from --out extension)').choices(['csv', 'jsonl']))
    .option('--users <ids>', 'only these users (comma-separated)', list)
    .addOption(algorithmOption())
    .option('--limit <n>', 'items per user', integer('--limit', 1, 1000), 10)
    .option('--no-explain', 'omit explanations')
    .action(action(async (file: string, flags: ExportFlags) => exportFile(file, flags)));
}

async function exportFile(file: string, flags: ExportFlags): Promise<void> {
  // Under pseudonymizeUsers the model (and so the export) knows users by their pseudonyms only.
  const { model, storedUserId } = await buildFromFile(file, flags, { models: [flags.algorithm] });
  const format = flags.to ?? (/\.jsonl$|\.ndjson$/i.test(flags.out) ? 'jsonl' : 'csv');
  const result = await exportRecommendations(model, flags.out, {
    format,
    users: flags.users?.map(storedUserId),
    limit: flags.limit,
    algorithm: flags.algorithm,
    explain: flags.explain,
  });
  console.log(
    `Wrote ${result.rows.toLocaleString('en')} recommendations for ${result.users.toLocaleString('en')} users to ${basename(flags.out)} (${format})`,
  );
  const unknown = result.unknownUsers;
  if (unknown.length > 0) {
    const named =
      unknown.slice(0, UNKNOWN_USERS_NAMED).join(', ') + (unknown.length > UNKNOWN_USERS_NAMED ? ', …' : '');
    console.error(`warning: ${unknown.length} users are not in ${file} and got the popularity fallback: ${named}`);
  }
}
