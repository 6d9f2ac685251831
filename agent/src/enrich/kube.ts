// Node-scoped pod watch (fieldSelector spec.nodeName=<node>) and namespace watch feeding the
// metadata store: list, then watch from the list's resourceVersion; on any end or error, re-list
// after a capped exponential backoff. Deleted pods stay in the store for its TTL. Resolves once
// the first pod list and the first namespace list are in the store (or after `initialWaitMs`), so
// the first scan already knows which pods are excluded and the first records carry their
// namespace's labels. Through the small client of contract/kube/, not
// @kubernetes/client-node (~40 MB of resident memory and ~1.5 CPU-s to load: docs/benchmarks.md).
import { KubeClient, type KubeObject } from '../../../contract/kube/client.ts';
import { loadConnection } from '../../../contract/kube/config.ts';
import { namespaceMeta, type PodLike, podMeta } from './pod.ts';
import type { MetadataStore } from './store.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;

export async function startKubeWatch(
  store: MetadataStore,
  nodeName: string | undefined,
  log: Log,
  client?: KubeClient,
  initialWaitMs = 10_000,
): Promise<() => void> {
  const api = client ?? new KubeClient(loadConnection());
  let stopped = false;
  const aborts: AbortController[] = [];
  const fieldSelector = nodeName !== undefined ? `spec.nodeName=${nodeName}` : undefined;
  const listed = { pods: () => {}, namespaces: () => {} };
  const firstLists = Promise.all(
    (['pods', 'namespaces'] as const).map(
      (what) =>
        new Promise<void>((r) => {
          listed[what] = r;
        }),
    ),
  );

  const loop = async (what: 'pods' | 'namespaces') => {
    let attempt = 0;
    while (!stopped) {
      try {
        const path = what === 'pods' ? '/api/v1/pods' : '/api/v1/namespaces';
        const selector = what === 'pods' && fieldSelector ? { fieldSelector } : {};
        const list = await api.request<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>(
          'GET',
          path,
          { query: selector },
        );
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
        listed[what]();
        const ac = new AbortController();
        aborts.push(ac);
        try {
          await api.watch(
            path,
            { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true, ...selector },
            (phase, obj) => {
              // An ERROR event (e.g. 410 Gone: the resourceVersion is too old) ends this watch: re-list.
              if (phase === 'ERROR') ac.abort();
              else if (what === 'pods') {
                const m = podMeta(obj as PodLike);
                if (m === undefined) return;
                if (phase === 'DELETED') store.deletePod(m.uid);
                else if (phase === 'ADDED' || phase === 'MODIFIED') store.upsertPod(m);
              } else if (phase === 'ADDED' || phase === 'MODIFIED') {
                const n = namespaceMeta(obj as PodLike);
                if (n !== undefined) store.upsertNamespace(n);
              }
            },
            ac.signal,
          );
        } catch (e) {
          if (!ac.signal.aborted) throw e;
        } finally {
          aborts.splice(aborts.indexOf(ac), 1);
        }
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
  await Promise.race([firstLists, new Promise<void>((r) => (t = setTimeout(r, initialWaitMs)))]);
  clearTimeout(t);
  return () => {
    stopped = true;
    for (const a of aborts) a.abort();
    if (client === undefined) api.close();
  };
}
