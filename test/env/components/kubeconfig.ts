// Kubeconfig files, written by hand: one cluster, one user, one context.
import { writeFileSync } from 'node:fs';

export interface KubeconfigInput {
  server: string;
  caData: string;
  token: string;
  user: string;
  namespace?: string;
}

export function kubeconfigYaml(k: KubeconfigInput): string {
  const ca = Buffer.from(k.caData).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: sluice-testenv
  cluster:
    server: ${k.server}
    certificate-authority-data: ${ca}
users:
- name: ${k.user}
  user:
    token: ${k.token}
contexts:
- name: sluice-testenv
  context:
    cluster: sluice-testenv
    user: ${k.user}
    namespace: ${k.namespace ?? 'default'}
current-context: sluice-testenv
`;
}

export function writeKubeconfig(path: string, k: KubeconfigInput): string {
  writeFileSync(path, kubeconfigYaml(k), { mode: 0o600 });
  return path;
}
