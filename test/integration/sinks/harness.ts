// Shared by the sink integration tests: generated CRI logs with a manifest of sequence tags, a
// local secrets directory, the real `sluice run` process, its /status and /metrics, and a tally
// that proves which tags arrived (lost, duplicated) from whatever the sink's consumer reads.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
export const cli = join(root, 'bin/sluice.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function workDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-${name}-`));
}

/** `sluice generate`: files × events logical lines (BENCHMARKS mix); returns the manifest. */
export function generate(
  dir: string,
  files: number,
  events: number,
): { files: Record<string, number>; lines: number } {
  const manifest = join(dir, 'manifest.json');
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'generate',
      '--dir',
      join(dir, 'logs'),
      '--files',
      String(files),
      '--events',
      String(events),
      '--manifest',
      manifest,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`generate failed: ${r.stderr}`);
  return JSON.parse(readFileSync(manifest, 'utf8'));
}

export function writeSecret(dir: string, ns: string, name: string, data: Record<string, string>): void {
  const d = join(dir, 'secrets', ns, name);
  mkdirSync(d, { recursive: true });
  for (const [k, v] of Object.entries(data)) writeFileSync(join(d, k), v);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a !== null && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Agent {
  proc: ChildProcess;
  port: number;
  exited: Promise<number>;
  stderr: () => string;
}

/** The real agent: `sluice run -f resources.yaml` over dir/logs with dir/secrets. */
export async function startAgent(
  dir: string,
  opts: { once?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Agent> {
  const port = await freePort();
  const args = [
    cli,
    'run',
    '-f',
    join(dir, 'resources.yaml'),
    '--logs',
    join(dir, 'logs'),
    '--data-dir',
    join(dir, 'data'),
    '--secrets-dir',
    join(dir, 'secrets'),
    '--http-port',
    String(port),
  ];
  if (opts.once) args.push('--once');
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    if (err.length > 4_000_000) err = err.slice(-2_000_000);
  });
  const exited = new Promise<number>((r) => proc.on('exit', (c, s) => r(c ?? (s === 'SIGKILL' ? 137 : 143))));
  return { proc, port, exited, stderr: () => err };
}

export interface OutputStatus {
  id: string;
  delivered: number;
  bufferedBytes: number;
  retrying: boolean;
  dropped: Record<string, number>;
  lastError?: string;
}

export async function status(a: Agent): Promise<OutputStatus[] | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${a.port}/status`);
    return ((await r.json()) as { outputs: OutputStatus[] }).outputs;
  } catch {
    return undefined;
  }
}

export async function metrics(a: Agent): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${a.port}/metrics`);
  return r.text();
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

const TAG = /SEQ:(f\d+):(\d+);/g;

/** Which generated tags arrived, how often. */
export class Tally {
  private readonly seen = new Map<string, Uint8Array>();
  delivered = 0;
  duplicates = 0;
  unknown = 0;
  constructor(manifest: Record<string, number>) {
    for (const [id, n] of Object.entries(manifest)) this.seen.set(id, new Uint8Array(n));
  }
  add(text: string): void {
    TAG.lastIndex = 0;
    for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
      const arr = this.seen.get(m[1]!);
      const n = Number(m[2]);
      if (arr === undefined || n >= arr.length) {
        this.unknown++;
        continue;
      }
      this.delivered++;
      if (arr[n]! > 0) this.duplicates++;
      if (arr[n]! < 255) arr[n]!++;
    }
  }
  get lost(): number {
    let n = 0;
    for (const arr of this.seen.values()) for (const v of arr) if (v === 0) n++;
    return n;
  }
  lostSample(max = 10): string[] {
    const out: string[] = [];
    for (const [id, arr] of this.seen)
      for (let i = 0; i < arr.length && out.length < max; i++) if (arr[i] === 0) out.push(`${id}:${i}`);
    return out;
  }
  get expected(): number {
    let n = 0;
    for (const arr of this.seen.values()) n += arr.length;
    return n;
  }
}
