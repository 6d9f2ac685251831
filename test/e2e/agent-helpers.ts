// Shared by the agent's process-level tests: a work folder and the agent config they run, spawn
// `sluice agent` / `sluice generate`, FIFOs as outputs that block, wait for conditions, check the
// output against the generator's manifest.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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

/** What an agent test works in: a fresh folder, the paths used in it, a free HTTP port. */
export interface WorkDir {
  dir: string;
  logs: string;
  data: string;
  manifest: string;
  config: string;
  port: number;
}

export async function workDir(prefix: string): Promise<WorkDir> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  return {
    dir,
    logs: join(dir, 'logs'),
    data: join(dir, 'data'),
    manifest: join(dir, 'manifest.json'),
    config: join(dir, 'agent.json'),
    port: await freePort(),
  };
}

/**
 * The agent config these tests run in `w`: pod logs from its folder, no Kubernetes enrichment,
 * the HTTP server on loopback.
 */
export function agentConfig(
  w: WorkDir,
  o: { pollIntervalMs?: number; pipelines: object[]; outputs: object[] },
): object {
  return {
    apiVersion: 'agent.sluice.dev/v1',
    agent: {
      podLogsDir: w.logs,
      dataDir: w.data,
      httpPort: w.port,
      httpHost: '127.0.0.1',
      ...(o.pollIntervalMs === undefined ? {} : { pollIntervalMs: o.pollIntervalMs }),
      enrichment: { kubernetes: false },
    },
    pipelines: o.pipelines,
    outputs: o.outputs,
  };
}

/** `sluice generate` into `logs`, writing its manifest; the options as on its command line. */
export function generate(
  logs: string,
  manifest: string,
  opts: { files: number; rate?: number; duration?: number; events?: number; partialFraction?: number },
): ChildProcess {
  const flags: [string, number | undefined][] = [
    ['--files', opts.files],
    ['--rate', opts.rate],
    ['--duration', opts.duration],
    ['--events', opts.events],
  ];
  const args = ['generate', '--dir', logs];
  for (const [flag, v] of flags) if (v !== undefined) args.push(flag, String(v));
  args.push('--manifest', manifest);
  if (opts.partialFraction !== undefined) args.push('--partial-fraction', String(opts.partialFraction));
  return sluice(args);
}

/** A FIFO at `path`: a file output writing into it blocks until a reader opens it. */
export function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
}

/** A reader of the FIFO copying it into `out` (appending with `append`). */
export function readFifo(fifo: string, out: string, append = false): ChildProcess {
  return spawn('sh', ['-c', `exec cat "${fifo}" ${append ? '>>' : '>'} "${out}"`], { stdio: 'ignore' });
}

export const totalLines = (files: Record<string, number>): number =>
  Object.values(files).reduce((a, b) => a + b, 0);

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

/** Waits until the agent's /healthz answers OK. */
export function untilHealthy(port: number, timeoutMs: number): Promise<true> {
  return until(
    async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined),
    timeoutMs,
  );
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
