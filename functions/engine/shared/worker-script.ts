/**
 * Where a kernel's worker thread starts from, for the similarity and the EASE pools alike: next to the pool module
 * in development (a .ts worker is started through a tiny ESM bootstrap that registers tsx first — Node 20 does not
 * apply `--import` loader hooks inside workers, but tsx's register() called in the worker does work — resolved from
 * here so it works from any working directory, under vitest and under the CLI), or the worker bundled on its own
 * beside a bundle (the build Lambda). Undefined when neither exists: the caller computes in its own thread.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `poolUrl` is the pool module's `import.meta.url` (in a bundle: the bundle's own file). */
export function workerScript(poolUrl: string, bundledFile: string): URL | undefined {
  try {
    const here = fileURLToPath(poolUrl);
    const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.js') ? '.js' : undefined;
    if (ext === undefined || basename(here) !== `pool${ext}`) {
      const bundled = new URL(`./${bundledFile}`, poolUrl);
      return existsSync(fileURLToPath(bundled)) ? bundled : undefined;
    }
    const worker = new URL(`./worker${ext}`, poolUrl);
    if (!existsSync(fileURLToPath(worker))) return undefined;
    if (ext === '.js') return worker;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import { register } from ${JSON.stringify(tsxApi)};\nregister();\nawait import(${JSON.stringify(worker.href)});\n`;
    return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
  } catch {
    // import.meta.url is missing in a CommonJS bundle, tsx may be absent from a deployment: compute in-thread.
    return undefined;
  }
}
