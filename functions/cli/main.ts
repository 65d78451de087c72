/**
 * The `affinity` command. Engine commands work on local files; stack commands talk to the local stack
 * (npm start) or, given its endpoint, to a deployed one.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { buildModel, parseModelConfig } from '../engine/pipeline.js';
import { DEMO_CONFIG, ensureDemoFiles } from './demo.js';
import { action } from './errors.js';
import { registerBuildCommand } from './build.js';
import { registerEvaluateCommand } from './evaluate.js';
import { registerExportCommand } from './export.js';
import { registerGenerateCommand } from './generate.js';
import { registerRecommendCommand } from './recommend.js';
import { registerSimilarCommand } from './similar.js';
import { registerStackCommands } from './stack-commands.js';
import { formatNeighbours, formatRecommendations, formatReport, formatTimings } from './print.js';

const DATA_DIR = process.env.AFFINITY_DATA_DIR ?? join(process.cwd(), '.affinity');

const program = new Command()
  .name('affinity')
  .description(
    'Explainable collaborative-filtering recommendations: build, evaluate and serve models from rating files.',
  )
  .showHelpAfterError('(run with --help for usage)');

// Engine commands, on a local file (recommend and similar also take --dataset for a running stack).
registerGenerateCommand(program);
registerBuildCommand(program);
registerRecommendCommand(program, DATA_DIR);
registerSimilarCommand(program, DATA_DIR);
registerEvaluateCommand(program);
registerExportCommand(program);
registerStackCommands(program, DATA_DIR);

program
  .command('demo')
  .description('build a model from the bundled synthetic demo data and print explained recommendations (no services)')
  .action(
    action(async () => {
      const { ratings } = await ensureDemoFiles(join(DATA_DIR, 'demo'));
      const config = parseModelConfig(DEMO_CONFIG);
      const { model, report, timings } = await buildModel(ratings, { fileName: ratings, config });
      console.log(formatReport(report));
      console.log(formatTimings(timings));
      for (const user of ['u0', 'u1', 'u2']) {
        console.log();
        console.log(formatRecommendations(model.recommendForUser(user, { limit: 5 }), `user ${user}`));
      }
      console.log();
      const userBased = model.recommendForUser('u0', { limit: 5, algorithm: 'user' });
      console.log(formatRecommendations(userBased, 'user u0, user-based (similar users)'));
      const top = model.popularity[0]?.item;
      if (top) {
        console.log();
        console.log(formatNeighbours(model.similarItems(top, 5) ?? [], `Items similar to ${top}`));
      }
      console.log();
      console.log(formatRecommendations(model.recommendForUser('someone-new', { limit: 5 }), 'an unknown user'));
    }),
  );

await program.parseAsync(process.argv);
