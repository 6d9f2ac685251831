// Stopping the real node so that nothing is left: synchronous (signal handlers and `up`'s failure
// path use it too) and driven by the state file alone, because pod processes are not in the
// runner's process tree and survive a killed runner. The order matters:
//   1. delete workloads through the API and wait for the node's pods to go: the kubelet then
//      stops the containers, calls CNI DEL, unmounts volumes and removes pod cgroups itself;
//   2. stop the kubelet; kill what is left in the node's cgroups (containers whose shim is gone)
//      and the shims whose arguments carry this node's containerd socket; stop containerd and the
//      namespace holder — the last process of the mount namespace takes every mount in it along;
//   3. unmount anything under the run directory (deepest first), remove the cgroup directories
//      depth-first, delete the bridge and the DNAT chain, restore ip_forward.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Say } from '../../../tools/install/index.ts';
import { isRunning, type ProcRecord, stopProcesses } from '../proc.ts';
import type { KubeInfo, NodeInfo, Tools } from '../types.ts';
import { cgroupDirs, cgroupProcs, removeCgroupRoot } from './cgroups.ts';
import type { NodeHost } from './host.ts';
import { mountsUnder, unmountUnder } from './namespace.ts';
import { networkLeftovers, removeNetwork } from './network.ts';

/** Names of the node's processes in the state file, in start order. */
export const NODE_PROCESSES = ['node-namespace', 'containerd', 'kubelet'] as const;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Processes whose command line contains `needle` (the shims carry `-address <socket>`). */
export function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) out.push(pid);
    } catch {}
  }
  return out;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** Step 1: through the API, while the control plane and the kubelet still run. */
function drain(kube: KubeInfo, tools: Tools, node: NodeInfo, say: Say): void {
  const kubectl = (args: string[], timeoutMs = 60_000) =>
    spawnSync(tools.kubectl, ['--kubeconfig', kube.kubeconfig, '--request-timeout=20s', ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
  const onNode = ['-A', '--field-selector', `spec.nodeName=${node.name}`];
  const pods = () => {
    const r = kubectl(['get', 'pods', ...onNode, '-o', 'name']);
    return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : undefined;
  };
  if (pods()?.length === 0) return;
  say(`deleting the workloads of node ${node.name}`);
  kubectl([
    'delete',
    'daemonsets,deployments,replicasets,statefulsets,jobs,cronjobs,replicationcontrollers',
    '--all',
    '-A',
    '--wait=false',
  ]);
  // a short grace period: a container that ignores SIGTERM (a shell's `sleep`) would hold `down`
  // for its pod's terminationGracePeriodSeconds (30 s by default)
  kubectl(['delete', 'pods', ...onNode, '--grace-period=1', '--wait=false']);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = pods();
    if (left === undefined || left.length === 0 || Date.now() > deadline) {
      if (left?.length) say(`pods still on ${node.name} after 120s (killed below): ${left.join(' ')}`);
      return;
    }
    sleepSync(500);
  }
}

export interface NodeTeardownInput {
  host: NodeHost;
  node?: NodeInfo;
  kube?: KubeInfo;
  tools?: Tools;
  processes: ProcRecord[];
}

/** Steps 1 and 2: before the rest of the environment's processes are stopped. */
export function stopNode(t: NodeTeardownInput, say: Say): void {
  const proc = (name: string) => t.processes.filter((p) => p.name === name);
  const kubelet = proc('kubelet');
  if (t.node && t.kube && t.tools && kubelet.some(isRunning)) drain(t.kube, t.tools, t.node, say);
  stopProcesses(kubelet, 20_000);
  for (let i = 0; i < 3; i++) {
    const pids = cgroupProcs(t.host.cgroupRoot);
    if (pids.length === 0) break;
    say(`killing ${pids.length} process(es) left in the node's cgroups`);
    killAll(pids);
    sleepSync(200 * (i + 1));
  }
  const shims = processesWith(t.host.containerdSocket).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('containerd-shim');
    } catch {
      return false;
    }
  });
  if (shims.length > 0) say(`killing ${shims.length} containerd shim(s)`);
  killAll(shims);
  stopProcesses([...proc('node-namespace'), ...proc('containerd')], 20_000);
}

/** Step 3: after every process is gone. Returns what could not be undone. */
export function cleanNodeHost(h: NodeHost, runDir: string): string[] {
  const mounts = unmountUnder(runDir);
  const cgroups = removeCgroupRoot(h.cgroupRoot);
  removeNetwork(h);
  return [...mounts.map((m) => `mount ${m}`), ...cgroups.map((c) => `cgroup ${c}`)];
}

/** For check-clean: anything of the node that is still there. */
export function nodeLeftovers(h: NodeHost, runDir: string): string[] {
  const out: string[] = [];
  for (const m of mountsUnder(runDir)) out.push(`mount ${m} still mounted`);
  for (const d of cgroupDirs(h.cgroupRoot)) out.push(`cgroup ${d} still exists`);
  out.push(...networkLeftovers(h));
  const shims = processesWith(h.containerdSocket);
  if (shims.length > 0) out.push(`processes naming ${h.containerdSocket} (shims): ${shims.join(', ')}`);
  const fwd = existsSync('/proc/sys/net/ipv4/ip_forward')
    ? readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()
    : h.ipForward;
  if (fwd !== h.ipForward)
    out.push(`net.ipv4.ip_forward is ${fwd}, was ${h.ipForward} before the node started`);
  return out;
}
