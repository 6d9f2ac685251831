// The platform's destination allow-list through the operator's whole decision: a LogOutput that
// sends anywhere else is refused with the host, the setting and the list; others run.
import { describe, expect, test } from '@jest/globals';
import { computeDesired } from '../controller/desired.ts';
import type { KubeObject } from '../kube/client.ts';
import { defaultSettings } from '../render/settings.ts';
import { hostAllowed } from './destinations.ts';
import { compilePolicy, type TenancyPolicy } from './policy.ts';

const V = 'sluice.dev/v1alpha1';
const lo = (ns: string, name: string, block: object): KubeObject => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: block,
});
const lp = (ns: string, name: string, out: string): KubeObject => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
  spec: { outputs: [{ name: out }] },
});
const decide = (outputs: KubeObject[], pipelines: KubeObject[], tenancy: TenancyPolicy) =>
  computeDesired(
    {
      pipelines,
      outputs,
      namespaces: new Map([
        ['shop', {}],
        ['lab', {}],
      ]),
      secrets: new Map(),
    },
    defaultSettings({ tenancy }),
    undefined,
  );

describe('allowed destinations', () => {
  test('host, host:port and *.domain entries', () => {
    const allowed = ['kafka.logging.svc:9092', '*.es.example.com', 'minio.storage'];
    expect(hostAllowed('kafka.logging.svc', 9092, allowed)).toBe(true);
    expect(hostAllowed('kafka.logging.svc', 9093, allowed)).toBe(false);
    expect(hostAllowed('eu1.ES.example.com', 443, allowed)).toBe(true);
    expect(hostAllowed('es.example.com', 443, allowed)).toBe(false); // a subdomain, not the domain
    expect(hostAllowed('evil-es.example.com', 443, allowed)).toBe(false);
    expect(hostAllowed('minio.storage', 9000, allowed)).toBe(true);
    expect(hostAllowed('169.254.169.254', 80, allowed)).toBe(false);
  });

  test('a LogOutput sending elsewhere is refused, and its pipeline with it; allowed ones and other namespaces run', () => {
    const d = decide(
      [
        lo('shop', 'events', { kafka: { brokers: ['kafka.logging.svc:9092'], topic: 'shop' } }),
        lo('shop', 'probe', { kafka: { brokers: ['kafka.logging.svc:9092', '10.0.0.7:22'], topic: 'x' } }),
        lo('shop', 'search', { opensearch: { endpoints: ['https://eu1.es.example.com'] } }),
        lo('shop', 'meta', { opensearch: { endpoints: ['http://169.254.169.254/latest'] } }),
        lo('shop', 'aws', {
          s3: {
            bucket: 'shop-archive',
            region: 'eu-west-1',
            credentials: {
              accessKeyId: { name: 'aws', key: 'id' },
              secretAccessKey: { name: 'aws', key: 'secret' },
            },
          },
        }),
        lo('lab', 'anything', { kafka: { brokers: ['10.0.0.7:22'], topic: 'x' } }),
      ],
      [lp('shop', 'ok', 'events'), lp('shop', 'scan', 'probe')],
      {
        defaults: { allowedDestinations: ['kafka.logging.svc:9092', '*.es.example.com'] },
        namespaces: [{ namespaces: ['lab'], allowedDestinations: null }],
      },
    );
    const rejection = (id: string) => d.outputs.get(id)?.rejection;
    expect(rejection('LogOutput/shop/events')).toBeUndefined();
    expect(rejection('LogOutput/shop/search')).toBeUndefined();
    expect(rejection('LogOutput/lab/anything')).toBeUndefined(); // the override lifts the list
    expect(rejection('LogOutput/shop/probe')).toEqual({
      reason: 'DestinationNotAllowed',
      message:
        'LogOutput/shop/probe sends to 10.0.0.7:22 (spec.kafka.brokers[1]), which is not among the destinations namespace "shop" may use (tenancy allowedDestinations: kafka.logging.svc:9092, *.es.example.com); use one of them, or ask the platform team to allow it',
    });
    expect(rejection('LogOutput/shop/meta')?.message).toContain(
      'sends to 169.254.169.254:80 (spec.opensearch.endpoints[0])',
    );
    expect(rejection('LogOutput/shop/aws')?.message).toContain(
      'sends to s3.eu-west-1.amazonaws.com:443 (spec.s3.region)',
    );
    expect(d.pipelines.get('LogPipeline/shop/ok')?.accepted).toBe(true);
    expect(d.pipelines.get('LogPipeline/shop/scan')?.accepted).toBe(false);
    expect(d.config.outputs.map((o) => o.id).sort()).not.toContain('LogOutput/shop/probe');
  });

  test('a malformed entry stops the operator at start, naming it', () => {
    expect(() => compilePolicy({ defaults: { allowedDestinations: ['https://x'] } })).toThrow(
      'tenancy.defaults.allowedDestinations: "https://x" is not a host, host:port or *.domain[:port]',
    );
  });
});
