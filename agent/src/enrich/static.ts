// A local metadata cache file for `sluice run` and benchmarks: YAML or JSON holding either
// `{pods: [...], namespaces: [...]}` or Kubernetes lists (`kind: PodList`, `items`), or a
// multi-document stream of Pod and Namespace objects.
import { readFileSync } from 'node:fs';
import { loadAllYaml } from '../../../contract/yaml.ts';
import { namespaceMeta, type PodLike, podMeta } from './pod.ts';
import type { MetadataStore } from './store.ts';

export function loadMetadataFile(path: string, store: MetadataStore): { pods: number; namespaces: number } {
  const docs = loadAllYaml(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  let pods = 0;
  let namespaces = 0;
  const add = (o: Record<string, unknown>) => {
    if (o === null || typeof o !== 'object') return;
    if (Array.isArray(o.items)) for (const i of o.items) add(i as Record<string, unknown>);
    if (Array.isArray(o.pods)) for (const i of o.pods) add({ kind: 'Pod', ...(i as object) });
    if (Array.isArray(o.namespaces))
      for (const i of o.namespaces) add({ kind: 'Namespace', ...(i as object) });
    if (o.kind === 'Pod') {
      const m = podMeta(o as PodLike);
      if (m !== undefined) {
        store.upsertPod(m);
        pods++;
      }
    } else if (o.kind === 'Namespace') {
      const n = namespaceMeta(o as PodLike);
      if (n !== undefined) {
        store.upsertNamespace(n);
        namespaces++;
      }
    }
  };
  for (const d of docs) add(d);
  return { pods, namespaces };
}
