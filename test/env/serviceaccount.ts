// Credentials for any ServiceAccount, through the TokenRequest API, so tests run the operator and
// the agent under their own identity and RBAC: a missing permission fails a test, not an install.
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { writeKubeconfig } from './components/kubeconfig.ts';
import type { KubeInfo } from './types.ts';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  /** token lifetime; the apiserver enforces at least 600 s (default 3600 s) */
  expirationSeconds?: number;
  audiences?: string[];
  /** bind the token to this pod, as kubelet's projected tokens are (it then names the pod and its node) */
  boundPod?: { name: string; uid: string };
}

export interface ServiceAccountCredentials {
  server: string;
  caFile: string;
  caData: string;
  token: string;
  /** a kubeconfig file for this ServiceAccount (namespace set to its own) */
  kubeconfig: string;
}

/** A KubeConfig for the admin user (system:masters). */
export function adminKubeConfig(kube: KubeInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig);
  return kc;
}

/** A KubeConfig object for the given credentials (e.g. of a ServiceAccount). */
export function kubeConfigFor(creds: ServiceAccountCredentials): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(creds.kubeconfig);
  return kc;
}

/** Issues a token for an existing ServiceAccount and writes a kubeconfig for it beside the admin's. */
export async function serviceAccountCredentials(
  kube: KubeInfo,
  sa: ServiceAccountRef,
): Promise<ServiceAccountCredentials> {
  const core = adminKubeConfig(kube).makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    name: sa.name,
    namespace: sa.namespace,
    body: {
      spec: {
        audiences: sa.audiences ?? [],
        expirationSeconds: sa.expirationSeconds ?? 3600,
        ...(sa.boundPod
          ? {
              boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: sa.boundPod.name, uid: sa.boundPod.uid },
            }
          : {}),
      },
    },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`TokenRequest for ${sa.namespace}/${sa.name} returned no token`);
  const pod = sa.boundPod ? `-${sa.boundPod.name}` : '';
  const path = join(kube.kubeconfig, '..', `sa-${sa.namespace}-${sa.name}${pod}.kubeconfig`);
  writeKubeconfig(path, {
    server: kube.server,
    caData: kube.caData,
    token,
    user: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    namespace: sa.namespace,
  });
  return { server: kube.server, caFile: kube.caFile, caData: kube.caData, token, kubeconfig: path };
}
