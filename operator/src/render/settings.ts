// What the platform team decides at install time (Helm values → operator flags/env), as one
// typed object with defaults. Rendering depends on nothing else.
import type { TenancyPolicy } from '../tenancy/policy.ts';

export interface RenderSettings {
  /** Namespace of the operator and the agent DaemonSet. */
  namespace: string;
  /** Base name of the owned objects (`sluice-agent`). */
  agentName: string;
  /**
   * Name of the operator's own ClusterRole (installed with it): the owner of every agent object,
   * so uninstalling the operator garbage-collects its agents.
   */
  operatorName: string;
  agentImage: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets: string[];
  priorityClassName?: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  /** Default: tolerate every taint, so every node ships its logs. */
  tolerations: Array<Record<string, unknown>>;
  nodeSelector: Record<string, string>;
  /** Host paths. */
  podLogsDir: string;
  containerLogsDir: string;
  hostDataDir: string;
  metricsPort: number;
  /** Port of /tap alone, admitted by the NetworkPolicy from anywhere (the apiserver's pods/proxy). */
  tapPort: number;
  /**
   * NetworkPolicy peers admitted to the metrics port (/metrics, /status, /healthz, /readyz): the
   * monitoring stack. Empty: any pod (the agent still requires an authorised token for /metrics
   * and /status; the kubelet's probes come from the node, which NetworkPolicies always admit).
   */
  metricsFrom: Array<Record<string, unknown>>;
  /** Labels of the operator pods, for the NetworkPolicy. */
  operatorPodLabels: Record<string, string>;
  /** Extra labels on every owned object. */
  commonLabels: Record<string, string>;
  version: string;
  /** Per-namespace caps of LogPipelines and LogOutputs (chart values `tenancy`). */
  tenancy?: TenancyPolicy;
  /**
   * Node-wide budget of the agent's output buffers (chart values `agent.bufferBudget`): memory as
   * a quantity, or empty for a share of the agent's memory limit; disk as a quantity, empty for none.
   */
  bufferBudget?: { memory?: string | number; memoryPercentOfLimit?: number; disk?: string | number };
  /**
   * Largest compressed config of one namespace's shard ConfigMap (default CONFIGMAP_MAX_BYTES, what
   * a ConfigMap holds); beyond it the namespace's pipelines get ConfigShardTooLarge. Lower only to
   * test that condition.
   */
  configShardMaxBytes?: number;
}

export function defaultSettings(overrides: Partial<RenderSettings> = {}): RenderSettings {
  return {
    namespace: 'sluice-system',
    agentName: 'sluice-agent',
    operatorName: 'sluice-operator',
    agentImage: 'ghcr.io/sluice-dev/sluice-agent:0.1.0',
    imagePullPolicy: 'IfNotPresent',
    imagePullSecrets: [],
    priorityClassName: 'system-node-critical',
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    tolerations: [{ operator: 'Exists' }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    podLogsDir: '/var/log/pods',
    containerLogsDir: '/var/log/containers',
    hostDataDir: '/var/lib/sluice',
    metricsPort: 2020,
    tapPort: 2021,
    metricsFrom: [],
    operatorPodLabels: { 'app.kubernetes.io/name': 'sluice', 'app.kubernetes.io/component': 'operator' },
    commonLabels: {},
    version: '0.1.0',
    bufferBudget: { memory: '', memoryPercentOfLimit: 25, disk: '8Gi' },
    tenancy: {
      defaults: {
        maxPipelines: null,
        maxOutputs: null,
        maxBufferBytes: null,
        maxDiskBufferBytes: null,
        maxRecordBytes: null,
        maxRecordsPerSecond: null,
        allowedDestinations: null,
      },
      namespaces: [],
    },
    ...overrides,
  };
}
