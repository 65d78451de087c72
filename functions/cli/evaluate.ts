/** `affinity evaluate`: offline evaluation of several algorithms and measures side by side, with a popularity baseline. */
import { Option, type Command } from 'commander';
import { decimal, integer, list } from './args.js';
import { evaluate, formatEvaluationTable, type EvaluationConfig } from '../engine/evaluate/index.js';
import { loadRatings } from '../engine/ingest/index.js';
import { eventOptionsOf, similarityOptionsOf, type ModelConfig } from '../engine/model-config.js';
import { UserInputError, type SimilarityMeasure } from '../engine/types.js';
import { action } from './errors.js';
import { modelConfigFromFlags, withModelOptions, type ModelFlags } from './model-flags.js';

type EvaluateFlags = ModelFlags & {
  split: 'holdout' | 'last';
  ratio: number;
  seed: number;
  at: number;
  measures?: string[];
  algorithms?: string[];
  maxUsers?: number;
  json?: boolean;
};

export function registerEvaluateCommand(program: Command): void {
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
    .action(action(async (file: string, flags: EvaluateFlags) => evaluateFile(file, flags)));
}

async function evaluateFile(file: string, flags: EvaluateFlags): Promise<void> {
  const config = modelConfigFromFlags(flags);
  const { matrix } = await loadRatings(file, {
    ...config.input,
    implicit: config.implicit || undefined,
    ...eventOptionsOf(config),
    fileName: file,
  });
  const report = await evaluate(matrix, {
    split: flags.split,
    ratio: flags.ratio,
    seed: flags.seed,
    k: flags.at,
    configs: evaluationConfigs(config, flags),
    threads: flags.threads,
    maxUsers: flags.maxUsers,
  });
  console.log(flags.json ? JSON.stringify(report, null, 2) : formatEvaluationTable(report));
}

/** One configuration per algorithm × measure, each with the similarity options of `config` but its measure. */
function evaluationConfigs(config: ModelConfig, flags: EvaluateFlags): EvaluationConfig[] {
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
        // Resolved per measure: an unset shrinkage defaults by measure (defaultShrinkage).
        similarity: similarityOptionsOf({ ...config, measure }),
      });
    }
  }
  return configs;
}
