/**
 * `affinity start`: the whole service on this machine (the README's main job). Writes the stack file the other
 * commands read (./target.ts), keeps the demo dataset equal to the shipped demo (./demo-dataset.ts), and removes the stack file on Ctrl-C.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from '../local/defaults.js';
import { handleConsoleUpload } from './console-uploads.js';
import { ensureDemoFiles } from './demo.js';
import { syncDemoDataset } from './demo-dataset.js';
import { s3ClientFor, stackFile, type StackTarget } from './target.js';

export interface StartFlags {
  apiPort: number;
  s3Port: number;
  dynamoPort: number;
  demo: boolean;
}

export async function startCommand(flags: StartFlags, dataDir: string): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { startLocalStack } = await import('../local/stack.js');
  // Rebuilt only when its sources changed (the digest in the directory).
  const { buildConsole } = await import('../console/build.js');
  const webConsole = await buildConsole(join(dataDir, 'console'));
  // The handlers read their environment at import; import them only once the stack has set it.
  let build: typeof import('../handlers/build.js') | undefined;
  let api: typeof import('../handlers/api.js') | undefined;
  const uploads: { target?: StackTarget } = {};
  const stack = await startLocalStack({
    dataDir,
    apiPort: flags.apiPort,
    s3Port: flags.s3Port,
    dynamoPort: flags.dynamoPort,
    buildHandler: async (event, context) => (build ??= await import('../handlers/build.js')).handler(event, context),
    apiHandler: async (event, context) => (api ??= await import('../handlers/api.js')).handler(event, context),
    log: (line) => console.error(line),
    consoleDir: webConsole.dir,
    // The target is known once the stack is up; until then the route answers 503.
    consoleUploads: (req, res) => handleConsoleUpload(req, res, uploads.target),
  });
  const target: StackTarget = {
    apiUrl: stack.apiUrl,
    bucket: stack.bucket,
    region: stack.region,
    s3Endpoint: stack.s3Endpoint,
    local: true,
  };
  uploads.target = target;
  writeFileSync(stackFile(dataDir), JSON.stringify(target, null, 2));

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait for a running build
    stopping = true;
    console.error('\nstopping (a running build finishes first; Ctrl-C again to force)…');
    rmSync(stackFile(dataDir), { force: true });
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (flags.demo) {
    const s3 = s3ClientFor(target);
    const { ratings, metadata } = await ensureDemoFiles(join(dataDir, 'demo'));
    const changed = await syncDemoDataset(s3, stack.bucket, { events: ratings, catalogue: metadata });
    if (changed.length > 0) {
      console.error(`loading the demo dataset through the S3 API (${changed.join(', ')})…`);
      await stack.bridge.idle();
    }
  }
  printWelcome(target, stack.dynamoEndpoint);
}

function printWelcome(target: StackTarget, dynamoEndpoint: string): void {
  const api = target.apiUrl;
  console.log(`
Affinity is running locally.
  API       ${api}   (OpenAPI: ${api}/openapi.json)
  Console   ${api}/console/
  S3        ${target.s3Endpoint}   bucket ${target.bucket}   (access key ${LOCAL_CREDENTIALS.accessKeyId} / secret ${LOCAL_CREDENTIALS.secretAccessKey})
  DynamoDB  ${dynamoEndpoint}

Try:
  curl '${api}/v1/datasets/demo/users/u1/recommendations?limit=5&fields=title,categories'
  curl '${api}/v1/datasets/demo/users/u1/recommendations?limit=5&algorithm=user'
  curl '${api}/v1/datasets/demo/users/u1/similar?limit=5'
  curl '${api}/v1/datasets/demo/items/i1/similar?limit=5'
  curl '${api}/v1/datasets/demo/items/i1'
  curl '${api}/v1/datasets/demo/users/u1/recommendations?limit=5&filter=category:Thriller&diversity=0.5&fields=title,categories'
  curl '${api}/v1/datasets/demo/trending?limit=5&fields=title'
  curl -X POST '${api}/v1/datasets/demo/recommendations' -H 'content-type: application/json' -d '{"history":[{"item":"i1","rating":5},{"item":"i7","rating":4}]}'
  curl '${api}/v1/datasets/demo'

Upload your own ratings (user,item[,rating][,timestamp]) as dataset "mine":
  npx affinity upload ratings.csv --dataset mine
  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} aws --endpoint-url ${target.s3Endpoint} s3 cp ratings.csv s3://${target.bucket}/uploads/mine/ratings.csv

Ctrl-C stops; data is kept in .affinity/ for the next start.`);
}
