// The fake nodes kwok manages: annotated for kwok, with capacity so the scheduler places pods, and
// without the usual kwok taint so a DaemonSet without tolerations still gets one pod per node.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

export const FAKE_NODES = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2'] as const;

function nodeYaml(name: string): string {
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
  nodeInfo:
    architecture: amd64
    kubeProxyVersion: fake
    kubeletVersion: fake
    operatingSystem: linux
`;
}

export async function applyFakeNodes(kubectl: string, kubeconfig: string, file: string): Promise<void> {
  writeFileSync(file, FAKE_NODES.map(nodeYaml).join('---\n'));
  await promisify(execFile)(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-f', file]);
}
