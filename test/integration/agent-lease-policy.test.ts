// The chart's admission policy against the real apiserver: under the agent's ServiceAccount and the
// Role the operator renders, an agent's pod-bound token writes its own node's report Lease (through
// the agent's real reporter) and nothing else — not another node's report, not the operator's
// leader-election Lease, not with a token that is not bound to a pod.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  RbacAuthorizationV1Api,
  type V1Lease,
  type V1Role,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import * as yaml from 'js-yaml';
import { startReporter } from '../../agent/src/ops/report.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { REPORT_HASH_ANNOTATION, REPORT_LABEL } from '../../contract/report.ts';
import { renderAgentLeasePolicy } from '../../operator/src/render/agent-policy.ts';
import { renderAgentStatusRole } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { adminKubeConfig, kubeConfigFor, kubeEnv, serviceAccountCredentials } from '../env/index.ts';

const kube = kubeEnv();
const admin = adminKubeConfig(kube);
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const leases = admin.makeApiClient(CoordinationV1Api);
const ns = `sluice-vap-${Date.now().toString(36)}`;
const agent = 'sluice-agent';
const [node, otherNode] = kube.nodes as [string, string];
let bound: KubeConfig;
let boundPath: string;
let unbound: KubeConfig;

const lease = (
  name: string,
  holder: string,
  labels: Record<string, string> = { [REPORT_LABEL]: 'true' },
) => ({
  metadata: { name, namespace: ns, labels },
  spec: { holderIdentity: holder, leaseDurationSeconds: 60 },
});
const create = (kc: KubeConfig, body: V1Lease) =>
  kc
    .makeApiClient(CoordinationV1Api)
    .createNamespacedLease({ namespace: ns, body })
    .then(
      () => 'created',
      (e: { code?: number; body?: string }) => `${e.code}: ${JSON.parse(e.body ?? '{}').message}`,
    );

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: agent } } });
  const settings = defaultSettings({ namespace: ns, agentName: agent });
  for (const o of renderAgentStatusRole(settings)) {
    if (o.kind === 'Role') await rbac.createNamespacedRole({ namespace: ns, body: o as unknown as V1Role });
    else await rbac.createNamespacedRoleBinding({ namespace: ns, body: o as unknown as V1RoleBinding });
  }
  // The policy as the chart ships it (loadAllYaml: plain objects would lose fields in the client).
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const policy = renderAgentLeasePolicy({ namespace: ns, agentName: agent });
  for (const o of loadAllYaml(policy.map((p) => yaml.dump(p)).join('---\n')))
    await objects.create(o as KubernetesObject);
  const pod = await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: 'agent-a' },
      spec: {
        serviceAccountName: agent,
        nodeName: node,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'agent', image: 'sluice-agent:test' }],
      },
    },
  });
  const creds = await serviceAccountCredentials(kube, {
    namespace: ns,
    name: agent,
    boundPod: { name: 'agent-a', uid: pod.metadata!.uid! },
  });
  bound = kubeConfigFor(creds);
  boundPath = creds.kubeconfig;
  unbound = kubeConfigFor(await serviceAccountCredentials(kube, { namespace: ns, name: agent }));
  // The operator's leader-election Lease lives in the same namespace.
  await leases.createNamespacedLease({ namespace: ns, body: lease(`${agent}-operator`, 'operator-0', {}) });
  // Admission policies take effect once the apiserver has compiled them.
  for (
    let i = 0;
    i < 100 && (await create(bound, lease(`${agent}-${otherNode}`, 'agent-a'))) === 'created';
    i++
  ) {
    await leases.deleteNamespacedLease({ namespace: ns, name: `${agent}-${otherNode}` });
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => {});
});

describe('agent report Leases under the admission policy', () => {
  test("the agent's reporter writes its own node's Lease with a pod-bound token", async () => {
    const stats = new AgentStats();
    stats.configHash = 'abc123';
    const before = process.env.KUBECONFIG;
    process.env.KUBECONFIG = boundPath;
    const logs: string[] = [];
    const stop = startReporter({
      stats,
      namespace: ns,
      node,
      pod: 'agent-a',
      prefix: agent,
      intervalMs: 100,
      heartbeatMs: 1000,
      log: (_l, msg, extra) => logs.push(`${msg} ${JSON.stringify(extra)}`),
    });
    try {
      let got: V1Lease | undefined;
      for (let i = 0; i < 100 && got === undefined; i++) {
        got = await leases
          .readNamespacedLease({ namespace: ns, name: `${agent}-${node}` })
          .catch(() => undefined);
        if (got === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect([got?.metadata?.annotations?.[REPORT_HASH_ANNOTATION], got?.spec?.holderIdentity, logs]).toEqual(
        ['abc123', 'agent-a', []],
      );
    } finally {
      stop();
      if (before === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = before;
    }
  });

  test("it may not write another node's report", async () => {
    expect(await create(bound, lease(`${agent}-${otherNode}`, 'agent-a'))).toMatch(
      new RegExp(`^403: .*an agent may only write its own node's report Lease ${agent}-${node}`),
    );
  });

  test("it may not take the operator's leader-election Lease", async () => {
    const api = bound.makeApiClient(CoordinationV1Api);
    const cur = await leases.readNamespacedLease({ namespace: ns, name: `${agent}-operator` });
    const err = await api
      .replaceNamespacedLease({
        namespace: ns,
        name: `${agent}-operator`,
        body: { ...cur, spec: { ...cur.spec, holderIdentity: 'agent-a' } },
      })
      .then(
        () => 'replaced',
        (e: { code?: number }) => e.code,
      );
    expect(err).toBe(403);
    const after = await leases.readNamespacedLease({ namespace: ns, name: `${agent}-operator` });
    expect(after.spec?.holderIdentity).toBe('operator-0');
  });

  test('it may not write a report in the name of another pod, or without the report label', async () => {
    expect(await create(bound, lease(`${agent}-${node}-x`, 'agent-a'))).toMatch(/^403: /);
    await leases.deleteNamespacedLease({ namespace: ns, name: `${agent}-${node}` });
    expect(await create(bound, lease(`${agent}-${node}`, 'agent-b'))).toMatch(
      /^403: .*must carry the label sluice.dev\/agent-report and hold the writing pod's name/,
    );
    expect(await create(bound, lease(`${agent}-${node}`, 'agent-a', {}))).toMatch(/^403: /);
  });

  test('a token not bound to a pod may write no Lease at all', async () => {
    expect(await create(unbound, lease(`${agent}-${node}`, 'agent-a'))).toMatch(
      /^403: .*may only create or update Leases with a pod-bound token/,
    );
  });

  test('other users are not affected', async () => {
    expect(await create(admin, lease(`${agent}-${otherNode}`, 'whoever', {}))).toBe('created');
  });
});
