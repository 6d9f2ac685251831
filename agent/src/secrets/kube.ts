// Secrets from the apiserver: exactly the referenced Secrets, read with GET by name and watched by
// name (fieldSelector metadata.name — the agent's RBAC grants get/list/watch on those names only,
// one Role per namespace), so a rotation is followed within moments and without a restart. The
// periodic re-read stays as a safety net for a watch that silently stalls.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { CachingSecretStore, type WatchSecret } from './store.ts';

/** Watches one Secret by name; re-established after a capped backoff whenever it ends. */
function watchByName(kc: KubeConfig): WatchSecret {
  const watch = new Watch(kc);
  return (namespace, name, changed) => {
    let stopped = false;
    let abort: AbortController | undefined;
    let attempt = 0;
    const loop = async () => {
      while (!stopped) {
        await new Promise<void>((resolve) => {
          watch
            .watch(
              `/api/v1/namespaces/${namespace}/secrets`,
              { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: true },
              (phase) => {
                attempt = 0;
                if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') changed();
              },
              () => resolve(),
            )
            .then(
              (ac) => {
                abort = ac;
              },
              () => resolve(),
            );
        });
        if (stopped) break;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6));
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)).unref());
      }
    };
    void loop();
    return () => {
      stopped = true;
      abort?.abort();
    };
  };
}

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
    'the Kubernetes API (outside a cluster, `sluice run --secrets-dir DIR` reads DIR/<namespace>/<name>/<key> instead)',
    watchByName(config),
  );
}
