// The Helm chart against the real tools and the real apiserver: `helm lint` clean, `helm template`
// clean for the default and the full-featured values, values.schema.json enforced by helm, and
// `helm template | kubectl apply --dry-run=server` accepted by the test control plane (admission,
// RBAC escalation checks and schema validation included).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as yaml from 'js-yaml';
import { bufferBudgetFor } from '../../operator/src/render/agent-settings.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { compilePolicy } from '../../operator/src/tenancy/policy.ts';
import { KUBE_VERSION, NAMESPACE } from '../../scripts/chart/manifests.ts';
import { kubeEnv, toolsEnv } from '../env/index.ts';

const root = join(import.meta.dirname, '../..');
const chart = join(root, 'charts/sluice');
let helm: string;
let kubectl: string;
let kubeconfig: string;

beforeAll(() => {
  ({ helm, kubectl } = toolsEnv());
  kubeconfig = kubeEnv().kubeconfig;
});

const sh = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfig },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const template = (...args: string[]) =>
  sh(helm, ['template', 'sluice', chart, '-n', NAMESPACE, '--kube-version', KUBE_VERSION, ...args]);

const ALL_ON = [
  '--set',
  'monitoring.serviceMonitor.enabled=true',
  '--set',
  'monitoring.prometheusRule.enabled=true',
  '--set',
  'monitoring.dashboard.enabled=true',
  '--set',
  'operator.priorityClassName=system-cluster-critical',
  '--set',
  'commonLabels.team=platform',
  '--set',
  'imagePullSecrets[0]=regcred',
];

describe('helm', () => {
  test('helm lint --strict is clean, with defaults and with everything on', () => {
    for (const extra of [[], ALL_ON]) {
      const r = sh(helm, ['lint', '--strict', chart, '--kube-version', KUBE_VERSION, ...extra]);
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(r.out).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  test('helm template renders every optional object when asked', () => {
    const r = template(...ALL_ON);
    expect(r.err).toBe('');
    // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects parsed from YAML/JSON
    const docs = yaml.loadAll(r.out).filter(Boolean) as Record<string, any>[];
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'ConfigMap', 'PodDisruptionBudget']),
    );
    for (const d of docs) expect(d.metadata.labels?.team).toBe('platform');
    const dashboard = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'sluice-dashboard')!;
    expect(JSON.parse(dashboard.data['sluice.json']).uid).toBe('sluice-overview');
  });

  test('the helm template command of docs/install/kubectl.md works as written, offline, with no cluster', () => {
    const doc = readFileSync(join(root, 'docs/install/kubectl.md'), 'utf8');
    const cmd = /`(helm template [^`]*)`/.exec(doc)?.[1];
    expect(cmd).toBeDefined();
    // As a user has it: their values file, helm on the PATH, and no kubeconfig to ask a cluster.
    const dir = mkdtempSync(join(tmpdir(), 'sluice-template-'));
    writeFileSync(join(dir, 'my-values.yaml'), 'operator:\n  replicas: 1\n');
    mkdirSync(join(dir, 'charts'));
    symlinkSync(chart, join(dir, 'charts/sluice'), 'dir');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', cmd!], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: `${dirname(helm)}:${process.env.PATH}`, HOME: dir, KUBECONFIG: join(dir, 'none') },
      maxBuffer: 64 << 20,
    });
    expect({ code: r.status, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(r.stdout).toContain('kind: CustomResourceDefinition');
    expect(r.stdout).toContain('kind: Deployment');
  });

  test('values.schema.json makes helm reject unknown keys and bad types', () => {
    for (const bad of [
      'operator.replica=2',
      'operator.replicas=0',
      'image.pullPolicy=Sometimes',
      'agent.podLogsDir=logs',
      'tenancy.defaults.maxPipeline=3',
      'tenancy.defaults.maxBufferBytes=64 MB',
      'tenancy.defaults.maxPipelines=-1',
      'agent.bufferBudget.disk=lots',
    ]) {
      const r = template('--set', bad);
      expect([bad, r.code]).toEqual([bad, 1]);
      expect(r.err).toContain('values don');
    }
  });

  test('agent.metricsFrom and agent.tapPort reach the operator settings; the agent ServiceMonitor sends a token', () => {
    const peer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
    const r = template(
      ...ALL_ON,
      '--set-json',
      `agent.metricsFrom=${JSON.stringify([peer])}`,
      '--set',
      'agent.tapPort=9101',
    );
    expect(r.err).toBe('');
    // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects parsed from YAML/JSON
    const docs = yaml.loadAll(r.out).filter(Boolean) as Record<string, any>[];
    const settings = docs.find(
      (d) => d.kind === 'ConfigMap' && d.metadata.name === 'sluice-operator-settings',
    )!;
    expect(JSON.parse(settings.data['settings.json'])).toMatchObject({ metricsFrom: [peer], tapPort: 9101 });
    const agentMonitor = docs.find((d) => d.kind === 'ServiceMonitor' && d.metadata.name === 'sluice-agent')!;
    expect(agentMonitor.spec.endpoints[0].bearerTokenFile).toBe(
      '/var/run/secrets/kubernetes.io/serviceaccount/token',
    );
    // a peer that is not a NetworkPolicy peer is refused by the schema
    const bad = template('--set-json', 'agent.metricsFrom=[{"namespace":"monitoring"}]');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('values don');
  });

  test("tenancy caps and the buffer budget from a values file reach the operator's settings as it reads them", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tenancy-'));
    const values = join(dir, 'values.yaml');
    writeFileSync(
      values,
      yaml.dump({
        tenancy: {
          defaults: { maxPipelines: 20, maxBufferBytes: '64Mi', maxRecordsPerSecond: 5000 },
          namespaces: [
            { namespaces: ['payments'], maxRecordsPerSecond: 20000 },
            { selector: { matchLabels: { tier: 'sandbox' } }, maxPipelines: 2, maxBufferBytes: null },
          ],
        },
        agent: { bufferBudget: { memory: '96Mi', disk: '2Gi' } },
      }),
    );
    const r = template('-f', values, '--show-only', 'templates/settings.yaml');
    expect(r.err).toBe('');
    const cm = yaml.load(r.out) as { data: Record<string, string> };
    const settings = defaultSettings(JSON.parse(cm.data['settings.json']));
    const policy = compilePolicy(settings.tenancy);
    expect(policy.capsFor('shop', {})).toEqual({
      maxPipelines: 20,
      maxBufferBytes: 64 * 1024 * 1024,
      maxRecordsPerSecond: 5000,
    });
    expect(policy.capsFor('payments', {}).maxRecordsPerSecond).toBe(20000);
    expect(policy.capsFor('lab', { tier: 'sandbox' })).toEqual({
      maxPipelines: 2,
      maxRecordsPerSecond: 5000,
    });
    expect(bufferBudgetFor(settings)).toEqual({ memoryBytes: 96 * 1024 * 1024, diskBytes: 2 * 1024 ** 3 });
  });

  test('one replica: no PodDisruptionBudget (it would block every drain)', () => {
    const docs = yaml.loadAll(template('--set', 'operator.replicas=1').out).filter(Boolean) as {
      kind: string;
    }[];
    expect(docs.map((d) => d.kind)).not.toContain('PodDisruptionBudget');
  });
});

describe('kubectl apply --dry-run=server', () => {
  test('the rendered chart (CRDs included) is accepted by the apiserver', () => {
    const ns = sh(kubectl, ['create', 'namespace', NAMESPACE, '--dry-run=client', '-o', 'yaml']);
    const apply = (manifest: string) =>
      sh(
        kubectl,
        // Other tests of this shared control plane may have installed the CRDs under another manager.
        [
          'apply',
          '--server-side',
          '--force-conflicts',
          '--dry-run=server',
          '--field-manager=helm-test',
          '-f',
          '-',
        ],
        manifest,
      );
    // The namespace must exist for a server-side dry run of namespaced objects.
    expect(sh(kubectl, ['apply', '--server-side', '--field-manager=helm-test', '-f', '-'], ns.out).code).toBe(
      0,
    );
    const r = apply(
      template('--include-crds', '--set', 'operator.priorityClassName=system-cluster-critical').out,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'customresourcedefinition.apiextensions.k8s.io/logpipelines.sluice.dev serverside-applied (server dry run)',
    );
    expect(r.out).toContain('deployment.apps/sluice-operator serverside-applied (server dry run)');
    expect(r.out).toContain(
      'clusterrole.rbac.authorization.k8s.io/sluice-operator serverside-applied (server dry run)',
    );
  });

  test('the checked-in kubectl bundle is accepted too', () => {
    const r = sh(kubectl, [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--dry-run=server',
      '--field-manager=helm-test',
      '-f',
      join(root, 'manifests'),
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.includes('(server dry run)')).length).toBeGreaterThan(12);
  });
});
