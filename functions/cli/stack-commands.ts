/**
 * Registers the commands that talk to a running stack: `start` runs the local one; `upload`, `events`, `status`,
 * `jobs`, `rollback`, `purge-user` (./purge-user.ts) and `console` (./console-server.ts) work against the local stack by default, or against a
 * deployed one given `--stack-outputs` (see ./target.ts). The `--dataset` forms of `recommend`/`similar` are in
 * ./remote-queries.ts.
 */
import type { Command } from 'commander';
import type { JobRecord } from '../adapters/store-contract.js';
import type { DatasetBody } from '../api/schemas.js';
import { callApi } from './api-client.js';
import { registerConsoleCommand } from './console-server.js';
import { integer } from './args.js';
import { action } from './errors.js';
import { jobLine } from './jobs.js';
import { registerPurgeCommand } from './purge-user.js';
import { startCommand, type StartFlags } from './start.js';
import { resolveTarget, withTarget, type TargetFlags } from './target.js';
import { uploadCommand, type UploadFlags } from './upload.js';
import { eventsCommand, type EventsFlags } from './events.js';

const encode = encodeURIComponent;

export function registerStackCommands(program: Command, dataDir: string): void {
  program
    .command('start')
    .description(
      'run the whole service locally (S3 + DynamoDB stand-ins, the build and API Lambda handlers) and load the demo dataset',
    )
    .option('--api-port <port>', 'HTTP API port', integer('--api-port', 0, 65535), 3000)
    .option('--s3-port <port>', 'S3 (s3rver) port', integer('--s3-port', 0, 65535), 4569)
    .option('--dynamo-port <port>', 'DynamoDB (dynalite) port', integer('--dynamo-port', 0, 65535), 4567)
    .option('--no-demo', 'do not upload the demo dataset on first start')
    .action(action(async (flags: StartFlags) => startCommand(flags, dataDir)));

  withTarget(program.command('upload'))
    .description(
      'upload a ratings file to uploads/<dataset>/ and wait for its build job (a config.json is checked, uploaded, not built)',
    )
    .argument('<file>', "ratings file, or the dataset's build options (as --key config.json)")
    .requiredOption('--dataset <name>', 'dataset (catalogue / tenant) name')
    .option('--key <name>', 'object name under uploads/<dataset>/ (default: the file name)')
    .option('--no-wait', 'return after the upload without waiting for the build')
    .option('--timeout <seconds>', 'how long to wait for the build', integer('--timeout', 1), 900)
    .action(action(async (file: string, flags: UploadFlags) => uploadCommand(file, flags, dataDir)));

  withTarget(program.command('events'))
    .description(
      'send a file of live events (JSON Lines or CSV, optionally .gz) to a dataset in batches of 500; they count at once',
    )
    .argument('<file>', 'events: one JSON object per line (eventId?, user, item, type?, value?, timestamp?), or a CSV')
    .requiredOption('--dataset <name>', 'dataset name')
    .option(
      '--retries <n>',
      'attempts per batch when the API throttles (429) or fails (503)',
      integer('--retries', 1, 20),
      8,
    )
    .option('--json', 'print the summary as JSON')
    .action(action(async (file: string, flags: EventsFlags) => eventsCommand(file, flags, dataDir)));

  withTarget(program.command('status'))
    .description('active model version, kept versions and the latest build of a dataset')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--json', 'print JSON')
    .action(
      action(async (flags: TargetFlags & { dataset: string; json?: boolean }) => {
        const status = await callApi<DatasetBody>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}`,
        );
        // The active model's label up front: the versions below carry each one's model and validation.
        const active = status.versions.find((v) => v.active);
        const { dataset, activeVersion, ...rest } = status;
        console.log(
          JSON.stringify({ dataset, activeVersion, activeModel: active?.model.label ?? null, ...rest }, null, 2),
        );
      }),
    );

  withTarget(program.command('jobs'))
    .description('recent build jobs of a dataset, newest first')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--limit <n>', 'how many', integer('--limit', 1, 100), 10)
    .action(
      action(async (flags: TargetFlags & { dataset: string; limit: number }) => {
        const { jobs } = await callApi<{ jobs: JobRecord[] }>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}/jobs?limit=${flags.limit}`,
        );
        if (jobs.length === 0) console.log('no build jobs yet');
        for (const job of jobs) console.log(jobLine(job));
      }),
    );

  withTarget(program.command('rollback'))
    .description('re-activate a kept model version (default: the previous one)')
    .requiredOption('--dataset <name>', 'dataset name')
    .option('--version <version>', 'version to activate')
    .action(
      action(async (flags: TargetFlags & { dataset: string; version?: string }) => {
        const result = await callApi<{ activeVersion: string }>(
          resolveTarget(flags, dataDir),
          `/v1/datasets/${encode(flags.dataset)}/rollback`,
          {
            method: 'POST',
            body: flags.version ? { version: flags.version } : {},
          },
        );
        console.log(`Active version of ${flags.dataset}: ${result.activeVersion}`);
      }),
    );

  registerPurgeCommand(program, dataDir);
  registerConsoleCommand(program, dataDir);
}
