// The agent NetworkPolicy: the metrics port for the peers the platform names, the tap port for
// anyone (the apiserver's pods/proxy), and the settings that make the agent authorise /metrics and
// /status itself (the apiserver stores this policy as rendered: test/integration/agent-endpoints-kube.test.ts).
import { describe, expect, test } from '@jest/globals';
import { agentSettingsFor } from './agent-settings.ts';
import { renderAgentNetworkPolicy } from './network.ts';
import { defaultSettings } from './settings.ts';

const ingress = (s: Parameters<typeof renderAgentNetworkPolicy>[0]) =>
  (renderAgentNetworkPolicy(s) as { spec: { ingress: unknown[] } }).spec.ingress;

describe('agent NetworkPolicy', () => {
  test('monitoring peers restrict the metrics port only; the tap port stays open', () => {
    const prometheus = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    };
    expect(ingress(defaultSettings({ metricsFrom: [prometheus], metricsPort: 9100, tapPort: 9101 }))).toEqual(
      [
        { from: [prometheus], ports: [{ port: 9100, protocol: 'TCP' }] },
        { ports: [{ port: 9101, protocol: 'TCP' }] },
      ],
    );
  });

  test('without peers both ports admit any pod, and the agent authorises /metrics and /status', () => {
    const s = defaultSettings();
    expect(ingress(s)).toEqual([
      { ports: [{ port: 2020, protocol: 'TCP' }] },
      { ports: [{ port: 2021, protocol: 'TCP' }] },
    ]);
    expect(agentSettingsFor(s)).toMatchObject({ httpPort: 2020, tapPort: 2021, httpAuth: 'kubernetes' });
  });
});
