// Kubeconfig files, written by hand: one cluster, one user, one context.
import { writeFileSync } from 'node:fs';

export interface KubeconfigInput {
  server: string;
  caData: string;
  /** a bearer token, or a client certificate and key (PEM files; the real node's kubelet) */
  token?: string;
  clientCert?: string;
  clientKey?: string;
  user: string;
  namespace?: string;
}

export function kubeconfigYaml(k: KubeconfigInput): string {
  const ca = Buffer.from(k.caData).toString('base64');
  const creds = k.token
    ? `    token: ${k.token}\n`
    : `    client-certificate: ${k.clientCert}\n    client-key: ${k.clientKey}\n`;
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
${creds}contexts:
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
