// The node's private mount namespace: containerd, its shims, every container and the kubelet live in
// one mount namespace (`unshare -m --propagation private`, held open by a small holder process) in
// which the paths a node owns are the run's own directories:
//   /var/log           → <node>/var-log          (pods' logs: /var/log/pods, /var/log/containers)
//   /var/lib/kubelet   → <node>/var-lib-kubelet  (a shared mount, so volumes the kubelet mounts later reach containers)
//   /var/lib/sluice    → <node>/var-lib-sluice   (the agent's hostPath data directory)
//   /var/lib, /run     → overlays with the upper layer in <node>/ns (mount points and stray writes,
//                        e.g. containerd 1.6's hard-coded /run/containerd/s shim sockets, land there)
// so the chart's default hostPaths work as on a real node while the machine's /var/log is never
// touched. The kubelet writes a few global sysctls at start; files holding the values it wants are
// bound over those /proc/sys entries here, so it finds nothing to change. Nothing propagates back
// to the host: when the last process of the namespace ends, every mount in it goes too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcRecord, startProcess } from '../proc.ts';

/** The values the kubelet sets (pkg/kubelet/cm: setupKernelTunables) */
const KUBELET_SYSCTLS: Record<string, string> = {
  'vm/overcommit_memory': '1',
  'vm/panic_on_oom': '0',
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'kernel/keys/root_maxkeys': '1000000',
  'kernel/keys/root_maxbytes': '25000000',
};

export interface NodeDirs {
  varLog: string;
  varLibKubelet: string;
  varLibSluice: string;
}

export function nodeDirs(nodeDir: string): NodeDirs {
  return {
    varLog: join(nodeDir, 'var-log'),
    varLibKubelet: join(nodeDir, 'var-lib-kubelet'),
    varLibSluice: join(nodeDir, 'var-lib-sluice'),
  };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function script(nodeDir: string, ready: string): string {
  const d = nodeDirs(nodeDir);
  const ns = join(nodeDir, 'ns');
  const lines = ['set -eu'];
  for (const top of ['var-lib', 'run']) {
    const target = top === 'run' ? '/run' : '/var/lib';
    lines.push(
      `mount -t overlay overlay -o lowerdir=${target},upperdir=${q(join(ns, `${top}-upper`))},workdir=${q(join(ns, `${top}-work`))} ${target}`,
    );
  }
  lines.push(
    'mkdir -p /var/lib/kubelet /var/lib/sluice /run/containerd',
    `mount --bind ${q(d.varLog)} /var/log`,
    `mount --bind ${q(d.varLibKubelet)} /var/lib/kubelet`,
    'mount --make-shared /var/lib/kubelet',
    `mount --bind ${q(d.varLibSluice)} /var/lib/sluice`,
  );
  for (const key of Object.keys(KUBELET_SYSCTLS))
    lines.push(`mount --bind ${q(join(ns, 'sysctl', key.replace(/\//g, '.')))} /proc/sys/${key}`);
  lines.push(`touch ${q(ready)}`, 'exec sleep infinity');
  return `${lines.join('\n')}\n`;
}

/**
 * Starts the holder of the namespace; resolves its record once every mount is in place (the script
 * writes `ready` last, after `set -e` let every mount succeed).
 */
export function startNamespace(nodeDir: string): { holder: ProcRecord; ready: string } {
  const d = nodeDirs(nodeDir);
  const ns = join(nodeDir, 'ns');
  for (const dir of [...Object.values(d), join(ns, 'sysctl')]) mkdirSync(dir, { recursive: true });
  for (const top of ['var-lib', 'run'])
    for (const l of ['upper', 'work']) mkdirSync(join(ns, `${top}-${l}`), { recursive: true });
  for (const [key, value] of Object.entries(KUBELET_SYSCTLS))
    writeFileSync(join(ns, 'sysctl', key.replace(/\//g, '.')), `${value}\n`);
  const ready = join(ns, 'ready');
  const file = join(ns, 'setup.sh');
  writeFileSync(file, script(nodeDir, ready));
  const holder = startProcess('node-namespace', 'unshare', [
    '--mount',
    '--propagation',
    'private',
    'sh',
    file,
  ]);
  return { holder, ready };
}

/** A command run inside the node's namespace (nsenter execs it: the pid recorded is the program's). */
export function inNamespace(holderPid: number, cmd: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--mount=/proc/${holderPid}/ns/mnt`, '--', cmd, ...args]];
}

/** Mount points of this (host) namespace under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const decode = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => decode(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Unmounts whatever is mounted under `dir` in the host's namespace, deepest first. Normally there is
 * nothing (every mount of the node lives in its private namespace); this is the safety net before
 * the run directory is deleted, so `rm -r` never walks into a mounted file system.
 */
export function unmountUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {}
    }
  }
  return mountsUnder(dir);
}
