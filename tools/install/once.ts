// Install steps are idempotent, resumable and race-safe: each component builds into a staging
// directory under a per-component lock, and only a complete build is renamed to its final name.
// A crash leaves a stale staging dir (wiped on the next try) while the Go module and Maven caches
// keep whatever was already downloaded, so the next attempt resumes rather than starts over.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { withLock } from '../lock.ts';

export function installDir(name: string, version: string): string {
  return join(cacheDir(), 'pkg', `${name}-${version}`);
}

export function buildLog(name: string, version: string): string {
  return join(cacheDir(), 'logs', `install-${name}-${version}.log`);
}

export async function installOnce(
  name: string,
  version: string,
  build: (staging: string) => Promise<void>,
  say: (msg: string) => void = () => {},
): Promise<string> {
  const dir = installDir(name, version);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  return withLock(
    join(cacheDir(), 'locks', `${name}-${version}.lock`),
    async () => {
      if (existsSync(done)) return dir;
      const staging = `${dir}.partial`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      const t0 = Date.now();
      say(`installing ${name} ${version} (log: ${buildLog(name, version)})`);
      await build(staging);
      writeFileSync(join(staging, '.complete'), `${new Date().toISOString()} ${Date.now() - t0}ms\n`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      say(`installed ${name} ${version} in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
      return dir;
    },
    () => say(`waiting for another process installing ${name} ${version}`),
  );
}
