// Where a running environment lives: everything it writes goes to a run directory under the
// system temp dir, so an unprivileged OpenSearch can reach it (the install cache, tools/cache.ts,
// sits under root's 0700 home).
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cacheDir } from '../../tools/cache.ts';

/** The repository root (test/env/ is two levels down). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * One run directory per checkout and cache directory: two checkouts on one machine (or a cold-cache
 * run beside a warm one) each get their own environment, and one's `down` never stops the other's.
 */
export function runDir(): string {
  if (process.env.SLUICE_TESTENV_RUN) return resolve(process.env.SLUICE_TESTENV_RUN);
  const tag = createHash('sha256').update(`${cacheDir()}\0${repoRoot}`).digest('hex').slice(0, 8);
  return join(tmpdir(), `sluice-testenv-${tag}`);
}

export function statePath(): string {
  return join(runDir(), 'state.json');
}

export function logPath(name: string): string {
  return join(runDir(), 'logs', `${name}.log`);
}
