// A checkpoints.json that cannot be used is logged, counted, set aside and replaced; never swallowed.
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { type CheckpointLoadFailure, CheckpointStore } from './store.ts';

function start(dir: string) {
  const logs: { level: string; msg: string; extra?: Record<string, unknown> }[] = [];
  const failures: CheckpointLoadFailure[] = [];
  const store = new CheckpointStore(dir, {
    log: (level, msg, extra) => logs.push({ level, msg, extra: extra as Record<string, unknown> }),
    loadFailed: (r) => failures.push(r),
  });
  return { store, logs, failures };
}

const cp = (offset: number) => ({
  pipeline: 'LogPipeline/shop/checkout',
  path: '/var/log/pods/a/c/0.log',
  dev: 1,
  ino: 2,
  fpLen: 0,
  fpCrc: 0,
  offset,
  updated: 0,
});

describe('CheckpointStore', () => {
  test('a saved store loads back, without failures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cp-'));
    const a = start(dir);
    a.store.set(cp(42));
    await a.store.flush();
    const b = start(dir);
    expect(b.store.get('LogPipeline/shop/checkout', 1, 2)?.offset).toBe(42);
    expect(b.store.previousSave).toBeGreaterThan(0);
    expect(b.failures).toEqual([]);
    expect(b.logs).toEqual([]);
  });

  test.each([
    ['torn JSON', (good: string) => good.slice(0, good.length / 2), /not valid JSON/],
    ['wrong shape', () => '{"version":1,"savedAt":1,"checkpoints":{}}', /"checkpoints" is not an array/],
    ['bad entry', () => '{"version":1,"savedAt":1,"checkpoints":[{"pipeline":7}]}', /checkpoints\[0\]/],
    [
      'zeros (a crash on a filesystem without ordered data)',
      (good: string) => '\0'.repeat(good.length),
      /JSON/,
    ],
  ])('%s: logged with path and problem, counted, set aside, nothing loaded', async (_n, damage, problem) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cp-'));
    const a = start(dir);
    a.store.set(cp(42));
    await a.store.flush();
    const file = join(dir, 'checkpoints.json');
    const bad = damage(readFileSync(file, 'utf8'));
    writeFileSync(file, bad);
    const written = new Date('2030-01-02T03:04:05Z');
    utimesSync(file, written, written);

    const b = start(dir);
    expect(b.failures).toEqual(['corrupt']);
    expect(b.store.entries.size).toBe(0);
    expect(b.logs).toHaveLength(1);
    expect(b.logs[0].level).toBe('error');
    expect(b.logs[0].extra?.code).toBe('SLUICE_ERR_CHECKPOINT_CORRUPT');
    expect(b.logs[0].extra?.path).toBe(file);
    expect(String(b.logs[0].extra?.problem)).toMatch(problem);
    // kept aside, byte for byte, for inspection
    const aside = readdirSync(dir).filter((n) => n.startsWith('checkpoints.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(b.store.setAside).toBe(join(dir, aside[0]));
    expect(readFileSync(join(dir, aside[0]), 'utf8')).toBe(bad);
    // rotated files changed after the damaged file was last written count as unseen (read)
    expect(b.store.previousSave).toBe(written.getTime());

    // the next save writes a good file, and a restart after it is clean
    b.store.set(cp(7));
    await b.store.flush();
    const c = start(dir);
    expect(c.failures).toEqual([]);
    expect(c.store.get('LogPipeline/shop/checkout', 1, 2)?.offset).toBe(7);
  });

  test('no file yet: nothing to report', () => {
    const s = start(mkdtempSync(join(tmpdir(), 'sluice-cp-')));
    expect(s.failures).toEqual([]);
    expect(s.logs).toEqual([]);
    expect(s.store.previousSave).toBe(0);
  });
});
