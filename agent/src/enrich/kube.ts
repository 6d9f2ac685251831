// Node-scoped pod watch (fieldSelector spec.nodeName=<node>) and namespace watch feeding the
// metadata store: list, then watch from the list's resourceVersion; on any end or error, re-list
// after a capped exponential backoff. Deleted pods stay in the store for its TTL. Resolves once
// the first pod list is in the store (or after `initialWaitMs`), so the first scan already
// knows which pods are excluded.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { namespaceMeta, type PodLike, podMeta } from './pod.ts';
import type { MetadataStore } from './store.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;

export async function startKubeWatch(
  store: MetadataStore,
  nodeName: string | undefined,
  log: Log,
  config?: KubeConfig,
  initialWaitMs = 10_000,
): Promise<() => void> {
  const kc = config ?? new KubeConfig();
  if (config === undefined) kc.loadFromDefault();
  const api = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  let stopped = false;
  const aborts: AbortController[] = [];
  const fieldSelector = nodeName !== undefined ? `spec.nodeName=${nodeName}` : undefined;
  let listed: () => void = () => {};
  const firstList = new Promise<void>((r) => {
    listed = r;
  });

  const loop = async (what: 'pods' | 'namespaces') => {
    let attempt = 0;
    while (!stopped) {
      try {
        const list =
          what === 'pods'
            ? await api.listPodForAllNamespaces({ fieldSelector })
            : await api.listNamespace({});
        for (const item of list.items) {
          if (what === 'pods') {
            const m = podMeta(item as PodLike);
            if (m !== undefined) store.upsertPod(m);
          } else {
            const n = namespaceMeta(item as PodLike);
            if (n !== undefined) store.upsertNamespace(n);
          }
        }
        attempt = 0;
        if (what === 'pods') listed();
        const rv = list.metadata?.resourceVersion;
        await new Promise<void>((resolve) => {
          const path = what === 'pods' ? '/api/v1/pods' : '/api/v1/namespaces';
          watch
            .watch(
              path,
              {
                resourceVersion: rv,
                allowWatchBookmarks: true,
                ...(what === 'pods' && fieldSelector ? { fieldSelector } : {}),
              },
              (phase, obj) => {
                if (what === 'pods') {
                  const m = podMeta(obj as PodLike);
                  if (m === undefined) return;
                  if (phase === 'DELETED') store.deletePod(m.uid);
                  else if (phase === 'ADDED' || phase === 'MODIFIED') store.upsertPod(m);
                } else if (phase === 'ADDED' || phase === 'MODIFIED') {
                  const n = namespaceMeta(obj as PodLike);
                  if (n !== undefined) store.upsertNamespace(n);
                }
              },
              () => resolve(),
            )
            .then(
              (ac) => aborts.push(ac),
              () => resolve(),
            );
        });
      } catch (e) {
        log('warn', `${what} watch failed; retrying`, { err: (e as Error).message, attempt });
      }
      if (stopped) break;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6));
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)).unref());
    }
  };
  void loop('pods');
  void loop('namespaces');
  let t: NodeJS.Timeout | undefined;
  await Promise.race([firstList, new Promise<void>((r) => (t = setTimeout(r, initialWaitMs)))]);
  clearTimeout(t);
  return () => {
    stopped = true;
    for (const a of aborts) a.abort();
  };
}
