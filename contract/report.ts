// The agent's report, as the operator reads it: each agent keeps one Lease per node labelled
// REPORT_LABEL, whose annotations carry the hash of the base config it runs, the hash of each
// namespace config shard it runs (contract/agent-config/shards.ts) and compact per-output figures
// (agent/src/ops/report.ts writes it, operator/src/status/agents.ts reads it). Version 1; a
// reader ignores a report it cannot parse instead of failing.
//
// Size: annotations of one object hold 256 kB together. The shard hashes cost ~22 bytes plus the
// namespace's name per namespace with LogPipelines (69 kB at 2,000 namespaces); the figures only
// outputs with something to say (idle outputs are left out: no records, nothing buffered or
// dropped, no error), so they grow with the outputs active on that node, not with the cluster.

export const REPORT_LABEL = 'sluice.dev/agent-report';
export const REPORT_HASH_ANNOTATION = 'sluice.dev/config-hash';
/** JSON `{"<namespace>": "<shard hash>"}`: the namespace shards the agent runs. */
export const REPORT_SHARDS_ANNOTATION = 'sluice.dev/config-shards';
export const REPORT_STATS_ANNOTATION = 'sluice.dev/report';

/** The shard hashes of a report: `{}` when absent or unreadable. */
export function parseShardHashes(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Per output: d delivered, b buffered bytes, x drops by reason, e last error, t its time. */
export interface OutputReport {
  d: number;
  b: number;
  x?: Record<string, number>;
  e?: string;
  t?: string;
}
/**
 * Per pipeline: u bytes of its files never read, by reason (deleted, incomplete_line); c records
 * dropped by the platform's tenancy caps, by reason (namespace_rate_cap).
 */
export interface PipelineReport {
  u?: Record<string, number>;
  c?: Record<string, number>;
}
export interface Report {
  v: 1;
  o: Record<string, OutputReport>;
  /** Only pipelines with something to say. */
  p?: Record<string, PipelineReport>;
}

export function parseReport(text: string | undefined): Report | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Report;
    return r && r.v === 1 && typeof r.o === 'object' ? r : undefined;
  } catch {
    return undefined;
  }
}
