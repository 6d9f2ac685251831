// What the real node changes outside its processes (a cgroup root, a bridge, an iptables chain, a
// sysctl), named once per run and written to the state file before any of it is made, so `down` can
// undo all of it from the state file alone, even after the runner was killed halfway through `up`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface NodeHost {
  /** short random id of this run's node: part of every name below */
  id: string;
  /** the node's directory under the run directory */
  dir: string;
  /** the Linux bridge the CNI bridge plugin attaches pods to, and its /24 */
  bridge: string;
  subnet: string;
  /** nat-table chain holding the DNAT rules, jumped to from PREROUTING for the bridge only */
  chain: string;
  /** cgroup (relative to each hierarchy's root) the kubelet puts every pod under */
  cgroupRoot: string;
  /** containerd's socket: the shims of this node carry it in their arguments */
  containerdSocket: string;
  /** net.ipv4.ip_forward before the node started (the CNI bridge plugin turns it on) */
  ipForward: string;
}

/** Names for a new node: random per run, so two checkouts' nodes on one machine never collide. */
export function newNodeHost(runDir: string): NodeHost {
  const id = randomBytes(3).toString('hex');
  const dir = join(runDir, 'node');
  return {
    id,
    dir,
    bridge: `slc${id}`, // Linux interface names are at most 15 characters
    subnet: freeSubnet(),
    chain: `SLUICE-NODE-${id}`,
    cgroupRoot: `/sluice-node-${id}`,
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
  };
}

/** IPv4 routes of the machine as [network, prefix length] (from /proc/net/route, host byte order). */
function routes(): [number, number][] {
  const out: [number, number][] = [];
  for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
    const c = line.trim().split(/\s+/);
    if (c.length < 8) continue;
    const le = (hex: string) => Buffer.from(hex, 'hex').readUInt32LE(0);
    const mask = le(c[7]!);
    out.push([le(c[1]!) >>> 0, mask.toString(2).replace(/0/g, '').length]);
  }
  return out;
}

/**
 * A /24 in 10.200.0.0–10.239.255.0 that no route of the machine covers or falls into (another
 * run's bridge, a VPN): pods get addresses there. 10.96.0.0/16 (Services) and 10.244.0.0/16 (kwok's
 * fake pod IPs) are outside that range.
 */
function freeSubnet(): string {
  const taken = routes().filter(([, len]) => len > 0);
  for (;;) {
    const b = randomBytes(2);
    const net = ((10 << 24) | ((200 + (b[0]! % 40)) << 16) | (b[1]! << 8)) >>> 0;
    const clash = taken.some(([rnet, len]) => {
      const l = Math.min(len, 24);
      const m = l === 0 ? 0 : (~0 << (32 - l)) >>> 0;
      return (net & m) >>> 0 === (rnet & m) >>> 0;
    });
    if (!clash) return `10.${(net >>> 16) & 255}.${(net >>> 8) & 255}.0/24`;
  }
}

/** The first usable address of a /24: the bridge's, the pods' gateway. */
export function gateway(subnet: string): string {
  return subnet.replace(/\.0\/24$/, '.1');
}

/**
 * The machine's primary IPv4 (that of the interface with the default route, else the first
 * non-loopback one): the kubelet refuses a loopback node IP, and the apiserver reaches it there.
 */
export function primaryIPv4(): string {
  const ifaces = networkInterfaces();
  const def = readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((c) => c[1] === '00000000')?.[0];
  const v4 = (name: string) => ifaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const ip = (def && v4(def)) ?? Object.keys(ifaces).map(v4).find(Boolean);
  if (!ip) throw new Error('the real node needs a non-loopback IPv4 address (the kubelet refuses loopback)');
  return ip;
}
