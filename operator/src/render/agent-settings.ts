// Where the agent finds things inside its pod. The DaemonSet (daemonset.ts) mounts the node's
// directories at these paths and the agent config carries the same paths, both from this one
// place: a path the DaemonSet mounts somewhere the agent does not look, or the reverse, was how
// host files matched nothing and pod selectors waited for ever.
import type { AgentSettings } from '../../../contract/agent-config/types.ts';
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
 * The agent settings an install implies: the pod-log directory the DaemonSet mounts, the host root,
 * the data directory, the metrics port the probes and the Service use, and Kubernetes enrichment
 * (pod selectors, workload fields and the exclude annotation need it), and who may read its
 * endpoints (docs/security.md). `overrides` (the operator's
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
  };
  return {
    ...base,
    ...overrides,
    enrichment: { ...base.enrichment, ...overrides.enrichment },
  };
}
