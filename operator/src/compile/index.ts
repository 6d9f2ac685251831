// Resources in, agent config out: the step shared by the operator (which renders it into the
// agent ConfigMap) and `sluice run -f` / `sluice render` (which compile files locally).
import type { Rejection } from '../api/conditions.ts';
import { REASON } from '../api/conditions.ts';
import type { SluiceResource } from '../api/types.generated.ts';
import { formatProblem, validateObject } from '../validate/index.ts';
import { agentConfig, type CompileOptions } from './agent-config.ts';
import { type Output, type Pipeline, resourceId } from './ids.ts';
import { type Resolution, resolve } from './resolve.ts';
import { type SecretRef, secretRefs } from './secrets.ts';

export { agentConfig, type CompileOptions } from './agent-config.ts';
export { resourceId } from './ids.ts';
export { type Resolution, resolve, type World } from './resolve.ts';
export { type SecretRef, secretRefs } from './secrets.ts';

/** The Secrets the outputs of a compiled config reference: what the agent may read. */
export function configSecretRefs(result: Pick<CompileResult, 'config' | 'resolution'>): SecretRef[] {
  return result.config.outputs.flatMap((o) => secretRefs(result.resolution.outputs.get(o.id)!.output));
}

export interface CompileResult {
  config: ReturnType<typeof agentConfig>;
  resolution: Resolution;
  /** Every resource that does not take part, with why (invalid, or unresolvable). */
  problems: Array<{ id: string } & Rejection>;
}

/** Validate and compile raw documents (YAML-parsed objects); non-sluice objects are ignored. */
export function compileResources(docs: unknown[], opts: CompileOptions = {}): CompileResult {
  const pipelines: Pipeline[] = [];
  const outputs: Output[] = [];
  const invalid = new Map<string, Rejection>();
  const problems: CompileResult['problems'] = [];
  for (const doc of docs) {
    const r = validateObject(doc);
    if (r.status === 'ignored') continue;
    if (r.status === 'invalid') {
      const meta = ((doc as Record<string, unknown>)?.metadata ?? {}) as { namespace?: string };
      const id = resourceId({
        kind: r.kind,
        metadata: { name: r.name, namespace: meta.namespace ?? 'default' },
      });
      const rejection = { reason: REASON.InvalidSpec, message: r.problems.map(formatProblem).join('; ') };
      invalid.set(id, rejection);
      problems.push({ id, ...rejection });
      continue;
    }
    const res: SluiceResource = r.resource;
    if ((res.kind === 'LogPipeline' || res.kind === 'LogOutput') && res.metadata.namespace === undefined) {
      res.metadata.namespace = 'default';
    }
    if (res.kind === 'LogPipeline' || res.kind === 'ClusterLogPipeline') pipelines.push(res);
    else outputs.push(res);
  }
  const resolution = resolve({ pipelines, outputs, invalid });
  for (const [id, rej] of resolution.rejected) problems.push({ id, ...rej });
  return { config: agentConfig(resolution, opts), resolution, problems };
}
