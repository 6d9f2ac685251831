import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { withLock } from '../../../tools/lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));

describe('install lock', () => {
  test('serializes two holders of the same lock', async () => {
    const path = join(dir, 'a.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withLock(path, async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 100));
        events.push(`${name}-`);
      });
    await Promise.all([hold('one'), hold('two')]);
    expect(events).toEqual(['one+', 'one-', 'two+', 'two-']);
    expect(existsSync(path)).toBe(false);
  });

  test('takes over a lock whose owner died', async () => {
    const path = join(dir, 'stale.lock');
    writeFileSync(path, '999999999'); // no such pid
    await expect(withLock(path, async () => 'got it')).resolves.toBe('got it');
  });
});
