// The agent DaemonSet: one agent per node, reading the node's log directories read-only, keeping
// checkpoints and disk buffers in a host directory, hot-reloading its mounted config. The config
// hash is recorded on the DaemonSet, not on the pod template: a config change must not restart
// pods (the agents reload it); only changes to the pod itself roll the DaemonSet.
import { AGENT_ENV, AGENT_NODE_OPTIONS } from '../../../contract/node-flags.ts';
import { AGENT_PATHS } from './agent-settings.ts';
import { agentSelectorLabels, CONFIG_HASH_ANNOTATION, labels, meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export const AGENT_CONFIG_PATH = `${AGENT_PATHS.config}/agent.json.gz`;

export function renderAgentDaemonSet(s: RenderSettings, configHash: string): Record<string, unknown> {
  const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...meta(s, s.agentName), annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
    spec: {
      selector: { matchLabels: agentSelectorLabels(s) },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: {
          labels: labels(s),
          annotations: { 'kubectl.kubernetes.io/default-container': 'agent' },
        },
        spec: {
          serviceAccountName: s.agentName,
          automountServiceAccountToken: true,
          ...(s.priorityClassName ? { priorityClassName: s.priorityClassName } : {}),
          tolerations: s.tolerations,
          nodeSelector: s.nodeSelector,
          ...(s.imagePullSecrets.length
            ? { imagePullSecrets: s.imagePullSecrets.map((name) => ({ name })) }
            : {}),
          terminationGracePeriodSeconds: 30,
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'agent',
              image: s.agentImage,
              imagePullPolicy: s.imagePullPolicy,
              args: ['agent', '--config', AGENT_CONFIG_PATH],
              env: [
                fieldEnv('NODE_NAME', 'spec.nodeName'),
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                // Its report Lease is `<agent name>-<node>`, the name the admission policy admits.
                { name: 'SLUICE_AGENT_NAME', value: s.agentName },
                // The image's flags, repeated: a NODE_OPTIONS here would replace them, not add.
                { name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS },
                // and the image's environment for glibc (the same as the image's ENV)
                ...Object.entries(AGENT_ENV).map(([name, value]) => ({ name, value })),
              ],
              ports: [
                { name: 'metrics', containerPort: s.metricsPort, protocol: 'TCP' },
                { name: 'tap', containerPort: s.tapPort, protocol: 'TCP' },
              ],
              resources: s.resources,
              // Log files and the data directory belong to root on the node: the agent runs as
              // uid 0 but with every capability dropped, no privilege escalation and a read-only
              // root filesystem, so it can read what root owns and nothing more.
              securityContext: {
                runAsUser: 0,
                runAsGroup: 0,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                privileged: false,
                capabilities: { drop: ['ALL'] },
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'metrics' },
                periodSeconds: 10,
                failureThreshold: 6,
              },
              readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5 },
              volumeMounts: [
                { name: 'config', mountPath: AGENT_PATHS.config, readOnly: true },
                { name: 'pod-logs', mountPath: s.podLogsDir, readOnly: true },
                { name: 'container-logs', mountPath: s.containerLogsDir, readOnly: true },
                // Host files: /var/log/syslog is read at /host/var/log/syslog (agentSettingsFor).
                { name: 'host-logs', mountPath: `${AGENT_PATHS.hostRoot}/var/log`, readOnly: true },
                { name: 'data', mountPath: AGENT_PATHS.data },
                { name: 'tmp', mountPath: AGENT_PATHS.tmp },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: s.agentName } },
            { name: 'pod-logs', hostPath: { path: s.podLogsDir, type: 'DirectoryOrCreate' } },
            { name: 'container-logs', hostPath: { path: s.containerLogsDir, type: 'DirectoryOrCreate' } },
            { name: 'host-logs', hostPath: { path: '/var/log', type: 'Directory' } },
            { name: 'data', hostPath: { path: s.hostDataDir, type: 'DirectoryOrCreate' } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}
