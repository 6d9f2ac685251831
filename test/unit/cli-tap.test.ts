// `sluice run` + `sluice tap --agent` as users run them: two spawned processes over live log files.
// The tap shows records of the named pipeline only, after its redaction, and stops at --limit;
// an unknown pipeline and a malformed one are clear errors with exit codes 1 and 2. The CLI
// respects its stdout's backpressure (a stalled reader costs it no memory; the agent drops and
// counts) and a reader that goes away (`| head`) ends it quietly.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '../..');
const pinned = join(root, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;

function sluice(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawn(node, [join(root, 'bin/sluice.js'), ...args], { cwd: root });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out, err })));
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const resources = `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: local, namespace: shop}
spec: {file: {path: shop.ndjson}}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: checkout, namespace: shop}
spec:
  filters: [{redact: {fields: [password]}}]
  outputs: [{name: local}]
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: local, namespace: other}
spec: {file: {path: other.ndjson}}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: web, namespace: other}
spec:
  outputs: [{name: local}]
`;

let agent: ChildProcess | undefined;
let writer: NodeJS.Timeout | undefined;
let agentErr = '';
let url = '';
let files: string[] = [];
let n = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tap-'));
  writeFileSync(join(dir, 'r.yaml'), resources);
  const logs = join(dir, 'logs');
  files = ['shop_cart-1_uid-1', 'other_web-1_uid-2'].map((p) => {
    mkdirSync(join(logs, p, 'app'), { recursive: true });
    const f = join(logs, p, 'app', '0.log');
    writeFileSync(f, '');
    return f;
  });
  writer = setInterval(() => {
    for (let i = 0; i < 20; i++, n++) {
      const t = new Date().toISOString();
      appendFileSync(files[0], `${t} stdout F {"n":${n},"password":"hunter2","ns":"shop"}\n`);
      appendFileSync(files[1], `${t} stdout F {"n":${n},"ns":"other"}\n`);
    }
  }, 50);
  const port = await freePort();
  agent = spawn(
    node,
    [
      join(root, 'bin/sluice.js'),
      'run',
      '-f',
      join(dir, 'r.yaml'),
      '--logs',
      logs,
      '--data-dir',
      join(dir, 'data'),
      '--http-port',
      String(port),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  agent.stderr?.on('data', (d) => {
    agentErr += d;
  });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);

afterAll(() => {
  clearInterval(writer);
  agent?.kill('SIGTERM');
});

describe('sluice tap against sluice run', () => {
  test('live records of the right pipeline only, redacted, stopping at --limit', async () => {
    const r = await sluice(['tap', '--agent', url, 'shop/checkout', '--limit', '7']);
    expect([r.code, r.err]).toEqual([0, '']);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const l of lines) {
      const rec = JSON.parse(l) as Record<string, unknown>;
      expect(rec.ns).toBe('shop');
      expect(rec.password).not.toBe('hunter2');
      expect(l).not.toContain('hunter2');
    }
    // Live: the records follow each other as written.
    const ns = lines.map((l) => (JSON.parse(l) as { n: number }).n);
    expect(ns).toEqual([...ns].sort((a, b) => a - b));

    const other = await sluice([
      'tap',
      '--agent',
      url,
      'LogPipeline/other/web',
      '--limit',
      '3',
      '--sample',
      '2',
    ]);
    expect(other.code).toBe(0);
    const o = other.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ns: string; n: number });
    expect(o.map((x) => x.ns)).toEqual(['other', 'other', 'other']);

    const missing = await sluice(['tap', '--agent', url, 'shop/nope', '--limit', '1']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('pipeline LogPipeline/shop/nope not found on any agent');

    const bad = await sluice(['tap', '--agent', url, 'nope']);
    expect(bad.code).toBe(2);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_tap_records_sent_total\{pipeline="LogPipeline\/shop\/checkout"\} \d+/);
    expect(metrics).toContain('sluice_tap_requests_total{outcome="not_found"} 1');
    expect(metrics).toContain('sluice_tap_subscribers 0');
    expect(agentErr).not.toContain('"level":50');
  }, 60_000);

  test('a reader that goes away (`| head -n 3`) ends the tap with status 0 and no message', async () => {
    const p = spawn(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" "$1" tap --agent "$2" --raw shop/checkout | head -n 3',
        node,
        join(root, 'bin/sluice.js'),
        url,
      ],
      { cwd: root },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => p.on('close', resolve));
    expect([code, err]).toEqual([0, '']);
    expect(out.trim().split('\n')).toHaveLength(3);
  }, 60_000);

  // Without backpressure the CLI buffered in stdout all it read while its reader stalled (its
  // memory grew with the traffic); with it the agent drops and counts what this reader misses.
  test('a stalled reader keeps the CLI memory bounded and is told how many records it missed', async () => {
    const rss = (pid: number) =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
    const droppedNow = async () => {
      const m = await (await fetch(`${url}/metrics`)).text();
      const v =
        /sluice_tap_records_dropped_total\{[^}]*pipeline="LogPipeline\/shop\/checkout"[^}]*\} (\d+)/.exec(m);
      return Number(v?.[1] ?? 0);
    };
    const p = spawn(node, [join(root, 'bin/sluice.js'), 'tap', '--agent', url, '--raw', 'shop/checkout'], {
      cwd: root,
    });
    p.stdout.pause(); // the reader stalls: nothing is read from the pipe
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const base = rss(p.pid!);
    const dropped0 = await droppedNow();
    // Bulk traffic on the tapped pipeline: 80 MiB of 4 KiB records, as fast as the agent takes
    // them, then until the agent has offered most of them to the stalled tap.
    const pad = 'x'.repeat(4000);
    let bulk = 0;
    let peak = base;
    const sample = () => {
      peak = Math.max(peak, rss(p.pid!));
    };
    const t0 = Date.now();
    while (bulk * pad.length < 80 * 2 ** 20 && Date.now() - t0 < 30_000) {
      const t = new Date().toISOString();
      let chunk = '';
      for (let i = 0; i < 100; i++, bulk++)
        chunk += `${t} stdout F {"bulk":${bulk},"ns":"shop","pad":"${pad}"}\n`;
      appendFileSync(files[0], chunk);
      sample();
      await new Promise((r) => setTimeout(r, 20));
    }
    let dropped = 0;
    for (let i = 0; i < 150 && dropped < bulk / 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sample();
      dropped = (await droppedNow()) - dropped0;
    }

    let read = 0;
    p.stdout.on('data', (d: Buffer) => {
      read += d.length;
    });
    p.stdout.resume();
    for (let i = 0; i < 100 && !/missed \d+ records/.test(err); i++)
      await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGINT');
    const code = await new Promise((resolve) => p.on('close', resolve));

    // 80 MiB passed the tap while its reader stalled: the CLI's memory did not grow with it, the
    // agent dropped and counted instead...
    expect(peak - base).toBeLessThan(32 * 2 ** 20);
    expect(dropped).toBeGreaterThanOrEqual(bulk / 2);
    // ...and the reader is told what it missed.
    expect(code).toBe(0);
    expect(err).toMatch(/missed \d+ records \(this reader was too slow\)/);
    expect(read).toBeGreaterThan(0);
  }, 60_000);
});
