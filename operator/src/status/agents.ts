// What the agents report through their Leases (agent/src/ops/report.ts), summed for status:
// which config shards (by hash) run on how many live agents, and per-output figures over all agents.
import { BASE_SHARD } from '../../../contract/agent-config/shards.ts';
import {
  type OutputReport,
  parseReport,
  parseShardHashes,
  REPORT_HASH_ANNOTATION,
  REPORT_SHARDS_ANNOTATION,
  REPORT_STATS_ANNOTATION,
} from '../../../contract/report.ts';
import type { KubeObject } from '../kube/client.ts';

export interface OutputFigures {
  delivered: number;
  bufferedBytes: number;
  dropped: Record<string, number>;
  lastError?: string;
  lastErrorTime?: string;
}

/** Live agents that run the same shards: shard key (BASE_SHARD for the base) → hash. */
export interface AgentGroup {
  shards: Map<string, string>;
  count: number;
}

export interface AgentReports {
  /** live agents, grouped by the shard hashes they run (usually one group: all agents alike) */
  agents: AgentGroup[];
  outputs: Map<string, OutputFigures>;
  /** Per pipeline: bytes of its files never read, by reason, summed over agents. */
  unreadBytes: Map<string, Record<string, number>>;
  /** Per pipeline: records dropped by the tenancy caps, by reason, summed over agents. */
  capped: Map<string, Record<string, number>>;
  live: number;
}

interface LeaseSpec {
  renewTime?: string;
  leaseDurationSeconds?: number;
}

/** Leases renewed within their duration count; a stale one (agent gone) does not. */
export function isFresh(lease: KubeObject, now: number): boolean {
  const spec = (lease.spec ?? {}) as LeaseSpec;
  if (!spec.renewTime) return false;
  return Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 120) * 1000 > now;
}

export function aggregateReports(leases: KubeObject[], now: number): AgentReports {
  const groups = new Map<string, AgentGroup>();
  const outputs = new Map<string, OutputFigures>();
  const unreadBytes = new Map<string, Record<string, number>>();
  const capped = new Map<string, Record<string, number>>();
  let live = 0;
  for (const l of leases) {
    if (!isFresh(l, now)) continue;
    live++;
    const a = l.metadata.annotations ?? {};
    const hash = a[REPORT_HASH_ANNOTATION];
    const shardsText = a[REPORT_SHARDS_ANNOTATION] ?? '';
    const sig = `${hash ?? ''}\0${shardsText}`;
    const g = groups.get(sig);
    if (g) g.count++;
    else {
      const shards = new Map(Object.entries(parseShardHashes(shardsText)));
      shards.delete(BASE_SHARD);
      if (hash) shards.set(BASE_SHARD, hash);
      groups.set(sig, { shards, count: 1 });
    }
    const r = parseReport(a[REPORT_STATS_ANNOTATION]);
    if (!r) continue;
    for (const [id, o] of Object.entries(r.o)) add(outputs, id, o);
    for (const [id, p] of Object.entries(r.p ?? {})) {
      if (p.u) sumInto(unreadBytes, id, p.u);
      if (p.c) sumInto(capped, id, p.c);
    }
  }
  return { agents: [...groups.values()], outputs, unreadBytes, capped, live };
}

function sumInto(m: Map<string, Record<string, number>>, id: string, add: Record<string, number>): void {
  const u = m.get(id) ?? {};
  for (const [reason, n] of Object.entries(add)) if (n > 0) u[reason] = (u[reason] ?? 0) + n;
  m.set(id, u);
}

function add(outputs: Map<string, OutputFigures>, id: string, o: OutputReport): void {
  let f = outputs.get(id);
  if (!f) {
    f = { delivered: 0, bufferedBytes: 0, dropped: {} };
    outputs.set(id, f);
  }
  f.delivered += o.d || 0;
  f.bufferedBytes += o.b || 0;
  for (const [reason, n] of Object.entries(o.x ?? {})) f.dropped[reason] = (f.dropped[reason] ?? 0) + n;
  if (o.e && o.t && (!f.lastErrorTime || o.t > f.lastErrorTime)) {
    f.lastError = o.e;
    f.lastErrorTime = o.t;
  }
}

/**
 * Which statuses a change of one report Lease can change: every status, or (when only the hashes
 * of some namespace shards moved, the usual case while a namespace's change rolls out) only the
 * LogPipelines of those namespaces. A heartbeat that changes nothing changes no status.
 */
export function reportDelta(
  old: KubeObject | undefined,
  obj: KubeObject,
  deleted: boolean,
  now: number,
): { all: true } | { all: false; namespaces: Set<string> } {
  if (deleted || old === undefined || !isFresh(old, now) || !isFresh(obj, now)) return { all: true };
  const a = old.metadata.annotations ?? {};
  const b = obj.metadata.annotations ?? {};
  if (a[REPORT_HASH_ANNOTATION] !== b[REPORT_HASH_ANNOTATION]) return { all: true };
  if (a[REPORT_STATS_ANNOTATION] !== b[REPORT_STATS_ANNOTATION]) return { all: true };
  const namespaces = new Set<string>();
  if (a[REPORT_SHARDS_ANNOTATION] === b[REPORT_SHARDS_ANNOTATION]) return { all: false, namespaces };
  const x = parseShardHashes(a[REPORT_SHARDS_ANNOTATION]);
  const y = parseShardHashes(b[REPORT_SHARDS_ANNOTATION]);
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) if (x[k] !== y[k]) namespaces.add(k);
  return { all: false, namespaces };
}

/** The earliest moment a fresh lease goes stale (to re-check status then). */
export function nextExpiry(leases: KubeObject[], now: number): number | undefined {
  let min: number | undefined;
  for (const l of leases) {
    if (!isFresh(l, now)) continue;
    const spec = (l.spec ?? {}) as LeaseSpec;
    const t = Date.parse(spec.renewTime!) + (spec.leaseDurationSeconds ?? 120) * 1000;
    if (min === undefined || t < min) min = t;
  }
  return min;
}
