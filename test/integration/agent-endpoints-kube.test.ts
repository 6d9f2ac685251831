// Who reads the agent's /metrics and /status, against the real apiserver (issue 14): an agent
// process under its own ServiceAccount with exactly the ClusterRole the operator renders, and the
// settings the operator renders (agentSettingsFor: httpAuth kubernetes, /tap on its own port).
// - the kubelet's probes (/healthz, /readyz) need no token;
// - a tenant ServiceAccount (namespace `edit`) is refused /metrics and /status (403), a forged
//   token and no token are 401;
// - a Prometheus ServiceAccount holding `get /metrics` (the rule kube-prometheus grants) scrapes
//   /metrics and is refused /status; the cluster admin reads /status;
// - `sluice tap` still works: on the tap port (the metrics port has no /tap), and through the
//   apiserver's pods/proxy, where the CLI picks the pod's `tap` port;
// - the rendered NetworkPolicy with `metricsFrom` peers is accepted by the apiserver as rendered.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
} from '@kubernetes/client-node';
import { KubeClient } from '../../contract/kube/client.ts';
import { fromKubeconfig } from '../../contract/kube/config.ts';
import { TAP_AUDIENCE } from '../../contract/tap.ts';
import { agentSettingsFor } from '../../operator/src/render/agent-settings.ts';
import { renderAgentNetworkPolicy } from '../../operator/src/render/network.ts';
import { renderAgentClusterRole, renderAgentClusterRoleBinding } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { TAP_PROXY_RULES, TAP_RULES } from '../../operator/src/render/tap-rbac.ts';
import { adminKubeConfig, kubeEnv, serviceAccountCredentials } from '../env/index.ts';
import { waitUntil } from '../env/wait.ts';
import { hostIp, node, root, sluice, sluiceJs } from './cli-process.ts';

const kube = kubeEnv();
const admin = adminKubeConfig(kube);
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const id = Date.now().toString(36);
const agentNs = `ep-sys-${id}`;
const nsA = `ep-a-${id}`;
const monNs = `ep-mon-${id}`;
const agentName = `ep-agent-${id}`;
const scrapeRole = `ep-scrape-${id}`;
const tapRole = `ep-tap-${id}`;
const host = hostIp ?? '127.0.0.1';

let agent: ChildProcess | undefined;
let writer: NodeJS.Timeout | undefined;
let metricsUrl = '';
let tapUrl = '';
let metricsPort = 0;
let tapPort = 0;
let devToken = '';
let devTapToken = '';
let devKubeconfig = '';
let promToken = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function get(url: string, token?: string) {
  const r = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.text(), auth: r.headers.get('www-authenticate') };
}

beforeAll(async () => {
  for (const ns of [agentNs, nsA, monNs]) await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const [ns, name] of [
    [agentNs, agentName],
    [nsA, 'dev'],
    [monNs, 'prometheus'],
  ])
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  const s = defaultSettings({ namespace: agentNs, agentName });
  await rbac.createClusterRole({ body: renderAgentClusterRole(s) as unknown as V1ClusterRole });
  await rbac.createClusterRoleBinding({
    body: renderAgentClusterRoleBinding(s) as unknown as V1ClusterRoleBinding,
  });
  // What Prometheus setups grant their scraper (kube-prometheus' prometheus-k8s ClusterRole).
  await rbac.createClusterRole({
    body: { metadata: { name: scrapeRole }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: scrapeRole },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: scrapeRole },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: monNs }],
    },
  });
  // The tenant: namespace edit, the chart's tap rights, and the proxy Role in the agent namespace.
  await rbac.createClusterRole({
    body: {
      metadata: { name: tapRole, labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } },
      rules: [...TAP_RULES],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: nsA,
    body: {
      metadata: { name: 'dev-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: nsA }],
    },
  });
  await rbac.createNamespacedRole({
    namespace: agentNs,
    body: { metadata: { name: 'tap-proxy' }, rules: [...TAP_PROXY_RULES] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: agentNs,
    body: {
      metadata: { name: 'tap-proxy' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tap-proxy' },
      subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: nsA }],
    },
  });
  const agentCreds = await serviceAccountCredentials(kube, { namespace: agentNs, name: agentName });
  const dev = await serviceAccountCredentials(kube, { namespace: nsA, name: 'dev' });
  devToken = dev.token;
  devKubeconfig = dev.kubeconfig;
  // As `sluice tap` mints it (not through serviceAccountCredentials: that rewrites dev's kubeconfig).
  devTapToken = (
    await core.createNamespacedServiceAccountToken({
      namespace: nsA,
      name: 'dev',
      body: { spec: { audiences: [TAP_AUDIENCE], expirationSeconds: 600 } },
    })
  ).status?.token as string;
  promToken = (await serviceAccountCredentials(kube, { namespace: monNs, name: 'prometheus' })).token;

  const dir = mkdtempSync(join(tmpdir(), 'sluice-endpoints-kube-'));
  const pod = `${nsA}_app-1_uid-a`;
  mkdirSync(join(dir, 'logs', pod, 'app'), { recursive: true });
  const file = join(dir, 'logs', pod, 'app', '0.log');
  writeFileSync(file, '');
  let n = 0;
  writer = setInterval(() => {
    const t = new Date().toISOString();
    for (let i = 0; i < 10; i++, n++) appendFileSync(file, `${t} stdout F {"n":${n},"ns":"a"}\n`);
  }, 100);
  metricsPort = await freePort();
  tapPort = await freePort();
  metricsUrl = `http://${host}:${metricsPort}`;
  tapUrl = `http://${host}:${tapPort}`;
  // The settings the operator renders, with this machine's paths and ports.
  const rendered = agentSettingsFor({ ...s, metricsPort, tapPort });
  expect([rendered.httpAuth, rendered.httpPort, rendered.tapPort]).toEqual([
    'kubernetes',
    metricsPort,
    tapPort,
  ]);
  const config = {
    apiVersion: 'agent.sluice.dev/v1',
    agent: {
      ...rendered,
      podLogsDir: join(dir, 'logs'),
      dataDir: join(dir, 'data'),
      hostRoot: undefined,
      httpHost: host,
      enrichment: { kubernetes: false },
    },
    pipelines: [
      { id: `LogPipeline/${nsA}/app`, kind: 'LogPipeline', name: 'app', namespace: nsA, outputs: ['out'] },
    ],
    outputs: [{ id: 'out', type: 'file', options: { path: join(dir, 'out.ndjson') } }],
  };
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(config));
  agent = spawn(node, [sluiceJs, 'agent', '--config', join(dir, 'agent.json')], {
    cwd: root,
    env: { ...process.env, KUBECONFIG: agentCreds.kubeconfig, NODE_NAME: 'ep-node-1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntil('agent /readyz', async () => (await fetch(`${metricsUrl}/readyz`)).ok, {
    timeoutMs: 30_000,
  });
  // RBAC aggregation into `edit` settles within a moment.
  await waitUntil(
    'tap rights aggregated into edit',
    async () =>
      (await rbac.readClusterRole({ name: 'edit' })).rules?.some((r) =>
        r.resources?.includes('logpipelines/tap'),
      ) === true,
    { timeoutMs: 30_000 },
  );
}, 90_000);

afterAll(async () => {
  clearInterval(writer);
  agent?.kill('SIGTERM');
  for (const ns of [agentNs, nsA, monNs]) await core.deleteNamespace({ name: ns }).catch(() => {});
  for (const name of [tapRole, scrapeRole, agentName]) await rbac.deleteClusterRole({ name }).catch(() => {});
  for (const name of [scrapeRole, agentName]) await rbac.deleteClusterRoleBinding({ name }).catch(() => {});
});

describe('the agent endpoints answer only whom the apiserver allows', () => {
  test('probes are open; /metrics and /status refuse no token, a forged one and a tenant', async () => {
    expect(await get(`${metricsUrl}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(`${metricsUrl}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    for (const path of ['/metrics', '/status']) {
      const none = await get(`${metricsUrl}${path}`);
      expect([none.status, none.auth]).toEqual([401, 'Bearer']);
      expect(none.body).toContain('a bearer token is required');
      const forged = await get(`${metricsUrl}${path}`, 'not-a-token');
      expect(forged.status).toBe(401);
      expect(forged.body).toContain('not accepted by the apiserver');
      const tenant = await get(`${metricsUrl}${path}`, devToken);
      expect(tenant.status).toBe(403);
      expect(tenant.body).toBe(
        `system:serviceaccount:${nsA}:dev may not read ${path}: it needs RBAC permission to get the non-resource URL ${path} (a ClusterRole rule nonResourceURLs: ["${path}"], verbs: ["get"])\n`,
      );
      expect(tenant.body).not.toContain('sluice_');
      expect(tenant.body).not.toContain(`LogPipeline/${nsA}/app`);
    }
  }, 30_000);

  test('Prometheus (get /metrics) scrapes /metrics, not /status; the cluster admin reads /status', async () => {
    const scrape = await get(`${metricsUrl}/metrics`, promToken);
    expect(scrape.status).toBe(200);
    expect(scrape.body).toMatch(/^sluice_pipeline_records_in_total\{pipeline="LogPipeline\/ep-a-/m);
    expect((await get(`${metricsUrl}/status`, promToken)).status).toBe(403);
    const status = await get(`${metricsUrl}/status`, kube.token);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body).pipelines.map((p: { id: string }) => p.id)).toEqual([
      `LogPipeline/${nsA}/app`,
    ]);
  }, 30_000);

  test('/tap is served on the tap port only, authorised per pipeline as before', async () => {
    const q = `/tap?pipeline=${encodeURIComponent(`LogPipeline/${nsA}/app`)}&limit=2`;
    expect((await get(`${metricsUrl}${q}`, devTapToken)).status).toBe(404);
    const tap = await get(`${tapUrl}${q}`, devTapToken);
    expect(tap.status).toBe(200);
    const lines = tap.body.trim().split('\n');
    expect(JSON.parse(lines[1]).ns).toBe('a');
    expect(JSON.parse(lines[3])).toEqual({ sluice_tap: { end: 'limit', records: 2, missed: 0 } });
    expect((await get(`${tapUrl}/metrics`, promToken)).status).toBe(404);
  }, 30_000);

  // Why this can be skipped: the apiserver proxies only to non-loopback pod IPs.
  (hostIp === undefined ? test.skip : test)(
    'sluice tap through pods/proxy picks the pod port named tap',
    async () => {
      const pod = await core.createNamespacedPod({
        namespace: agentNs,
        body: {
          metadata: {
            name: 'agent-x',
            labels: { 'app.kubernetes.io/name': 'sluice', 'app.kubernetes.io/component': 'agent' },
          },
          // A node nobody manages: no kwok, no kubelet touches this pod's status.
          spec: {
            nodeName: 'ep-node-1',
            containers: [
              {
                name: 'agent',
                image: 'sluice',
                ports: [
                  { name: 'metrics', containerPort: metricsPort },
                  { name: 'tap', containerPort: tapPort },
                ],
              },
            ],
          },
        },
      });
      await core.patchNamespacedPodStatus({
        namespace: agentNs,
        name: pod.metadata!.name!,
        body: [
          { op: 'add', path: '/status/phase', value: 'Running' },
          { op: 'add', path: '/status/podIP', value: hostIp },
          { op: 'add', path: '/status/podIPs', value: [{ ip: hostIp }] },
        ],
      });
      const r = await sluice(['tap', '-n', nsA, 'app', '--agent-namespace', agentNs, '--limit', '3'], {
        KUBECONFIG: devKubeconfig,
      });
      expect([r.code, r.err]).toEqual([0, '']);
      const lines = r.out.trim().split('\n');
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(JSON.parse(l.slice('ep-node-1 '.length)).ns).toBe('a');
    },
    60_000,
  );

  test('the rendered NetworkPolicy with monitoring peers is what the apiserver stores', async () => {
    const peers = [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monNs } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    ];
    const np = renderAgentNetworkPolicy(
      defaultSettings({ namespace: agentNs, agentName, metricsFrom: peers }),
    );
    // As the operator applies it: its JSON, not through a typed client model.
    const api = new KubeClient(fromKubeconfig(kube.kubeconfig));
    const stored = await api.request<{ spec: { ingress: unknown[] } }>(
      'POST',
      `/apis/networking.k8s.io/v1/namespaces/${agentNs}/networkpolicies`,
      { body: np },
    );
    expect(stored.spec.ingress).toEqual([
      { from: peers, ports: [{ port: 2020, protocol: 'TCP' }] },
      { ports: [{ port: 2021, protocol: 'TCP' }] },
    ]);
  }, 30_000);
});
