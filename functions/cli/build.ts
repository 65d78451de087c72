/** `affinity build`: builds a model from a local file and prints its summary and the data-quality report. */
import type { Command } from 'commander';
import { formatValidationTable } from '../engine/evaluate/index.js';
import { describeSpec } from '../engine/models/index.js';
import { action } from './errors.js';
import { buildFromFile, withModelOptions, type ModelFlags } from './model-flags.js';
import { formatReport, formatTimings } from './print.js';

export function registerBuildCommand(program: Command): void {
  withModelOptions(program.command('build'))
    .description('read a ratings file, compute neighbour rows and print a model summary with the data-quality report')
    .argument('<file>', 'ratings file (CSV/TSV/::/JSON Lines, optionally .gz)')
    .option('--json', 'print the summary as JSON')
    .action(action(async (file: string, flags: ModelFlags & { json?: boolean }) => build(file, flags)));
}

async function build(file: string, flags: ModelFlags & { json?: boolean }): Promise<void> {
  const { model, report, timings, config, spec, validation } = await buildFromFile(file, flags);
  const { users, items } = model.matrix;
  const summary = {
    file,
    config,
    model: spec,
    ...(validation ? { validation } : {}),
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
  if (validation) console.log(formatValidationTable(validation));
  // describeSpec gives the effective values (pearson and adjusted-cosine default to a shrinkage the config may omit).
  console.log(
    `Model: ${describeSpec(spec)}, rows ${model.models.join(',')}; ` +
      `${summary.itemRows.toLocaleString('en')} item rows, ${summary.userRows.toLocaleString('en')} user rows`,
  );
  console.log(formatTimings(timings));
}

/** How many of the `count` ids have at least one neighbour (a kind not built has none). */
function rowsWithNeighbours(
  count: number,
  lookup: (id: string) => readonly unknown[] | undefined,
  idAt: (i: number) => string,
): number {
  let rows = 0;
  for (let i = 0; i < count; i++) if ((lookup(idAt(i))?.length ?? 0) > 0) rows++;
  return rows;
}
