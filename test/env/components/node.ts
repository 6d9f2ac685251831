// A real Kubernetes node: Debian's containerd and runc, the kubelet built with the control plane,
// registered against the test apiserver as `system:node:<name>`. Both run in one private mount
// namespace (node/namespace.ts) where the node's /var/log, /var/lib/kubelet and /var/lib/sluice are
// run directories, pods sit on a per-run bridge (node/network.ts) and reach the apiserver at
// 10.96.0.1:443 and the other test servers at 10.96.0.2:<port>. kwok keeps managing only the nodes
// annotated as fake (kube.ts), so a DaemonSet gets real pods here and fake ones on kwok's nodes.
// Needs root. What it changes on the machine is recorded in the state file first (node/host.ts) and
// undone by `down` (node/teardown.ts), even after a killed runner.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from '../../../tools/install/debian.ts';
import { install } from '../../../tools/install/index.ts';
import { createCgroupRoot } from '../node/cgroups.ts';
import { CTR, ctr, importArchive, writeContainerdConfig } from '../node/containerd.ts';
import { type NodeHost, primaryIPv4 } from '../node/host.ts';
import { busyboxImage, type ImageArchive, pauseImage } from '../node/images.ts';
import { writeKubeletConfig, writeKubeletKubeconfig } from '../node/kubelet.ts';
import { inNamespace, nodeDirs, startNamespace } from '../node/namespace.ts';
import { createNetwork, HOST_SERVICES_IP } from '../node/network.ts';
import { issueClientCert } from '../pki.ts';
import { freePorts } from '../ports.ts';
import { startProcess } from '../proc.ts';
import type { KubeInfo, NodeInfo } from '../types.ts';
import { http, waitUntil } from '../wait.ts';
import type { Ctx } from './context.ts';

export const NODE_PACKAGES = ['containerd', 'runc', 'containernetworking-plugins', 'iptables'] as const;

export interface NodeInstall {
  kubelet: string;
  pause: ImageArchive;
  busybox: ImageArchive;
}

export async function installNode(ctx: Pick<Ctx, 'say'>): Promise<NodeInstall> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the real node (component `node`) needs root; leave it out: SLUICE_TESTENV_COMPONENTS=kube,kafka,kafka4,opensearch,s3',
    );
  await ensureDebianPackages(NODE_PACKAGES, ctx.say);
  const [{ kubelet }, pause, busybox] = await Promise.all([
    install.kubernetes(ctx.say),
    pauseImage(ctx.say),
    busyboxImage(ctx.say),
  ]);
  return { kubelet, pause, busybox };
}

/** `host` must be in the state file already: everything made here is undone from there. */
export async function startNode(
  ctx: Ctx,
  bins: NodeInstall,
  kube: KubeInfo,
  host: NodeHost,
): Promise<NodeInfo> {
  const name = `sluice-node-${host.id}`;
  const ip = primaryIPv4();
  const apiPort = Number(new URL(kube.server).port);
  mkdirSync(join(host.dir, 'kubelet'), { recursive: true });

  createCgroupRoot(host.cgroupRoot);
  createNetwork(host, apiPort);

  const { holder, ready } = startNamespace(host.dir);
  ctx.track(holder);
  await waitUntil('node mount namespace', async () => existsSync(ready), {
    timeoutMs: 30_000,
    procs: [holder],
  });

  const config = writeContainerdConfig(host, bins.pause.ref);
  const containerd = startProcess(
    'containerd',
    ...inNamespace(holder.pid, 'containerd', ['--config', config, '--log-level', 'warn']),
  );
  ctx.track(containerd);
  await waitUntil(
    'containerd answers',
    async () => (await ctr(host.containerdSocket, ['version'], 10_000)).includes('Server'),
    { timeoutMs: 60_000, procs: [holder, containerd] },
  );
  await Promise.all([bins.pause, bins.busybox].map((i) => importArchive(host.containerdSocket, i.archive)));

  const cert = issueClientCert(ctx.pki, 'kubelet', `/O=system:nodes/CN=system:node:${name}`);
  const kubeconfig = writeKubeletKubeconfig(host.dir, { server: kube.server, caData: kube.caData, ...cert });
  const [port, healthzPort] = (await freePorts(2)) as [number, number];
  const kubeletConfig = writeKubeletConfig({ host, nodeIp: ip, port, healthzPort, caFile: kube.caFile });
  const kubelet = startProcess(
    'kubelet',
    ...inNamespace(holder.pid, bins.kubelet, [
      `--config=${kubeletConfig}`,
      `--kubeconfig=${kubeconfig}`,
      `--hostname-override=${name}`,
      `--node-ip=${ip}`,
      '--v=1',
    ]),
    { ports: [port, healthzPort] },
  );
  ctx.track(kubelet);
  const procs = [holder, containerd, kubelet];
  const auth = { authorization: `Bearer ${kube.token}` };
  await waitUntil(
    `node ${name} Ready`,
    async () => {
      const r = await http(`${kube.server}/api/v1/nodes/${name}`, { ca: kube.caData, headers: auth });
      if (r.status !== 200) return false;
      const n = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    },
    { timeoutMs: 120_000, procs },
  );
  const dirs = nodeDirs(host.dir);
  return {
    name,
    ip,
    containerdSocket: host.containerdSocket,
    ctr: CTR,
    varLogDir: dirs.varLog,
    dataDir: dirs.varLibSluice,
    kubeletDir: dirs.varLibKubelet,
    hostServices: HOST_SERVICES_IP,
    podSubnet: host.subnet,
    images: { pause: bins.pause.ref, busybox: bins.busybox.ref },
  };
}
