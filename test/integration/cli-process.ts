// What the two tests of the agents behind the apiserver (agent-endpoints-kube, tap-kube) share:
// the pinned node that runs bin/sluice.js, a CLI run with its output captured, and the address
// the apiserver can proxy to.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');
export const sluiceJs = join(root, 'bin/sluice.js');
const pinned = join(root, 'node_modules/.bin/node');
export const node = existsSync(pinned) ? pinned : process.execPath;

/** `sluice ARGS` with extra environment; resolves with its exit code and output. */
export function sluice(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawn(node, [sluiceJs, ...args], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out, err })));
}

/** A non-loopback IPv4 of this machine: the apiserver proxies only to non-loopback pod IPs. */
export const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
