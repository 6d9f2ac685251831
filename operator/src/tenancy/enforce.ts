// The per-namespace caps applied to what the informers see: pure, one pass per reconcile.
//
// Counts and buffer sizes are decided in order: first what the agents run now or the operator
// accepted last time, then by creation
// time (then name): the resources that were there first keep running and the newest ones over a
// cap are refused, so adding a resource never takes down one that runs (creationTimestamp has
// whole seconds: two resources of one second would otherwise go by name), and the same world
// always gives the same answer. A refused resource
// is not rendered (reason OverNamespaceCap) rather than clamped: a smaller buffer than asked
// changes when an output blocks or drops, which its owner must decide knowingly. What the user did
// not ask for is fitted instead: an output without spec.buffer.maxSize gets the agent's default
// or what is left of its namespace's cap, whichever is smaller.
//
// Record size and rate caps are compiled into the agent config (agent-config.ts): every pipeline
// of a capped namespace gets parse.maxRecordBytes at most the cap, and the namespace's rate,
// which the agent enforces per node with drops counted as namespace_rate_cap.
import { SIZE_DEFAULTS } from '../../../contract/agent-config/defaults.ts';
import { REASON, type Rejection } from '../api/conditions.ts';
import { formatBytes } from '../api/units.ts';
import { type Output, type Pipeline, resourceId } from '../compile/ids.ts';
import { bytes } from '../compile/values.ts';
import { destinationRejection } from './destinations.ts';
import type { Caps, CompiledPolicy } from './policy.ts';

/** Smallest buffer a default-sized output is fitted to; below it the output is refused. */
export const MIN_FITTED_BUFFER = 64 * 1024;

export interface CapsInput {
  pipelines: Pipeline[];
  outputs: Output[];
  policy: CompiledPolicy;
  namespaces?: Map<string, Record<string, string>>;
  /** creationTimestamp by resource id (RFC 3339 sorts as text); unknown ones sort by name. */
  created?: Map<string, string>;
  /** Ids of the pipelines and outputs the agents run or the last decision accepted: they go first. */
  running?: Set<string>;
}

/** What compiling a capped namespace's pipeline changes. */
export interface PipelineCaps {
  maxRecordBytes?: number;
  recordsPerSecond?: number;
  /** Said in the Accepted condition: a cap that bites at compile time. */
  note?: string;
}

export interface CapsDecision {
  rejectedPipelines: Map<string, Rejection>;
  rejectedOutputs: Map<string, Rejection>;
  /** Buffer bytes to compile for outputs that did not set spec.buffer.maxSize. */
  fittedBuffers: Map<string, number>;
  pipelineCaps: Map<string, PipelineCaps>;
}

const RAISE = 'or ask the platform team to raise the cap';

function byNamespace<T extends Pipeline | Output>(items: T[], kind: string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of items) {
    if (r.kind !== kind) continue;
    const ns = r.metadata.namespace!;
    if (!m.has(ns)) m.set(ns, []);
    m.get(ns)!.push(r);
  }
  return m;
}

function inCreationOrder<T extends Pipeline | Output>(items: T[], i: CapsInput): T[] {
  const key = (r: T) => {
    const id = resourceId(r);
    return `${i.running?.has(id) ? 0 : 1}${i.created?.get(id) ?? '~'}`;
  };
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.metadata.name < b.metadata.name ? -1 : 1;
  });
}

/** The first `max` in creation order pass; the rest are refused. Returns those that pass. */
function countCap<T extends Pipeline | Output>(
  items: T[],
  max: number | undefined,
  ns: string,
  cap: 'maxPipelines' | 'maxOutputs',
  rejected: Map<string, Rejection>,
): T[] {
  if (max === undefined || items.length <= max) return items;
  const kind = items[0]!.kind;
  for (const r of items.slice(max))
    rejected.set(resourceId(r), {
      reason: REASON.OverNamespaceCap,
      message: `namespace "${ns}" may have ${max} ${kind}s (tenancy cap ${cap}) and has ${items.length}; ${resourceId(r)} is one of the newest beyond the cap and is not run: delete ${kind}s of the namespace ${RAISE}`,
    });
  return items.slice(0, max);
}

function bufferCaps(outputs: Output[], caps: Caps, ns: string, d: CapsDecision): void {
  const used = { memory: 0, disk: 0 };
  for (const o of outputs) {
    const type = o.spec.buffer?.type === 'disk' ? 'disk' : 'memory';
    const cap = type === 'disk' ? caps.maxDiskBufferBytes : caps.maxBufferBytes;
    if (cap === undefined) continue;
    const id = resourceId(o);
    const asked = bytes(o.spec.buffer?.maxSize);
    const left = cap - used[type];
    const capName = type === 'disk' ? 'maxDiskBufferBytes' : 'maxBufferBytes';
    const where = type === 'disk' ? 'on disk' : 'in memory';
    const others = used[type] ? ` and its earlier LogOutputs hold ${formatBytes(used[type])}` : '';
    if (asked === undefined) {
      const fitted = Math.min(SIZE_DEFAULTS[type], left);
      if (fitted < MIN_FITTED_BUFFER) {
        d.rejectedOutputs.set(id, {
          reason: REASON.OverNamespaceCap,
          message: `${id} needs a ${type} buffer, but namespace "${ns}" may buffer ${formatBytes(cap)} ${where} (tenancy cap ${capName})${others}, which leaves ${formatBytes(Math.max(left, 0))}: remove a LogOutput of the namespace ${RAISE}`,
        });
        continue;
      }
      if (fitted < SIZE_DEFAULTS[type]) d.fittedBuffers.set(id, fitted);
      used[type] += fitted;
    } else if (asked > left) {
      d.rejectedOutputs.set(id, {
        reason: REASON.OverNamespaceCap,
        message: `${id} asks for ${formatBytes(asked)} of ${type} buffer (spec.buffer.maxSize), but namespace "${ns}" may buffer ${formatBytes(cap)} ${where} (tenancy cap ${capName})${others}: lower spec.buffer.maxSize to at most ${formatBytes(Math.max(left, 0))} ${RAISE}`,
      });
    } else used[type] += asked;
  }
}

export function enforceCaps(i: CapsInput): CapsDecision {
  const d: CapsDecision = {
    rejectedPipelines: new Map(),
    rejectedOutputs: new Map(),
    fittedBuffers: new Map(),
    pipelineCaps: new Map(),
  };
  if (!i.policy.active) return d;
  const caps = (ns: string) => i.policy.capsFor(ns, i.namespaces?.get(ns));
  for (const [ns, all] of byNamespace(i.outputs, 'LogOutput')) {
    const c = caps(ns);
    // An output refused for where it sends takes no place under the count and buffer caps.
    const list = all.filter((o) => {
      const r = c.allowedDestinations && destinationRejection(o, ns, c.allowedDestinations);
      if (r) d.rejectedOutputs.set(resourceId(o), r);
      return !r;
    });
    const kept = countCap(inCreationOrder(list, i), c.maxOutputs, ns, 'maxOutputs', d.rejectedOutputs);
    bufferCaps(kept, c, ns, d);
  }
  for (const [ns, list] of byNamespace(i.pipelines, 'LogPipeline')) {
    const c = caps(ns);
    const kept = countCap(inCreationOrder(list, i), c.maxPipelines, ns, 'maxPipelines', d.rejectedPipelines);
    if (c.maxRecordBytes === undefined && c.maxRecordsPerSecond === undefined) continue;
    for (const p of kept) {
      const pc: PipelineCaps = {};
      if (c.maxRecordsPerSecond !== undefined) pc.recordsPerSecond = c.maxRecordsPerSecond;
      if (c.maxRecordBytes !== undefined) {
        const asked = bytes(p.spec.parse?.maxRecordSize);
        const effective = asked ?? SIZE_DEFAULTS.maxRecordBytes;
        if (effective > c.maxRecordBytes) {
          pc.maxRecordBytes = c.maxRecordBytes;
          pc.note = `records longer than ${formatBytes(c.maxRecordBytes)} are truncated and counted: namespace "${ns}" caps the record size (tenancy cap maxRecordBytes)${asked === undefined ? '' : `, below the ${formatBytes(asked)} of spec.parse.maxRecordSize`}`;
        }
      }
      d.pipelineCaps.set(resourceId(p), pc);
    }
  }
  return d;
}
