// Shared by the sink integration tests: a case directory with generated CRI logs and a manifest of
// sequence tags, a local secrets directory, the resources file (one output, one pipeline sending
// to it), the real `sluice run` process, its /status and /metrics, and a tally that proves which
// tags arrived (lost, duplicated) from whatever the sink's consumer reads.
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

/** A case: its directory with `files` generated logs of `events` lines each, and their manifest. */
export function prepare(
  name: string,
  files: number,
  events: number,
): { dir: string; m: ReturnType<typeof generate> } {
  const dir = workDir(name);
  return { dir, m: generate(dir, files, events) };
}

/** Container log files written as given (CRI lines), under dir/logs like the kubelet's. */
export function writeLogs(dir: string, files: { namespace: string; pod: string; lines: string[] }[]): void {
  for (const f of files) {
    const d = join(dir, 'logs', `${f.namespace}_${f.pod}_uid-${f.pod}`, 'app');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, '0.log'), `${f.lines.join('\n')}\n`);
  }
}

/**
 * dir/resources.yaml: the output `name` in namespace bench (its spec body given as YAML lines
 * indented by two spaces: the sink block, retry, buffer...) and a pipeline `app` sending to it.
 * With `cluster`, a ClusterLogOutput and a ClusterLogPipeline over the `namespaces` given.
 * `extra`: further documents (a dead-letter output).
 */
export function writeResources(
  dir: string,
  name: string,
  spec: string,
  opts: { cluster?: { namespaces: string[] }; extra?: string } = {},
): void {
  const c = opts.cluster;
  const output = c
    ? `kind: ClusterLogOutput\nmetadata: {name: ${name}}`
    : `kind: LogOutput\nmetadata: {name: ${name}, namespace: bench}`;
  const pipeline = c
    ? `kind: ClusterLogPipeline
metadata: {name: app}
spec:
  input: {namespaces: {include: [${c.namespaces.join(', ')}]}}
  outputs: [{name: ${name}, kind: ClusterLogOutput}]`
    : `kind: LogPipeline
metadata: {name: app, namespace: bench}
spec:
  outputs: [{name: ${name}}]`;
  writeFileSync(
    join(dir, 'resources.yaml'),
    `apiVersion: sluice.dev/v1alpha1
${output}
spec:
${spec.replace(/\n*$/, '')}
---
apiVersion: sluice.dev/v1alpha1
${pipeline}
${opts.extra === undefined ? '' : `---\n${opts.extra}`}`,
  );
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
