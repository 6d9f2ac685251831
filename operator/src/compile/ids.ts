// Stable ids of resources: agent checkpoints and buffers are keyed by them, so they never change
// for the life of a resource.
import type { SluiceResource } from '../api/types.generated.ts';

export function resourceId(r: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return r.metadata.namespace !== undefined && (r.kind === 'LogPipeline' || r.kind === 'LogOutput')
    ? `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`
    : `${r.kind}/${r.metadata.name}`;
}

/** The id an output reference points at, seen from a resource in `namespace` (undefined = cluster-scoped). */
export function outputRefId(ref: { name: string; kind?: string }, namespace: string | undefined): string {
  const kind = ref.kind ?? (namespace === undefined ? 'ClusterLogOutput' : 'LogOutput');
  return kind === 'LogOutput' ? `LogOutput/${namespace}/${ref.name}` : `ClusterLogOutput/${ref.name}`;
}

export type Pipeline = Extract<SluiceResource, { kind: 'LogPipeline' | 'ClusterLogPipeline' }>;
export type Output = Extract<SluiceResource, { kind: 'LogOutput' | 'ClusterLogOutput' }>;
