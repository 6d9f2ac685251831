// inotify with a polling fallback: with watching on, appends to followed container logs and host
// files and new files are noticed through inotify (the poll interval here is a minute, so the poll
// cannot be what finds them); when watching cannot be set up or breaks (ENOSPC from exhausted
// fs.inotify.max_user_watches, injected), the agent says so once, counts it, and keeps delivering
// by polling.
import type { EventEmitter } from 'node:events';
import { appendFileSync, type FSWatcher, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ErrorCode } from '../../agent/src/ops/catalogue.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { fsWatch, type WatchFn } from '../../agent/src/sources/files/watch.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import { config, readOut, T, tempDir, writeLog } from './agent-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(f: () => boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!f() && Date.now() - start < ms) await sleep(10);
  expect(f()).toBe(true);
  return Date.now() - start;
}

const messages = (root: string) => readOut(root).map((r) => String(r.message));

function enospc(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('ENOSPC: System limit for number of file watchers reached');
  e.code = 'ENOSPC';
  return e;
}

function setup(pollIntervalMs: number, watchFn?: WatchFn, watch = true) {
  const root = tempDir();
  const file = writeLog(root, 'shop', 'web', 'app', `${T} stdout F first\n`);
  mkdirSync(join(root, 'host/var/log'), { recursive: true });
  const syslog = join(root, 'host/var/log/syslog');
  writeFileSync(syslog, 'boot\n');
  const c = config(root, [{ input: { hostFiles: { paths: ['/var/log/syslog'] } } }], {
    pollIntervalMs,
    rotateWaitMs: 300,
    hostRoot: join(root, 'host'),
    watch,
  });
  c.outputs[0].batch = { maxAgeMs: 10 };
  const logs: { level: string; msg: string; extra?: Record<string, unknown> }[] = [];
  const stats = new AgentStats();
  const rt = new Runtime({
    stats,
    log: (level, msg, extra) => logs.push({ level, msg, extra: extra as Record<string, unknown> }),
    watchFn,
  });
  return { root, file, syslog, c, rt, stats, logs };
}

describe('file watching', () => {
  test('inotify: appends to container logs and host files, and new files, are noticed without polling', async () => {
    const { root, file, syslog, c, rt, stats } = setup(60_000);
    await rt.apply(c, configHash(c));
    await until(() => messages(root).includes('first') && messages(root).includes('boot'), 5000);
    expect(stats.watching()).toBe(true);
    appendFileSync(file, `${T} stdout F second\n`);
    const container = await until(() => messages(root).includes('second'), 3000);
    appendFileSync(syslog, 'sshd: accepted\n');
    const host = await until(() => messages(root).includes('sshd: accepted'), 3000);
    writeLog(root, 'shop', 'api', 'app', `${T} stdout F new pod\n`);
    const created = await until(() => messages(root).includes('new pod'), 3000);
    await rt.shutdown(5000);
    // Far below the 60 s poll interval: the watch delivered them.
    expect(Math.max(container, host, created)).toBeLessThan(3000);
    expect(stats.watchFailures).toBe(0);
  }, 30_000);

  test('watch setup fails (ENOSPC): logged once, counted, files followed by polling', async () => {
    let calls = 0;
    const failing: WatchFn = () => {
      calls++;
      throw enospc();
    };
    const { root, file, syslog, c, rt, stats, logs } = setup(100, failing);
    await rt.apply(c, configHash(c));
    await until(() => messages(root).includes('first') && messages(root).includes('boot'), 5000);
    appendFileSync(file, `${T} stdout F second\n`);
    appendFileSync(syslog, 'sshd: accepted\n');
    writeLog(root, 'shop', 'api', 'app', `${T} stdout F new pod\n`);
    await until(() => ['second', 'sshd: accepted', 'new pod'].every((m) => messages(root).includes(m)), 5000);
    await sleep(300); // several more scans: no retry storm, no second log line
    await rt.shutdown(5000);
    expect(calls).toBe(1);
    expect(stats.watchFailures).toBe(1);
    expect(stats.watching()).toBe(false);
    const warned = logs.filter((l) => l.extra?.code === ErrorCode.fileWatch);
    expect(warned).toHaveLength(1);
    expect(warned[0].msg).toContain('ENOSPC');
    expect(String(warned[0].extra?.hint)).toContain('fs.inotify.max_user_watches');
  }, 30_000);

  test('a watch that breaks later (error event) falls back to polling', async () => {
    const watchers: EventEmitter[] = [];
    const breaking: WatchFn = (dir, listener) => {
      const w = fsWatch(dir, listener);
      watchers.push(w);
      return w;
    };
    const { root, file, c, rt, stats, logs } = setup(100, breaking);
    await rt.apply(c, configHash(c));
    await until(() => messages(root).includes('first'), 5000);
    expect(stats.watching()).toBe(true);
    expect(watchers.length).toBeGreaterThan(1);
    (watchers[0] as FSWatcher).emit('error', enospc());
    expect(stats.watching()).toBe(false);
    appendFileSync(file, `${T} stdout F after the watch broke\n`);
    await until(() => messages(root).includes('after the watch broke'), 5000);
    await rt.shutdown(5000);
    expect(stats.watchFailures).toBe(1);
    expect(logs.filter((l) => l.extra?.code === ErrorCode.fileWatch)).toHaveLength(1);
  }, 30_000);

  test('watch: false polls only (no watcher is set up)', async () => {
    let calls = 0;
    const counting: WatchFn = (dir, listener) => {
      calls++;
      return fsWatch(dir, listener);
    };
    const { root, file, c, rt, stats } = setup(100, counting, false);
    await rt.apply(c, configHash(c));
    await until(() => messages(root).includes('first'), 5000);
    appendFileSync(file, `${T} stdout F polled\n`);
    await until(() => messages(root).includes('polled'), 5000);
    await rt.shutdown(5000);
    expect(calls).toBe(0);
    expect(stats.watching()).toBe(false);
    expect(stats.watchFailures).toBe(0);
  }, 30_000);
});
