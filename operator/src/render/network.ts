// The agent's metrics Service, its PodDisruptionBudget, and a NetworkPolicy that admits the
// monitoring stack to the metrics port and anyone to the tap port; egress stays open (outputs
// live anywhere).
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

/**
 * Two ports, two audiences. The metrics port (/metrics, /status, probes) admits the peers the
 * platform names (`agent.metricsFrom`: its Prometheus), or any pod when it names none; the agent
 * authorises /metrics and /status itself either way, since not every cluster enforces
 * NetworkPolicies. The kubelet's probes come from the node, which NetworkPolicies always admit.
 * The tap port admits anyone: `sluice tap` arrives through the apiserver's pods/proxy from a
 * control-plane address that no pod selector matches, and every tap is authorised per request.
 */
export function renderAgentNetworkPolicy(s: RenderSettings): Record<string, unknown> {
  const metrics = { ports: [{ port: s.metricsPort, protocol: 'TCP' }] };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(s, s.agentName),
    spec: {
      podSelector: { matchLabels: agentSelectorLabels(s) },
      policyTypes: ['Ingress'],
      ingress: [
        s.metricsFrom.length > 0 ? { from: s.metricsFrom, ...metrics } : metrics,
        { ports: [{ port: s.tapPort, protocol: 'TCP' }] },
      ],
    },
  };
}
