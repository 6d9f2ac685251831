// Which container files a pipeline reads. A LogPipeline only ever reads its own namespace — that
// is enforced here from the path, whatever its config says. Pods annotated
// `sluice.dev/exclude: "true"` are skipped by LogPipelines (the annotation and the pipeline belong
// to the same namespace) and by cluster pipelines that opted in (`excludeAnnotation`): a pod's
// owner cannot hide it from a platform pipeline. The agent's own pods are skipped by pipelines
// that did not ask for them.
import type { PipelineConfig } from '../../../../contract/agent-config/types.ts';
import { EXCLUDE_ANNOTATION } from '../../../../contract/annotations.ts';
import { matchesSelector } from '../../../../contract/selector.ts';
import type { PodMeta } from '../../enrich/store.ts';
import type { PathMeta } from './path.ts';

const allows = (f: { include?: string[]; exclude?: string[] } | undefined, name: string): boolean =>
  (f?.include === undefined || f.include.length === 0 || f.include.includes(name)) &&
  !(f?.exclude ?? []).includes(name);

export interface SelfIdentity {
  namespace?: string;
  pod?: string;
}

/** The pod asked not to be read (`sluice.dev/exclude: "true"`) and this pipeline honours that. */
export function excludedBy(p: PipelineConfig, pod: PodMeta | undefined): boolean {
  return (
    pod?.annotations[EXCLUDE_ANNOTATION] === 'true' &&
    (p.kind === 'LogPipeline' || p.input?.excludeAnnotation === true)
  );
}

/** 'yes' | 'no' | 'wait' (labels needed but the pod's metadata is not known yet). */
export function selectFile(
  p: PipelineConfig,
  path: PathMeta,
  pod: PodMeta | undefined,
  self: SelfIdentity,
): 'yes' | 'no' | 'wait' {
  const input = p.input ?? {};
  if (input.containerLogs === false) return 'no';
  if (p.kind === 'LogPipeline' && path.namespace !== p.namespace) return 'no';
  if (!allows(input.namespaces, path.namespace)) return 'no';
  if (!allows(input.containers, path.container)) return 'no';
  if (excludedBy(p, pod)) return 'no';
  if (
    input.includeAgentPods !== true &&
    self.pod !== undefined &&
    path.pod === self.pod &&
    (self.namespace === undefined || self.namespace === path.namespace)
  )
    return 'no';
  const sel = input.pods;
  if (
    sel !== undefined &&
    ((sel.matchLabels && Object.keys(sel.matchLabels).length > 0) || sel.matchExpressions?.length)
  ) {
    if (pod === undefined) return 'wait';
    return matchesSelector(sel, pod.labels) ? 'yes' : 'no';
  }
  return 'yes';
}

export function streamMask(p: PipelineConfig): number {
  const s = p.input?.streams;
  if (s === undefined) return 3;
  return (s.includes('stdout') ? 1 : 0) | (s.includes('stderr') ? 2 : 0);
}
