// A lock file per install step (and one per run directory for up/down), so two processes that
// race — two terminals, or jest and a person — do the work once: the loser waits, then finds it
// done. The file holds the owner's pid and kernel start time; a lock whose owner is gone (or is a
// zombie its parent has not reaped yet, or whose pid now belongs to another process) is stale and
// taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** `<pid> <start time>`, or undefined when there is no such live (non-zombie) process. */
function identity(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' ? undefined : `${pid} ${f[19]}`;
  } catch {
    return undefined;
  }
}

const me = identity(process.pid) ?? String(process.pid);

function tryAcquire(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, me);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let owner = '';
  try {
    owner = readFileSync(path, 'utf8').trim();
  } catch {
    return false; // released between our open and read: try again
  }
  // An empty file is an owner between open and write; give it a moment rather than stealing.
  const pid = Number.parseInt(owner, 10);
  if (Number.isInteger(pid) && owner !== me) {
    const now = identity(pid);
    const sameProcess = now !== undefined && (owner.includes(' ') ? now === owner : true);
    if (!sameProcess) rmSync(path, { force: true });
  }
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
