// Where the agent finds things inside its pod. The DaemonSet (daemonset.ts) mounts the node's
// directories at these paths and the agent config carries the same paths, both from this one
// place: a path the DaemonSet mounts somewhere the agent does not look, or the reverse, was how
// host files matched nothing and pod selectors waited for ever.
import type { AgentSettings } from '../../../contract/agent-config/types.ts';
import { parseQuantity } from '../api/units.ts';
import { shardSelector } from './configmap.ts';
import type { RenderSettings } from './settings.ts';

/** Container paths of the agent's mounts. */
export const AGENT_PATHS = {
  /** The ConfigMap with the compiled config. */
  config: '/etc/sluice',
  /**
   * The node's /var/log is mounted read-only at `<hostRoot>/var/log`, so a host-file path as the
   * user writes it (`/var/log/syslog`) is found at `/host/var/log/syslog`.
   */
  hostRoot: '/host',
  /** Checkpoints and disk buffers (the node's `hostDataDir`). */
  data: '/var/lib/sluice',
  tmp: '/tmp',
} as const;

/**
 * The node-wide buffer budget (agent bufferBudget): memory as set, else a share of the agent
 * container's memory limit (none without a limit); disk as set, else none. Memory buffers cost
 * about twice their accounted bytes in heap (events, arenas, batches in flight), and the agent
 * needs the rest of its limit for reading, parsing and enrichment: hence a quarter by default.
 */
export function bufferBudgetFor(s: RenderSettings): AgentSettings['bufferBudget'] {
  const b = s.bufferBudget ?? {};
  const q = (v: string | number | undefined, what: string): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = typeof v === 'number' ? v : parseQuantity(v);
    if (n === undefined || !Number.isInteger(n) || n < 1)
      throw new Error(`${what}: "${v}" is not a byte quantity such as 256Mi`);
    return n;
  };
  const limit = q(s.resources.limits.memory, 'agent.resources.limits.memory');
  const memory =
    q(b.memory, 'agent.bufferBudget.memory') ??
    (limit === undefined ? undefined : Math.floor((limit * (b.memoryPercentOfLimit ?? 25)) / 100));
  const disk = q(b.disk, 'agent.bufferBudget.disk');
  if (memory === undefined && disk === undefined) return undefined;
  return {
    ...(memory !== undefined ? { memoryBytes: Math.max(memory, 1) } : {}),
    ...(disk !== undefined ? { diskBytes: disk } : {}),
  };
}

/**
 * The agent settings an install implies: the pod-log directory the DaemonSet mounts, the host root,
 * the data directory, the metrics port the probes and the Service use, and Kubernetes enrichment
 * (pod selectors, workload fields and the exclude annotation need it), where the per-namespace
 * config shards are, the node-wide buffer budget,
 * and who may read its endpoints (docs/security.md). `overrides` (the operator's
 * `--agent-settings`) win field by field; they exist for tuning (logLevel, buffers) and for agents
 * that run outside a DaemonSet.
 */
export function agentSettingsFor(s: RenderSettings, overrides: AgentSettings = {}): AgentSettings {
  const base: AgentSettings = {
    podLogsDir: s.podLogsDir,
    hostRoot: AGENT_PATHS.hostRoot,
    dataDir: AGENT_PATHS.data,
    httpPort: s.metricsPort,
    // /metrics and /status carry every tenant's figures and errors: authorised callers only.
    httpAuth: 'kubernetes',
    tapPort: s.tapPort,
    enrichment: { kubernetes: true },
    // Each namespace's pipelines and outputs: one ConfigMap per namespace, read through the API.
    configShards: { namespace: s.namespace, labelSelector: shardSelector(s) },
  };
  const budget = bufferBudgetFor(s);
  if (budget !== undefined) base.bufferBudget = budget;
  return {
    ...base,
    ...overrides,
    enrichment: { ...base.enrichment, ...overrides.enrichment },
  };
}
