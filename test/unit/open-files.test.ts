// Bounded open files (agent.maxOpenFiles): far more files being written than descriptors allowed,
// with rename and copytruncate rotations. Every line arrives, and the process never holds more
// log files open than the limit — counted in /proc/self/fd, not only in the agent's own gauge.
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import { config, tempDir } from './agent-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test's own writers' descriptors (this process writes the logs too): not the agent's. */
const writerFds = new Set<number>();

/** Descriptors of this process open on files under `dir`, the writers' left out. */
function openUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    if (writerFds.has(Number(fd))) continue;
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** Samples the open log files every few milliseconds; `stop()` returns the highest count seen. */
function sampleOpen(dir: string): { stop(): number } {
  let max = 0;
  const t = setInterval(() => {
    max = Math.max(max, openUnder(dir));
  }, 3);
  return {
    stop() {
      clearInterval(t);
      return Math.max(max, openUnder(dir));
    },
  };
}

class Writer {
  fd: number;
  seq = 0;
  rot = 0;
  readonly path: string;
  readonly id: string;
  constructor(id: string, dir: string) {
    this.id = id;
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, '0.log');
    this.fd = openSync(this.path, 'a');
    writerFds.add(this.fd);
  }
  write(n: number): void {
    let s = '';
    for (let i = 0; i < n; i++) {
      const ts = `2024-01-01T00:00:00.${String(this.seq).padStart(9, '0')}Z`;
      s += `${ts} stdout F SEQ:${this.id}:${this.seq++}; some text to make the line longer\n`;
    }
    writeSync(this.fd, s);
  }
  renameRotate(): void {
    this.close();
    renameSync(this.path, `${this.path}.${++this.rot}`);
    this.fd = openSync(this.path, 'a');
    writerFds.add(this.fd);
  }
  close(): void {
    closeSync(this.fd);
    writerFds.delete(this.fd);
  }
  copyTruncate(): void {
    copyFileSync(this.path, `${this.path}.${++this.rot}`);
    ftruncateSync(this.fd, 0);
  }
}

async function run(watch: boolean) {
  const root = tempDir();
  const logs = join(root, 'logs');
  const writers = Array.from(
    { length: 60 },
    (_, i) => new Writer(`f${i}`, join(logs, `ns_pod${i}_uid${i}`, 'c')),
  );
  for (const w of writers) w.write(5);
  const c = config(root, [{}], { pollIntervalMs: 200, rotateWaitMs: 300, maxOpenFiles: 8, watch });
  c.outputs[0].batch = { maxAgeMs: 20 };
  const stats = new AgentStats();
  const rt = new Runtime({ stats, log: () => {} });
  const sampler = sampleOpen(logs);
  await rt.apply(c, configHash(c));
  let x = 7;
  const rand = () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
  // ~3 s of writes to every file, with a rotation now and then.
  for (let step = 0; step < 60; step++) {
    for (const w of writers) w.write(1 + Math.floor(rand() * 8));
    const w = writers[Math.floor(rand() * writers.length)];
    const a = rand();
    if (a < 0.3) w.renameRotate();
    else if (a < 0.45) w.copyTruncate();
    await sleep(50);
  }
  const manifest = Object.fromEntries(writers.map((w) => [w.id, w.seq]));
  const out = join(root, 'out0.ndjson');
  let rep = verifyOutputs([out], manifest);
  for (let i = 0; i < 300 && rep.lost > 0; i++) {
    await sleep(100);
    rep = verifyOutputs([out], manifest);
  }
  const maxOpen = sampler.stop();
  await rt.shutdown(5000);
  for (const w of writers) w.close();
  return { rep, maxOpen, stats, written: Object.values(manifest).reduce((a, b) => a + b, 0) };
}

describe('bounded open files', () => {
  test.each([
    ['inotify', true],
    ['polling only', false],
  ])(
    '60 written files with rotations through maxOpenFiles 8 (%s): nothing lost, ≤ 8 open',
    async (_m, watch) => {
      const { rep, maxOpen, stats, written } = await run(watch);
      expect({ lost: rep.lost, sample: rep.lostSample }).toEqual({ lost: 0, sample: [] });
      expect(rep.delivered).toBeGreaterThanOrEqual(written);
      // The limit was reached (the test exercises parking) and never exceeded.
      expect(stats.openFilesPeak).toBe(8);
      expect(maxOpen).toBeGreaterThan(0);
      expect(maxOpen).toBeLessThanOrEqual(8);
    },
    90_000,
  );

  test('a file closed to make room and then rotated is found under its new name and read to its end', async () => {
    const root = tempDir();
    const logs = join(root, 'logs');
    const a = new Writer('f0', join(logs, 'ns_a_uid-a', 'c'));
    a.write(20);
    const c = config(root, [{}], { pollIntervalMs: 100, rotateWaitMs: 300, maxOpenFiles: 1, watch: false });
    c.outputs[0].batch = { maxAgeMs: 20 };
    const stats = new AgentStats();
    const rt = new Runtime({ stats, log: () => {} });
    await rt.apply(c, configHash(c));
    const out = join(root, 'out0.ndjson');
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 100 && !f(); i++) await sleep(50);
      expect(f()).toBe(true);
    };
    await until(() => verifyOutputs([out], { f0: a.seq }).lost === 0);
    // A second file takes the only slot: the first one's descriptor is closed (parked).
    const b = new Writer('f1', join(logs, 'ns_b_uid-b', 'c'));
    b.write(5);
    await until(() => verifyOutputs([out], { f0: a.seq, f1: b.seq }).lost === 0);
    expect(openUnder(join(logs, 'ns_a_uid-a'))).toBe(0);
    // Written and renamed away while it had no descriptor, then a new file at its name.
    a.write(30);
    a.renameRotate();
    a.write(10);
    await until(() => verifyOutputs([out], { f0: a.seq, f1: b.seq }).lost === 0);
    const rep = verifyOutputs([out], { f0: a.seq, f1: b.seq });
    await rt.shutdown(5000);
    a.close();
    b.close();
    expect({ lost: rep.lost, duplicates: rep.duplicates, outOfOrder: rep.outOfOrder }).toEqual({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect(stats.openFilesPeak).toBe(1);
  }, 60_000);
});
