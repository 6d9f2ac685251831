// Debian packages the environment needs (the real node's containerd, runc and CNI plugins; the
// image builder's buildah and mmdebstrap), installed with apt-get like on any Debian machine. Only
// the packages that are missing are installed; `apt-get update` runs at most once per process and
// only when something is missing. Installing needs root, as the real node does anyway.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { exec } from '../exec.ts';
import { withLock } from '../lock.ts';
import { buildLog } from './once.ts';

let updated = false;

/** The packages of `names` that dpkg does not report as installed. */
export function missingPackages(names: readonly string[]): string[] {
  return names.filter((n) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format syntax, not JS
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', n], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export async function ensureDebianPackages(
  names: readonly string[],
  say: (msg: string) => void,
): Promise<void> {
  if (missingPackages(names).length === 0) return;
  await withLock(join(cacheDir(), 'locks', 'apt.lock'), async () => {
    const missing = missingPackages(names);
    if (missing.length === 0) return;
    if (process.getuid?.() !== 0)
      throw new Error(
        `Debian packages missing: ${missing.join(' ')} (run as root, or: apt-get install ${missing.join(' ')})`,
      );
    const log = buildLog('debian', 'packages');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    say(`apt-get install ${missing.join(' ')} (log: ${log})`);
    if (!updated) {
      await exec('apt-get', ['update'], { log, env });
      updated = true;
    }
    await exec('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { log, env });
  });
}
