/**
 * `affinity start` as a user runs it: a child process on ephemeral ports with its own data folder, resolved once it
 * has printed its welcome (after the demo upload, if any, was built). Shared by the CLI tests that need the real
 * process (start-up, kill -9 recovery).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');

export interface RunningStack {
  child: ChildProcess;
  apiUrl: string;
  s3Endpoint: string;
  dynamoEndpoint: string;
  bucket: string;
  output: () => string;
  /** SIGTERM, then waits for the exit (a no-op once the process has ended). */
  stop: () => Promise<void>;
}

export async function startAffinity(dataDir: string, options: { demo?: boolean } = {}): Promise<RunningStack> {
  const args = ['start', '--api-port', '0', '--s3-port', '0', '--dynamo-port', '0'];
  if (options.demo === false) args.push('--no-demo');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, AFFINITY_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`affinity start printed no welcome in 50 s:\n${output}`)), 50_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Affinity is running locally')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code, signal) => reject(new Error(`affinity start exited (${code ?? signal}):\n${output}`)));
  });
  const target = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as {
    apiUrl: string;
    s3Endpoint: string;
    bucket: string;
  };
  const dynamoEndpoint = /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  if (!dynamoEndpoint) throw new Error(`no DynamoDB endpoint in the welcome:\n${output}`);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { child, ...target, dynamoEndpoint, output: () => output, stop };
}
