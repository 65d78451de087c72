/**
 * `affinity evaluate`: offline evaluation of every model kind side by side, with a popularity baseline: item and
 * user kNN per measure, EASE per λ (the config's, or the build's λ grid), and `auto` (the build's validation run
 * on the training part, then its choice scored like the others).
 */
import { Option, type Command } from 'commander';
import { decimal, integer, list } from './args.js';
import { evaluate, formatEvaluationTable, type EvaluationConfig } from '../engine/evaluate/index.js';
import { loadRatings } from '../engine/ingest/index.js';
import { eventOptionsOf, similarityOptionsOf, type ModelConfig } from '../engine/model-config.js';
import { candidateSpecs, describeSpec, easeSpecs } from '../engine/models/index.js';
import { UserInputError, type RatingMatrix, type SimilarityMeasure } from '../engine/types.js';
import { action } from './errors.js';
import { modelConfigFromFlags, withModelOptions, type ModelFlags } from './model-flags.js';

type EvaluateFlags = ModelFlags & {
  split: 'holdout' | 'last';
  ratio: number;
  seed: number;
  at: number;
  measures?: string[];
  algorithms?: string[];
  easeLambda?: number[];
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
    .option('--algorithms <list>', `${ALGORITHMS.join(', ')} (comma-separated; default all)`, list)
    .option('--ease-lambda <list>', "EASE λ values (default: the config's ease.lambda, else the build's grid)", (v) =>
      list(v).map((x) => {
        const n = Number(x);
        if (!(n > 0 && Number.isFinite(n)))
          throw new UserInputError(`--ease-lambda: '${x}' is not a positive number`, '--ease-lambda', 'e.g. 50,250');
        return n;
      }),
    )
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
    configs: evaluationConfigs(config, flags, matrix),
    threads: flags.threads,
    maxUsers: flags.maxUsers,
  });
  console.log(flags.json ? JSON.stringify(report, null, 2) : formatEvaluationTable(report));
}

const ALGORITHMS = ['item', 'user', 'ease', 'auto'] as const;

/**
 * One configuration per kNN algorithm × measure (the similarity options of `config` but its measure), one per
 * EASE λ, and `auto` with the candidates a build with `model: auto` would compare.
 */
function evaluationConfigs(config: ModelConfig, flags: EvaluateFlags, matrix: RatingMatrix): EvaluationConfig[] {
  const measures = (flags.measures ?? [config.measure]) as SimilarityMeasure[];
  const algorithms = flags.algorithms ?? ALGORITHMS;
  const configs: EvaluationConfig[] = [];
  for (const algorithm of algorithms) {
    if (algorithm === 'ease') {
      const specs = flags.easeLambda
        ? flags.easeLambda.flatMap((lambda) => easeSpecs({ ...config, ease: { ...config.ease, lambda } }, matrix, true))
        : easeSpecs(config, matrix, true);
      for (const spec of specs) configs.push({ name: describeSpec(spec), algorithm: 'ease', ease: spec });
      continue;
    }
    if (algorithm === 'auto') {
      const candidates = candidateSpecs({ ...config, model: 'auto', models: undefined }, matrix, true);
      configs.push({ name: 'auto', algorithm: 'auto', candidates, validationUsers: config.evaluation.users });
      continue;
    }
    if (algorithm !== 'item' && algorithm !== 'user')
      throw new UserInputError(
        `unknown algorithm '${algorithm}'`,
        '--algorithms',
        `Use any of ${ALGORITHMS.join(', ')}, e.g. --algorithms item,ease,auto`,
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
