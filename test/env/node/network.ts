// The pods' network: a Linux bridge made before containerd starts (the CNI bridge plugin then finds
// it with its address), and a nat chain that gives pods the two addresses they need without a
// kube-proxy: 10.96.0.1:443 (the `kubernetes` Service) is the apiserver, and 10.96.0.2:<port> is
// 127.0.0.1:<port>, where every other test server listens. DNAT to loopback needs route_localnet on
// the bridge. Everything is named per run (host.ts) and matched on the bridge, so another run's node
// on the same machine is left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gateway, type NodeHost } from './host.ts';

export const API_SERVICE_IP = '10.96.0.1';
export const HOST_SERVICES_IP = '10.96.0.2';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const tryRun = (cmd: string, args: string[]) => {
  try {
    run(cmd, args);
  } catch {}
};

export function createNetwork(h: NodeHost, apiPort: number): void {
  run('ip', ['link', 'add', h.bridge, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${gateway(h.subnet)}/24`, 'dev', h.bridge]);
  run('ip', ['link', 'set', h.bridge, 'up']);
  writeFileSync(`/proc/sys/net/ipv4/conf/${h.bridge}/route_localnet`, '1');
  const nat = (...args: string[]) => run('iptables', ['-w', '-t', 'nat', ...args]);
  nat('-N', h.chain);
  const comment = ['-m', 'comment', '--comment', `sluice test env node ${h.id}`];
  nat(
    '-A',
    h.chain,
    '-d',
    `${API_SERVICE_IP}/32`,
    '-p',
    'tcp',
    '--dport',
    '443',
    ...comment,
    '-j',
    'DNAT',
    '--to-destination',
    `127.0.0.1:${apiPort}`,
  );
  nat(
    '-A',
    h.chain,
    '-d',
    `${HOST_SERVICES_IP}/32`,
    '-p',
    'tcp',
    ...comment,
    '-j',
    'DNAT',
    '--to-destination',
    '127.0.0.1',
  );
  nat('-A', 'PREROUTING', '-i', h.bridge, ...comment, '-j', h.chain);
}

/** Undoes createNetwork and restores ip_forward; each step tolerates what is already gone. */
export function removeNetwork(h: NodeHost): void {
  const comment = ['-m', 'comment', '--comment', `sluice test env node ${h.id}`];
  tryRun('iptables', ['-w', '-t', 'nat', '-D', 'PREROUTING', '-i', h.bridge, ...comment, '-j', h.chain]);
  tryRun('iptables', ['-w', '-t', 'nat', '-F', h.chain]);
  tryRun('iptables', ['-w', '-t', 'nat', '-X', h.chain]);
  // veths of pods whose network namespace is gone have gone with it; one still attached would go
  // with its namespace when the last process holding it ends
  if (existsSync(`/sys/class/net/${h.bridge}`)) tryRun('ip', ['link', 'del', h.bridge]);
  if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== h.ipForward)
    writeFileSync('/proc/sys/net/ipv4/ip_forward', h.ipForward);
}

/** What of this node's network is still there (for check-clean). */
export function networkLeftovers(h: Pick<NodeHost, 'bridge' | 'chain' | 'id'>): string[] {
  const out: string[] = [];
  if (existsSync(`/sys/class/net/${h.bridge}`)) out.push(`bridge ${h.bridge} still exists`);
  let rules = '';
  try {
    rules = run('iptables', ['-w', '-t', 'nat', '-S']);
  } catch {}
  for (const l of rules.split('\n'))
    if (l.includes(h.chain) || l.includes(`node ${h.id}`)) out.push(`iptables nat rule: ${l}`);
  return out;
}
