// `affinity console` as a user runs it (a child process): with no flags it reads the local stack file, builds the
// console, prints its URL and forwards /health unsigned; a non-loopback --host is refused with what, where, fix.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'affinity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'affinity-console-command-'));
const upstreamPaths: string[] = [];
let upstream: Server;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamPaths.push(`${req.url} ${req.headers.authorization ?? 'unsigned'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'stack.json'),
    JSON.stringify({ apiUrl, bucket: 'b', region: 'us-east-1', s3Endpoint: 'http://127.0.0.1:9', local: true }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('affinity console', () => {
  it('with no flags: serves the built page and forwards /health to the local stack, unsigned', async () => {
    const child = spawn(process.execPath, [BIN, 'console', '--port', '0'], {
      env: { ...process.env, AFFINITY_DATA_DIR: dir },
      cwd: dir,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /Console\s+(http:\/\/127\.0\.0\.1:\d+)\/console\//.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const page = await fetch(`${url}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('console.js');
      const health = await fetch(`${url}/health`, { headers: { 'x-affinity-console': '1' } });
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(upstreamPaths).toEqual(['/health unsigned']);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a non-loopback --host', async () => {
    const run = promisify(execFile)(process.execPath, [BIN, 'console', '--host', '0.0.0.0'], {
      env: { ...process.env, AFFINITY_DATA_DIR: dir },
      cwd: dir,
    });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code: number; stderr: string } | undefined;
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toMatch(/will not listen on 0\.0\.0\.0/);
    expect(failure?.stderr).toMatch(/where: --host/);
  });
});
