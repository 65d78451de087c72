/**
 * Bundles the web console with esbuild into one directory: index.html, console.js, console.css. No CDN and no
 * network: everything (Preact and uPlot included) is in console.js; CSS imported from modules (the console's
 * style.css, uPlot's uPlot.min.css) is bundled into console.css. The result is reused while the sources are unchanged:
 * `.sources-digest` in the directory holds a SHA-256 of every source file and the esbuild version.
 *
 * Safety properties (test/console/console-static.test.ts):
 * - The bundle references no absolute http(s) URL (it talks to the API by relative `/v1/...` paths).
 * - A second build with unchanged sources reuses the directory (same digest, files untouched).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const CONSOLE_SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
const DIGEST_FILE = '.sources-digest';
const require = createRequire(import.meta.url);

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Affinity console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="console.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="console.js"></script>
</body>
</html>
`;

/** Source files of the console, its sub-folders (pages/, components/) included, sorted. */
export function sourceFiles(dir = CONSOLE_SOURCE_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return /\.(ts|tsx|css)$/.test(entry.name) ? [path] : [];
    });
}

/** The libraries bundled in (their package.json, with the version, is part of the digest: an upgrade rebuilds). */
const LIBRARY_FILES = ['uplot/package.json', 'preact/package.json'];

async function sourcesDigest(): Promise<string> {
  const { version } = await import('esbuild');
  const hash = createHash('sha256').update(`esbuild ${version}\n`);
  for (const file of sourceFiles()) hash.update(`${file}\n`).update(readFileSync(file));
  for (const name of LIBRARY_FILES) hash.update(`${name}\n`).update(readFileSync(require.resolve(name)));
  return hash.digest('hex');
}

export interface ConsoleBuild {
  dir: string;
  /** false: the previous build in `dir` matched the sources and was kept. */
  built: boolean;
}

/** Builds the console into `outDir` unless it already holds a build of the current sources. */
export async function buildConsole(outDir: string): Promise<ConsoleBuild> {
  const digest = await sourcesDigest();
  const digestPath = join(outDir, DIGEST_FILE);
  if (existsSync(digestPath) && readFileSync(digestPath, 'utf8') === digest) return { dir: outDir, built: false };
  const { build } = await import('esbuild');
  // Build next to the target, then swap: a server reading outDir never sees half a bundle.
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    entryPoints: { console: join(CONSOLE_SOURCE_DIR, 'main.tsx') },
    outdir: staging,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(join(staging, 'index.html'), INDEX_HTML);
  writeFileSync(join(staging, DIGEST_FILE), digest);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(staging, outDir);
  return { dir: outDir, built: true };
}
