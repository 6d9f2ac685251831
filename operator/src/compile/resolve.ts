// Which pipelines can run: every output they name exists, is valid, admits them, and has the
// Secrets it references. One unresolvable resource is rejected alone with a reason and a message
// that says what to do; the rest go on. Pure: the operator passes what its informers see,
// `sluice run`/`render` pass what the files hold (unknown namespaces/secrets are not judged).

import { AGENT_IDENTITY_ALLOWED, AGENT_IDENTITY_LABEL } from '../../../contract/annotations.ts';
import { matchesSelector } from '../../../contract/selector.ts';
import { REASON, type Rejection } from '../api/conditions.ts';
import { TENANT_SAFE_FIELDS } from '../api/fields.ts';
import { readBlock } from '../destinations/index.ts';
import { type Output, outputRefId, type Pipeline, resourceId } from './ids.ts';
import { secretRefs } from './secrets.ts';

export interface World {
  pipelines: Pipeline[];
  outputs: Output[];
  /** Outputs that exist but failed validation, by id, with their own rejection. */
  invalid?: Map<string, Rejection>;
  /** Valid outputs over a namespace cap (tenancy/enforce.ts), by id, with their rejection. */
  capped?: Map<string, Rejection>;
  /** Namespace labels by name; undefined when not known (offline). */
  namespaces?: Map<string, Record<string, string>>;
  /** Keys present per Secret (`namespace/name`); undefined when not known (offline). */
  secrets?: Map<string, Set<string>>;
}

export interface Resolution {
  /** Accepted pipelines with the ids of every output their records reach (dead letters included). */
  /** outputIds: the outputs a pipeline sends to; deadLetters: outputs reached only as dead letters. */
  accepted: Map<string, { pipeline: Pipeline; outputIds: string[]; deadLetters: string[] }>;
  rejected: Map<string, Rejection>;
  /** Outputs by id, with a rejection when the output itself is unusable. */
  outputs: Map<string, { output: Output; rejection?: Rejection }>;
}

function admits(output: Output, namespace: string, namespaces: World['namespaces']): boolean | undefined {
  if (output.kind === 'LogOutput') return output.metadata.namespace === namespace;
  const allowed = output.spec.allowedNamespaces;
  if (!allowed) return false;
  if (allowed.names?.includes(namespace)) return true;
  if (!allowed.selector) return false;
  const labels = namespaces?.get(namespace);
  if (labels === undefined) return namespaces === undefined ? undefined : false;
  return matchesSelector(allowed.selector, { ...labels, 'kubernetes.io/metadata.name': namespace });
}

/**
 * A ClusterLogOutput admitting LogPipelines must not let their records pick where they go by a
 * value the tenant sets (a pod label, the pipeline's name, a parsed field): the first setting that
 * does, with its field, unless the platform allowed that field (spec.allowedNamespaces.routingFields).
 */
export function tenantRouting(output: Output): { path: string; field: string } | undefined {
  if (output.kind !== 'ClusterLogOutput') return undefined;
  const allowed = new Set<string>([
    ...TENANT_SAFE_FIELDS,
    ...(output.spec.allowedNamespaces?.routingFields ?? []),
  ]);
  for (const r of readBlock(output.spec, 'routing') ?? []) {
    const field = r.fields.find((f) => !allowed.has(f));
    if (field !== undefined) return { path: r.path, field };
  }
  return undefined;
}

/** The setting of a LogOutput that would use the agent's own cloud identity, if any. */
export function agentIdentityUse(output: Output): string | undefined {
  return readBlock(output.spec, 'agentIdentity');
}

function outputProblem(output: Output, world: World, byId: Map<string, Output>): Rejection | undefined {
  const id = resourceId(output);
  const invalid = world.invalid?.get(id);
  if (invalid) return { reason: REASON.OutputInvalid, message: `${id} is invalid: ${invalid.message}` };
  if (output.kind === 'LogOutput' && world.namespaces !== undefined) {
    const ns = output.metadata.namespace!;
    const how = agentIdentityUse(output);
    if (how !== undefined && world.namespaces.get(ns)?.[AGENT_IDENTITY_LABEL] !== AGENT_IDENTITY_ALLOWED)
      return {
        reason: REASON.AgentIdentityNotAllowed,
        message: `${id} would authenticate with the agent's own cloud identity (${how}), which namespace "${ns}" may not use: give it credentials from a Secret of this namespace, or ask the platform team to label the namespace ${AGENT_IDENTITY_LABEL}=${AGENT_IDENTITY_ALLOWED}`,
      };
  }
  const capped = world.capped?.get(id);
  if (capped) return capped;
  if (world.secrets) {
    for (const ref of secretRefs(output)) {
      const keys = world.secrets.get(`${ref.namespace}/${ref.name}`);
      if (!keys) {
        return {
          reason: REASON.ReferencedSecretMissing,
          message: `${id} references Secret ${ref.namespace}/${ref.name}, which does not exist; create it with the key "${ref.key}"`,
        };
      }
      if (!keys.has(ref.key)) {
        return {
          reason: REASON.ReferencedSecretKeyMissing,
          message: `${id} references key "${ref.key}" of Secret ${ref.namespace}/${ref.name}, which has only ${[...keys].join(', ') || 'no keys'}; add the key or fix the reference`,
        };
      }
    }
  }
  const dl = output.spec.deadLetter;
  if (dl) {
    const dlId = outputRefId(dl, output.kind === 'LogOutput' ? output.metadata.namespace : undefined);
    if (!byId.has(dlId)) {
      return {
        reason: REASON.DeadLetterNotFound,
        message: `${id} sends rejected records to ${dlId}, which does not exist; create it or remove spec.deadLetter`,
      };
    }
  }
  return undefined;
}

export function resolve(world: World): Resolution {
  const byId = new Map(world.outputs.map((o) => [resourceId(o), o]));
  const outputs = new Map<string, { output: Output; rejection?: Rejection }>();
  for (const [id, o] of byId) {
    const rejection = outputProblem(o, world, byId);
    outputs.set(id, rejection ? { output: o, rejection } : { output: o });
  }
  const accepted: Resolution['accepted'] = new Map();
  const rejected = new Map<string, Rejection>();

  for (const p of world.pipelines) {
    const pid = resourceId(p);
    const ns = p.kind === 'LogPipeline' ? p.metadata.namespace! : undefined;
    const reached: string[] = [];
    let rejection: Rejection | undefined;
    const visit = (refId: string, via: string): void => {
      if (rejection || reached.includes(refId)) return;
      const entry = outputs.get(refId);
      if (!entry) {
        rejection = world.invalid?.has(refId)
          ? {
              reason: REASON.OutputInvalid,
              message: `${via} ${refId} is invalid: ${world.invalid.get(refId)!.message}`,
            }
          : {
              reason: REASON.OutputNotFound,
              message: `${via} ${refId}, which does not exist; create it or fix spec.outputs`,
            };
        return;
      }
      if (ns !== undefined) {
        const ok = admits(entry.output, ns, world.namespaces);
        if (ok === false) {
          rejection = {
            reason: REASON.OutputNotAllowed,
            message:
              entry.output.kind === 'LogOutput'
                ? `${via} ${refId}, which belongs to another namespace; a LogPipeline can only use LogOutputs of its own namespace`
                : `${via} ${refId}, whose spec.allowedNamespaces does not admit namespace "${ns}"; ask the platform team to allow it, or use a LogOutput of this namespace`,
          };
          return;
        }
      }
      const routed = ns !== undefined ? tenantRouting(entry.output) : undefined;
      if (routed !== undefined) {
        rejection = {
          reason: REASON.OutputNotAllowed,
          message: `${via} ${refId}, whose ${routed.path} picks the destination from "${routed.field}", a value tenants set: records of this namespace could go where another namespace's go. Ask the platform team to route by kubernetes.namespace, or to allow the field in spec.allowedNamespaces.routingFields`,
        };
        return;
      }
      if (entry.rejection) {
        rejection = { reason: entry.rejection.reason, message: `${via} ${entry.rejection.message}` };
        return;
      }
      reached.push(refId);
      const dl = entry.output.spec.deadLetter;
      if (dl)
        visit(
          outputRefId(dl, entry.output.kind === 'LogOutput' ? entry.output.metadata.namespace : undefined),
          `${refId} has dead letter`,
        );
    };
    const direct = p.spec.outputs.map((ref) => outputRefId(ref, ns));
    for (const id of direct) visit(id, 'spec.outputs names');
    if (rejection) rejected.set(pid, rejection);
    else {
      // A dead-letter output receives only what its output rejects, never the pipeline's records.
      const outputIds = reached.filter((id) => direct.includes(id));
      accepted.set(pid, {
        pipeline: p,
        outputIds,
        deadLetters: reached.filter((id) => !direct.includes(id)),
      });
    }
  }
  return { accepted, rejected, outputs };
}
