// The kubelet's configuration. It registers the node with a client certificate of the test CA
// (CN=system:node:<name>, O=system:nodes), so the apiserver's Node authorizer and NodeRestriction
// treat it as a real node's. Settings these machines need:
//   cgroupfs with a per-run cgroupRoot, failCgroupV1 false   no systemd, cgroup v1 hybrid
//   failSwapOn false                                          whatever the machine has
//   makeIPTablesUtilChains false                              no iptables rules of its own on a shared machine
//   readOnlyPort 0, webhook authn/authz, x509 with the test CA: as in a real cluster
//   imageGCHighThresholdPercent 100, tiny evictionHard        images imported locally cannot be pulled back
//   own ports, volumePluginDir in the run directory           two runs on one machine, nothing outside it
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeconfig } from '../components/kubeconfig.ts';
import type { NodeHost } from './host.ts';

export interface KubeletConfigInput {
  host: NodeHost;
  nodeIp: string;
  port: number;
  healthzPort: number;
  caFile: string;
}

export function writeKubeletConfig(c: KubeletConfigInput): string {
  const dir = join(c.host.dir, 'kubelet');
  const file = join(dir, 'config.yaml');
  const yaml = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${c.nodeIp}
port: ${c.port}
healthzBindAddress: 127.0.0.1
healthzPort: ${c.healthzPort}
readOnlyPort: 0
containerRuntimeEndpoint: unix://${c.host.containerdSocket}
cgroupDriver: cgroupfs
cgroupRoot: ${c.host.cgroupRoot}
failSwapOn: false
failCgroupV1: false
makeIPTablesUtilChains: false
hairpinMode: none
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: ${c.caFile}
authorization:
  mode: Webhook
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 1Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
volumePluginDir: ${join(dir, 'volume-plugins')}
serializeImagePulls: false
`;
  writeFileSync(file, yaml);
  return file;
}

export function writeKubeletKubeconfig(
  dir: string,
  k: { server: string; caData: string; cert: string; key: string },
): string {
  return writeKubeconfig(join(dir, 'kubelet', 'kubeconfig'), {
    server: k.server,
    caData: k.caData,
    user: 'node',
    clientCert: k.cert,
    clientKey: k.key,
  });
}
