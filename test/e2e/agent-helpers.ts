// Shared by the agent's process-level tests: spawn `sluice agent` / `sluice generate`, wait for
// conditions, check the output against the generator's manifest.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type VerifyReport, verifyOutputs } from '../../agent/src/loadgen/verify.ts';

export const root = new URL('../../', import.meta.url).pathname;
export const cli = join(root, 'bin/sluice.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sluice(args: string[], stderr: 'inherit' | 'ignore' = 'inherit'): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', stderr] });
}

export const exited = (p: ChildProcess): Promise<number> =>
  new Promise((r) => {
    if (p.exitCode !== null) r(p.exitCode);
    else p.once('exit', (c, sig) => r(c ?? (sig ? 128 : -1)));
  });

export function writeJson(path: string, v: unknown): void {
  writeFileSync(path, `${JSON.stringify(v, null, 2)}\n`);
}

export function manifestFiles(path: string): Record<string, number> {
  return (JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, number> }).files;
}

/** Polls the outputs until no more than `expectLost` are missing (or the deadline passes). */
export async function untilComplete(
  outputs: string[],
  manifest: Record<string, number>,
  timeoutMs: number,
  expectLost = 0,
): Promise<VerifyReport> {
  const end = Date.now() + timeoutMs;
  let rep = verifyOutputs(outputs, manifest);
  while (rep.lost > expectLost && Date.now() < end) {
    await sleep(250);
    rep = verifyOutputs(outputs, manifest);
  }
  return rep;
}

/** GET a JSON endpoint of the agent's HTTP server. */
export async function getJson(port: number, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await r.json()) as Record<string, unknown>;
}

export async function until<T>(
  f: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}
