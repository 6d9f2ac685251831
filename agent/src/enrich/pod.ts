// Kubernetes objects (as the apiserver or a metadata file gives them) → PodMeta / NamespaceMeta.
import type { NamespaceMeta, PodMeta } from './store.ts';

interface ObjMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}
export interface PodLike {
  metadata?: ObjMeta;
  spec?: {
    nodeName?: string;
    containers?: { name: string; image?: string }[];
    initContainers?: { name: string; image?: string }[];
  };
}

/** The workload that owns a pod: Deployment from its ReplicaSet's name, CronJob from its Job's name. */
export function ownerWorkload(meta: ObjMeta): { kind: string; name: string } | undefined {
  const refs = meta.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  if (ref === undefined) return undefined;
  if (ref.kind === 'ReplicaSet') {
    const hash = meta.labels?.['pod-template-hash'];
    if (hash !== undefined && ref.name.endsWith(`-${hash}`))
      return { kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
    const m = /^(.+)-[a-z0-9]{5,10}$/.exec(ref.name);
    return m !== null ? { kind: 'Deployment', name: m[1] } : ref;
  }
  if (ref.kind === 'Job') {
    // CronJob-created jobs are named <cronjob>-<scheduled time in minutes>.
    const m = /^(.+)-\d{8,}$/.exec(ref.name);
    return m !== null ? { kind: 'CronJob', name: m[1] } : { kind: 'Job', name: ref.name };
  }
  return { kind: ref.kind, name: ref.name };
}

export function podMeta(p: PodLike): PodMeta | undefined {
  const m = p.metadata;
  if (m?.uid === undefined || m.name === undefined || m.namespace === undefined) return undefined;
  const images: Record<string, string> = {};
  for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])])
    if (c.image !== undefined) images[c.name] = c.image;
  return {
    uid: m.uid,
    name: m.name,
    namespace: m.namespace,
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
    node: p.spec?.nodeName,
    owner: ownerWorkload(m),
    images,
  };
}

export function namespaceMeta(n: { metadata?: ObjMeta }): NamespaceMeta | undefined {
  return n.metadata?.name === undefined
    ? undefined
    : { name: n.metadata.name, labels: n.metadata.labels ?? {} };
}
