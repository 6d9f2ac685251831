// A lock file per install step, so two processes (two terminals, or jest and a person) that race
// to install the same component build it once: the loser waits, then finds it installed.
// The file holds the owner's pid; a lock whose owner died is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let owner = Number.NaN;
  try {
    owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return false; // released between our open and read: try again
  }
  // An empty file is an owner between open and write; give it a moment rather than stealing.
  if (Number.isInteger(owner) && owner !== process.pid && !alive(owner)) rmSync(path, { force: true });
  return false;
}

export async function withLock<T>(path: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  let waited = false;
  while (!tryAcquire(path)) {
    if (!waited) onWait?.();
    waited = true;
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
