/**
 * Where a running stack is: the local one (`affinity start` writes `<data dir>/stack.json`) or a deployed one
 * (`--stack-outputs`, the JSON written by `cdk deploy --outputs-file`). Shared by every command that talks to a stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { UserInputError } from '../engine/types.js';
import { DEFAULT_REGION, LOCAL_CREDENTIALS } from '../local/defaults.js';
import { readJsonFile } from './local-files.js';

export interface StackTarget {
  apiUrl: string;
  bucket: string;
  region: string;
  /** Set for the local stack only. */
  s3Endpoint?: string;
  local: boolean;
  /** A JWT for stacks deployed with auth=jwt; otherwise deployed stacks are called with SigV4 (IAM). */
  token?: string;
}

export interface TargetFlags {
  stackOutputs?: string;
  endpoint?: string;
  bucket?: string;
  token?: string;
}

/** The file through which `affinity start` tells the other commands where the local stack listens. */
export function stackFile(dataDir: string): string {
  return join(dataDir, 'stack.json');
}

/** Adds the flags that choose a stack (see TargetFlags) to a command. */
export function withTarget(command: Command): Command {
  return command
    .option('--stack-outputs <file>', 'a deployed stack: the JSON file from `cdk deploy --outputs-file`')
    .option('--endpoint <url>', 'API base URL (overrides the stack file)')
    .option('--bucket <name>', 'upload bucket (overrides the stack file)')
    .option(
      '--token <jwt>',
      'bearer token for a stack deployed with auth=jwt (default: $AFFINITY_TOKEN; otherwise requests are SigV4-signed)',
    );
}

export function resolveTarget(flags: TargetFlags, dataDir: string): StackTarget {
  if (flags.stackOutputs) {
    const outputs = readJsonFile(flags.stackOutputs, 'Write it with: npx cdk deploy --outputs-file cdk-outputs.json');
    // The first stack's outputs; anything else (null, a list, a number) has none and is reported below.
    const stack = (Object.values(outputs ?? {})[0] ?? {}) as Record<string, string | undefined>;
    const apiUrl = flags.endpoint ?? stack.ApiUrl;
    const bucket = flags.bucket ?? stack.BucketName;
    if (!apiUrl || !bucket)
      throw new UserInputError(
        `${flags.stackOutputs} has no ApiUrl/BucketName outputs`,
        '--stack-outputs',
        'Pass the outputs file of the Affinity stack.',
      );
    const token = flags.token ?? process.env.AFFINITY_TOKEN;
    return {
      apiUrl: apiUrl.replace(/\/$/, ''),
      bucket,
      region: process.env.AWS_REGION ?? regionFromUrl(apiUrl),
      local: false,
      token,
    };
  }
  const file = stackFile(dataDir);
  if (!existsSync(file)) {
    throw new UserInputError(
      'no running local stack found',
      file,
      'Start it in another terminal with `npm start`, or pass --stack-outputs for a deployed stack.',
    );
  }
  const local = JSON.parse(readFileSync(file, 'utf8')) as StackTarget;
  return { ...local, apiUrl: flags.endpoint ?? local.apiUrl, bucket: flags.bucket ?? local.bucket };
}

function regionFromUrl(url: string): string {
  return /execute-api\.([a-z0-9-]+)\.amazonaws/.exec(url)?.[1] ?? DEFAULT_REGION;
}

/** An S3 client for the target's bucket: s3rver's endpoint and key pair locally, the default chain when deployed. */
export function s3ClientFor(target: StackTarget): S3Client {
  return target.local
    ? new S3Client({
        endpoint: target.s3Endpoint,
        region: target.region,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
      })
    : new S3Client({ region: target.region });
}
