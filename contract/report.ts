// The agent's report, as the operator reads it: each agent keeps one Lease per node labelled
// REPORT_LABEL, whose annotations carry the config hash it runs and compact per-output figures
// (agent/src/ops/report.ts writes it, operator/src/status/agents.ts reads it). Version 1; a
// reader ignores a report it cannot parse instead of failing.

export const REPORT_LABEL = 'sluice.dev/agent-report';
export const REPORT_HASH_ANNOTATION = 'sluice.dev/config-hash';
export const REPORT_STATS_ANNOTATION = 'sluice.dev/report';

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
