import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';

process.env.SLUICE_TESTENV_RUN = mkdtempSync(join(tmpdir(), 'proc-test-'));
const { isRunning, members, startProcess, stopProcesses } = await import('../../env/proc.ts');

describe('server processes', () => {
  test('stopping a process group also ends what it forked, even a child that ignores SIGTERM', () => {
    const rec = startProcess('forker', 'sh', ['-c', 'sh -c \'trap "" TERM; sleep 60\' & sleep 60']);
    const deadline = Date.now() + 5000;
    while (members(rec).length < 3 && Date.now() < deadline)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    expect(members(rec).length).toBeGreaterThanOrEqual(3);
    expect(isRunning(rec)).toBe(true);
    stopProcesses([rec], 500);
    expect(members(rec)).toEqual([]);
    expect(isRunning(rec)).toBe(false);
  });

  test('a record whose pid was recycled is not signalled', () => {
    const rec = startProcess('sleeper', 'sleep', ['60']);
    const impostor = { ...rec, startTime: '1' };
    expect(isRunning(impostor)).toBe(false);
    expect(members(impostor)).toEqual([]);
    stopProcesses([rec], 500);
  });
});
