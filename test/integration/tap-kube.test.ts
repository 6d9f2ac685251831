// `sluice tap` in a cluster, against the real apiserver: an agent process under its own
// ServiceAccount with exactly the rendered ClusterRole reviews every caller (TokenReview +
// SubjectAccessReview). A ServiceAccount that the aggregated `edit` role (plus the chart's tap
// ClusterRole) covers in namespace A taps A's pipeline and gets records; the same identity is
// refused B's (403); no token is a 401; pods/proxy access without the tap permission is a 403.
// Then the CLI path through the apiserver: kwok pods run nothing, so a pod object whose status
// points at this machine's non-loopback address stands in for an agent pod (the apiserver refuses
// to proxy to loopback); this also shows the apiserver strips Authorization and forwards the
// X-Sluice-Tap-Token header.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { renderAgentClusterRole, renderAgentClusterRoleBinding } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { TAP_PROXY_RULES, TAP_RULES } from '../../operator/src/render/tap-rbac.ts';
import { adminKubeConfig, kubeEnv, serviceAccountCredentials } from '../env/index.ts';

const root = join(import.meta.dirname, '../..');
const pinned = join(root, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;
const kube = kubeEnv();
const admin = adminKubeConfig(kube);
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const id = Date.now().toString(36);
const agentNs = `tap-sys-${id}`;
const nsA = `tap-a-${id}`;
const nsB = `tap-b-${id}`;
const agentName = `tap-agent-${id}`;
const tapRole = `sluice-tap-${id}`;
// The apiserver proxies only to non-loopback pod IPs.
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

let agent: ChildProcess | undefined;
let writer: NodeJS.Timeout | undefined;
let port = 0;
let agentUrl = '';
let devToken = '';
let proxyOnlyToken = '';
let devKubeconfig = '';

const freePort = (host: string) =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sluice(args: string[], env: Record<string, string>) {
  const p = spawn(node, [join(root, 'bin/sluice.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    p.on('close', (code) => resolve({ code, out, err })),
  );
}

/** A tap straight at the agent; `limit` records or the error body. */
async function tap(pipeline: string, headers: Record<string, string>, limit = 3) {
  const r = await fetch(`${agentUrl}/tap?pipeline=${encodeURIComponent(pipeline)}&limit=${limit}`, {
    headers,
  });
  return { status: r.status, body: await r.text() };
}

async function installPipelines(): Promise<void> {
  const ext = admin.makeApiClient(ApiextensionsV1Api);
  const { load } = await import('js-yaml');
  const crd = load(
    readFileSync(join(root, 'crds/sluice.dev_logpipelines.yaml'), 'utf8'),
  ) as V1CustomResourceDefinition;
  await ext.createCustomResourceDefinition({ body: crd }).catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });
  const custom = admin.makeApiClient(CustomObjectsApi);
  for (let i = 0; ; i++) {
    try {
      for (const ns of [nsA, nsB])
        await custom.createNamespacedCustomObject({
          group: 'sluice.dev',
          version: 'v1alpha1',
          plural: 'logpipelines',
          namespace: ns,
          body: {
            apiVersion: 'sluice.dev/v1alpha1',
            kind: 'LogPipeline',
            metadata: { name: 'app', namespace: ns },
            spec: { outputs: [{ name: 'out' }] },
          },
        });
      return;
    } catch (e) {
      if (i > 50) throw e; // the CRD becomes Established within a moment
      await sleep(200);
    }
  }
}

beforeAll(async () => {
  for (const ns of [agentNs, nsA, nsB]) await core.createNamespace({ body: { metadata: { name: ns } } });
  await installPipelines();
  for (const [ns, name] of [
    [agentNs, agentName],
    [nsA, 'dev'],
    [nsA, 'proxy-only'],
  ])
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  // The agent: exactly the ClusterRole the operator renders.
  const s = defaultSettings({ namespace: agentNs, agentName });
  await rbac.createClusterRole({ body: renderAgentClusterRole(s) as unknown as V1ClusterRole });
  await rbac.createClusterRoleBinding({
    body: renderAgentClusterRoleBinding(s) as unknown as V1ClusterRoleBinding,
  });
  // The chart's tap ClusterRole, aggregated into `edit` by the controller-manager.
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
  // The chart's proxy Role in the agent namespace, for both tenants.
  await rbac.createNamespacedRole({
    namespace: agentNs,
    body: { metadata: { name: 'tap-proxy' }, rules: [...TAP_PROXY_RULES] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: agentNs,
    body: {
      metadata: { name: 'tap-proxy' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tap-proxy' },
      subjects: ['dev', 'proxy-only'].map((name) => ({ kind: 'ServiceAccount', name, namespace: nsA })),
    },
  });
  const agentCreds = await serviceAccountCredentials(kube, { namespace: agentNs, name: agentName });
  const dev = await serviceAccountCredentials(kube, { namespace: nsA, name: 'dev' });
  devToken = dev.token;
  devKubeconfig = dev.kubeconfig;
  proxyOnlyToken = (await serviceAccountCredentials(kube, { namespace: nsA, name: 'proxy-only' })).token;

  // Live logs of one pod in each namespace, and the agent running both namespaces' pipelines.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tap-kube-'));
  const files = [`${nsA}_app-1_uid-a`, `${nsB}_app-1_uid-b`].map((p) => {
    mkdirSync(join(dir, 'logs', p, 'app'), { recursive: true });
    const f = join(dir, 'logs', p, 'app', '0.log');
    writeFileSync(f, '');
    return f;
  });
  let n = 0;
  writer = setInterval(() => {
    const t = new Date().toISOString();
    for (let i = 0; i < 10; i++, n++) {
      appendFileSync(files[0], `${t} stdout F {"n":${n},"ns":"a","token":"s3cr3t"}\n`);
      appendFileSync(files[1], `${t} stdout F {"n":${n},"ns":"b"}\n`);
    }
  }, 100);
  const host = hostIp ?? '127.0.0.1';
  port = await freePort(host);
  agentUrl = `http://${host}:${port}`;
  const pipeline = (ns: string) => ({
    id: `LogPipeline/${ns}/app`,
    kind: 'LogPipeline',
    name: 'app',
    namespace: ns,
    filters: [{ redact: { fields: ['token'] } }],
    outputs: [`out-${ns}`],
  });
  const config = {
    apiVersion: 'agent.sluice.dev/v1',
    agent: {
      podLogsDir: join(dir, 'logs'),
      dataDir: join(dir, 'data'),
      httpHost: host,
      httpPort: port,
      enrichment: { kubernetes: false },
    },
    pipelines: [pipeline(nsA), pipeline(nsB)],
    outputs: [nsA, nsB].map((ns) => ({
      id: `out-${ns}`,
      type: 'file',
      options: { path: join(dir, `${ns}.ndjson`) },
    })),
  };
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(config));
  agent = spawn(node, [join(root, 'bin/sluice.js'), 'agent', '--config', join(dir, 'agent.json')], {
    cwd: root,
    env: { ...process.env, KUBECONFIG: agentCreds.kubeconfig, NODE_NAME: 'tap-node-1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${agentUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  // RBAC aggregation and bindings settle within a moment.
  for (let i = 0; i < 50; i++) {
    const edit = await rbac.readClusterRole({ name: 'edit' });
    if (edit.rules?.some((r) => r.resources?.includes('logpipelines/tap'))) break;
    await sleep(200);
  }
}, 60_000);

afterAll(async () => {
  clearInterval(writer);
  agent?.kill('SIGTERM');
  for (const ns of [agentNs, nsA, nsB]) await core.deleteNamespace({ name: ns }).catch(() => {});
  await rbac.deleteClusterRole({ name: tapRole }).catch(() => {});
  await rbac.deleteClusterRole({ name: agentName }).catch(() => {});
  await rbac.deleteClusterRoleBinding({ name: agentName }).catch(() => {});
});

describe('sluice tap authorised by the apiserver', () => {
  test('the editor of A taps A (redacted records of A only), is refused B; no token is a 401', async () => {
    const a = await tap(`LogPipeline/${nsA}/app`, { authorization: `Bearer ${devToken}` });
    expect(a.status).toBe(200);
    const lines = a.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      sluice_tap: {
        start: `LogPipeline/${nsA}/app`,
        node: 'tap-node-1',
        user: `system:serviceaccount:${nsA}:dev`,
      },
    });
    expect(lines.slice(1, 4).map((l) => l.ns)).toEqual(['a', 'a', 'a']);
    expect(a.body).not.toContain('s3cr3t');
    expect(lines[4]).toEqual({ sluice_tap: { end: 'limit', records: 3, missed: 0 } });

    const b = await tap(`LogPipeline/${nsB}/app`, { authorization: `Bearer ${devToken}` });
    expect(b.status).toBe(403);
    expect(JSON.parse(b.body).error.message).toBe(
      `system:serviceaccount:${nsA}:dev may not tap this pipeline: it needs RBAC permission to get logpipelines/tap (sluice.dev) on app in namespace ${nsB}`,
    );
    // Refused before the agent says whether it runs such a pipeline.
    expect((await tap(`LogPipeline/${nsB}/nope`, { authorization: `Bearer ${devToken}` })).status).toBe(403);
    expect((await tap(`LogPipeline/${nsA}/nope`, { authorization: `Bearer ${devToken}` })).status).toBe(404);

    const none = await tap(`LogPipeline/${nsA}/app`, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.message).toContain('a bearer token is required');
    const forged = await tap(`LogPipeline/${nsA}/app`, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
    // pods/proxy on the agent namespace alone does not let anyone tap.
    const proxyOnly = await tap(`LogPipeline/${nsA}/app`, { 'x-sluice-tap-token': proxyOnlyToken });
    expect(proxyOnly.status).toBe(403);

    const metrics = await (await fetch(`${agentUrl}/metrics`)).text();
    expect(metrics).toMatch(/sluice_tap_requests_total\{outcome="forbidden"\} 3/);
    expect(metrics).toMatch(/sluice_tap_requests_total\{outcome="unauthenticated"\} 2/);
  }, 60_000);

  // Why this can be skipped: the apiserver proxies only to non-loopback pod IPs.
  (hostIp === undefined ? test.skip : test)(
    'sluice tap -n A app through the apiserver (pods/proxy) with the editor kubeconfig; B refused',
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
            nodeName: 'tap-node-1',
            containers: [
              { name: 'agent', image: 'sluice', ports: [{ name: 'metrics', containerPort: port }] },
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
      const env = { KUBECONFIG: devKubeconfig };
      const r = await sluice(['tap', '-n', nsA, 'app', '--agent-namespace', agentNs, '--limit', '4'], env);
      expect([r.code, r.err]).toEqual([0, '']);
      const lines = r.out.trim().split('\n');
      expect(lines).toHaveLength(4);
      for (const l of lines) {
        expect(l.startsWith('tap-node-1 {')).toBe(true);
        expect(JSON.parse(l.slice('tap-node-1 '.length)).ns).toBe('a');
      }
      const b = await sluice(['tap', '-n', nsB, 'app', '--agent-namespace', agentNs, '--limit', '1'], env);
      expect(b.code).toBe(1);
      expect(b.err).toContain(`not allowed: system:serviceaccount:${nsA}:dev may not tap this pipeline`);
      const noAgents = await sluice(['tap', '-n', nsA, 'app', '--agent-namespace', nsB, '--limit', '1'], env);
      expect(noAgents.code).toBe(1);
      expect(noAgents.err).toContain(`you may not list the agent pods in namespace ${nsB}`);
    },
    60_000,
  );
});
