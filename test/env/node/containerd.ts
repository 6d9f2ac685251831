// containerd (Debian's) for the real node, configured so that everything it keeps is under the run
// directory (root, state, socket, opt, runc's state, CNI config and IPAM data) and so that it works
// on these machines:
//   restrict_oom_score_adj        the VM lacks CAP_SYS_RESOURCE, nothing may lower oom_score_adj;
//                                 without it every sandbox fails ("can't get final child's PID from pipe")
//   netns_mounts_under_state_dir  pod network namespaces are pinned under the state dir, not /run/netns
//   tolerate_missing_hugetlb_controller, disable_apparmor: the VM has neither
//   SystemdCgroup = false         no systemd: runc manages cgroupfs paths, like the kubelet (cgroupfs)
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gateway, type NodeHost } from './host.ts';

export const CTR = '/usr/bin/ctr';
const CNI_BIN = '/usr/lib/cni'; // where Debian's containernetworking-plugins puts them

export function writeContainerdConfig(h: NodeHost, sandboxImage: string): string {
  const dir = join(h.dir, 'containerd');
  const p = (f: string) => join(dir, f);
  for (const d of ['root', 'state', 'opt', 'runc', 'cni/net.d', 'cni/ipam'])
    mkdirSync(p(d), { recursive: true });
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const toml = `version = 2
root = "${p('root')}"
state = "${p('state')}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${h.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${p('opt')}"

[${cri}]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  tolerate_missing_hugetlb_controller = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = "${p('runc')}"

[${cri}.cni]
  bin_dir = "${CNI_BIN}"
  conf_dir = "${p('cni/net.d')}"
  max_conf_num = 1
`;
  writeFileSync(p('config.toml'), toml);
  // The bridge exists already (network.ts); isGateway gives pods a default route through it, so
  // 10.96.0.1 and 10.96.0.2 reach the DNAT rules. No ipMasq: nothing leaves the machine.
  const cni = {
    cniVersion: '0.4.0',
    name: 'sluice-node',
    plugins: [
      {
        type: 'bridge',
        bridge: h.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: h.subnet, gateway: gateway(h.subnet) }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: p('cni/ipam'),
        },
      },
    ],
  };
  writeFileSync(p('cni/net.d/10-sluice.conflist'), `${JSON.stringify(cni, null, 2)}\n`);
  return p('config.toml');
}

/** `ctr` against the node's containerd, in the namespace the kubelet's images live in (k8s.io). */
export async function ctr(socket: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await promisify(execFile)(CTR, ['-a', socket, '-n', 'k8s.io', ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Imports an image archive (OCI layout with `io.containerd.image.name` annotations, or `docker save`
 * output) into the node's containerd and unpacks it for the kubelet. Pods use it with
 * imagePullPolicy IfNotPresent or Never: there is no registry.
 */
export async function importArchive(socket: string, archive: string): Promise<void> {
  await ctr(socket, ['images', 'import', '--snapshotter', 'overlayfs', archive], 600_000);
}
