// Shared by the sink integration tests: a case directory with generated CRI logs and a manifest of
// sequence tags, a local secrets directory, the resources file (one output, one pipeline sending
// to it), the real `sluice run` process, its /status and /metrics, and a tally that proves which
// tags arrived (lost, duplicated) from whatever the sink's consumer reads.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopComponentProcess } from '../../env/index.ts';

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

/** Which tags arrived, from whatever the sink's consumer reads (the checker's own tally). */
export { Tally } from '../../../agent/src/loadgen/verify.ts';

/**
 * The outage tests' shape: once `minDelivered` records are out, stop the environment's process
 * `component` for `ms` and take the output's status during the outage; start the process again
 * (always, even when reading the status fails) and wait until it is `healthy`, then until the agent
 * delivered `expected` records and its buffer is empty. Returns the status seen during the outage.
 */
export async function outageMidRun(
  agent: Agent,
  o: {
    component: string;
    ms: number;
    healthy: () => Promise<boolean>;
    healthyTimeoutMs: number;
    expected: number;
    drainTimeoutMs: number;
    minDelivered?: number;
  },
): Promise<OutputStatus> {
  await waitFor(
    'some records delivered',
    async () => ((await status(agent))?.[0]?.delivered ?? 0) > (o.minDelivered ?? 15_000),
    120_000,
  );
  const stopped = stopComponentProcess(o.component);
  let during: OutputStatus;
  try {
    await sleep(o.ms);
    during = (await status(agent))![0]!;
  } finally {
    stopped.start();
  }
  await waitFor(`${o.component} back`, o.healthy, o.healthyTimeoutMs);
  await waitFor(
    'everything delivered',
    async () => {
      const s = (await status(agent))?.[0];
      return s !== undefined && s.delivered >= o.expected && s.bufferedBytes === 0;
    },
    o.drainTimeoutMs,
  );
  return during;
}

/** Waits until an output of the agent reports a last error containing `text`; returns its status. */
export function untilOutputError(agent: Agent, text: string, timeoutMs = 60_000): Promise<OutputStatus> {
  return waitFor(
    `an error with '${text}' in /status`,
    async () => (await status(agent))?.find((o) => o.lastError?.includes(text)),
    timeoutMs,
  );
}
