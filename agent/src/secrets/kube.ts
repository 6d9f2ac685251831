// Secrets from the apiserver: exactly the referenced Secrets, read with GET by name (the agent's
// RBAC grants get/list/watch on those names only, one Role per namespace), re-read periodically so
// a rotation is followed without a restart.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CachingSecretStore } from './store.ts';

export function kubeSecretStore(refreshMs: number, kc?: KubeConfig): CachingSecretStore {
  const config = kc ?? new KubeConfig();
  if (kc === undefined) config.loadFromDefault();
  const api = config.makeApiClient(CoreV1Api);
  return new CachingSecretStore(
    async (namespace, name) => {
      try {
        const s = await api.readNamespacedSecret({ name, namespace });
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {}))
          data[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = v;
        return data;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 404) return undefined;
        if (code === 403)
          throw new Error(
            'forbidden: the agent may read only the Secrets its outputs reference (RBAC resourceNames); check that the output references this Secret',
          );
        throw e;
      }
    },
    refreshMs,
    'the Kubernetes API',
  );
}
