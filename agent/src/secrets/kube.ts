// Secrets from the apiserver: exactly the referenced Secrets, read with GET by name and watched by
// name (fieldSelector metadata.name — the agent's RBAC grants get/list/watch on those names only,
// one Role per namespace), so a rotation is followed within moments and without a restart. The
// periodic re-read stays as a safety net for a watch that silently stalls. Through the small
// client of contract/kube/, as the pod watch and the report Lease (not @kubernetes/client-node).
import { KubeClient, KubeError } from '../../../contract/kube/client.ts';
import { loadConnection } from '../../../contract/kube/config.ts';
import { CachingSecretStore, type WatchSecret } from './store.ts';

const secrets = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

/** Watches one Secret by name; re-established after a capped backoff whenever it ends. */
function watchByName(api: KubeClient): WatchSecret {
  return (namespace, name, changed) => {
    let stopped = false;
    let abort: AbortController | undefined;
    let attempt = 0;
    const loop = async () => {
      while (!stopped) {
        abort = new AbortController();
        const ac = abort;
        try {
          await api.watch(
            secrets(namespace),
            { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: true },
            (phase) => {
              attempt = 0;
              if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') changed();
              else if (phase === 'ERROR') ac.abort();
            },
            ac.signal,
          );
        } catch {
          // ended or refused: re-established after the backoff below
        }
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

export function kubeSecretStore(refreshMs: number, client?: KubeClient): CachingSecretStore {
  const api = client ?? new KubeClient(loadConnection());
  return new CachingSecretStore(
    async (namespace, name) => {
      try {
        const s = await api.get<{ data?: Record<string, string>; stringData?: Record<string, string> }>(
          `${secrets(namespace)}/${encodeURIComponent(name)}`,
        );
        if (s === undefined) return undefined;
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {}))
          data[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = v;
        return data;
      } catch (e) {
        if (e instanceof KubeError && e.status === 403)
          throw new Error(
            'forbidden: the agent may read only the Secrets its outputs reference (RBAC resourceNames); check that the output references this Secret',
          );
        throw e;
      }
    },
    refreshMs,
    'the Kubernetes API (outside a cluster, `sluice run --secrets-dir DIR` reads DIR/<namespace>/<name>/<key> instead)',
    watchByName(api),
  );
}
