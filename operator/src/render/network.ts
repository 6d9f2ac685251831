// The agent's metrics Service, its PodDisruptionBudget, and a NetworkPolicy that admits only
// metrics scrapes on the metrics port; egress stays open (outputs live anywhere).
import { agentSelectorLabels, meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export function renderAgentService(s: RenderSettings): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s, `${s.agentName}-metrics`),
    spec: {
      clusterIP: 'None',
      selector: agentSelectorLabels(s),
      ports: [{ name: 'metrics', port: s.metricsPort, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

/** Voluntary disruptions (node drains) take one agent at a time; a DaemonSet pod is per node anyway. */
export function renderAgentPdb(s: RenderSettings): Record<string, unknown> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(s, s.agentName),
    spec: { maxUnavailable: 1, selector: { matchLabels: agentSelectorLabels(s) } },
  };
}

export function renderAgentNetworkPolicy(s: RenderSettings): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(s, s.agentName),
    spec: {
      podSelector: { matchLabels: agentSelectorLabels(s) },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: s.metricsPort, protocol: 'TCP' }] }],
    },
  };
}
