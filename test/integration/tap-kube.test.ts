// `sluice tap` in a cluster, against the real apiserver: an agent process under its own
// ServiceAccount with exactly the rendered ClusterRole reviews every caller (TokenReview +
// SubjectAccessReview). A ServiceAccount that the aggregated `edit` role (plus the chart's tap
// ClusterRole) covers in namespace A taps A's pipeline and gets records; the same identity is
// refused B's (403); no token is a 401; pods/proxy access without the tap permission is a 403.
// The agents take only tokens minted for the tap audience: the same ServiceAccount's token for the
// apiserver (what a kubeconfig holds) is a 401. Then the CLI path through the apiserver: kwok pods run nothing, so a pod object whose status
// points at this machine's non-loopback address stands in for an agent pod (the apiserver refuses
// to proxy to loopback); this also shows the apiserver strips Authorization and forwards the
// X-Sluice-Tap-Token header. What the CLI sends there is captured by a listener standing in for an
// agent: a 10-minute token for the tap audience, never the kubeconfig's credential; a human user
// (the admin's static token) must name a ServiceAccount, whose token the CLI mints. And why the
// agent cannot take the caller's identity from the proxy instead: it forwards none (Authorization,
// X-Remote-* and Impersonate-* do not arrive) and passes the caller's own headers unchanged.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
import { TAP_AUDIENCE } from '../../contract/tap.ts';
import { renderAgentClusterRole, renderAgentClusterRoleBinding } from '../../operator/src/render/rbac.ts';
import { defaultSettings } from '../../operator/src/render/settings.ts';
import { TAP_PROXY_RULES, TAP_RULES } from '../../operator/src/render/tap-rbac.ts';
import { adminKubeConfig, kubeEnv, serviceAccountCredentials } from '../env/index.ts';
import { hostIp, node, root, sluice, sluiceJs } from './cli-process.ts';

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

let agent: ChildProcess | undefined;
let writer: NodeJS.Timeout | undefined;
let port = 0;
let agentUrl = '';
let devToken = '';
/** dev's token for the tap audience, as `sluice tap` mints it */
let devTapToken = '';
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
  // As `sluice tap` mints them (not through serviceAccountCredentials: that rewrites the kubeconfig).
  const tapToken = async (name: string) =>
    (
      await core.createNamespacedServiceAccountToken({
        namespace: nsA,
        name,
        body: { spec: { audiences: [TAP_AUDIENCE], expirationSeconds: 600 } },
      })
    ).status?.token as string;
  devTapToken = await tapToken('dev');
  devKubeconfig = dev.kubeconfig;
  proxyOnlyToken = await tapToken('proxy-only');

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
  agent = spawn(node, [sluiceJs, 'agent', '--config', join(dir, 'agent.json')], {
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
    const a = await tap(`LogPipeline/${nsA}/app`, { authorization: `Bearer ${devTapToken}` });
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

    const b = await tap(`LogPipeline/${nsB}/app`, { authorization: `Bearer ${devTapToken}` });
    expect(b.status).toBe(403);
    expect(JSON.parse(b.body).error.message).toBe(
      `system:serviceaccount:${nsA}:dev may not tap this pipeline: it needs RBAC permission to get logpipelines/tap (sluice.dev) on app in namespace ${nsB}`,
    );
    // Refused before the agent says whether it runs such a pipeline.
    expect((await tap(`LogPipeline/${nsB}/nope`, { authorization: `Bearer ${devTapToken}` })).status).toBe(
      403,
    );
    expect((await tap(`LogPipeline/${nsA}/nope`, { authorization: `Bearer ${devTapToken}` })).status).toBe(
      404,
    );

    const none = await tap(`LogPipeline/${nsA}/app`, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.message).toContain('a bearer token is required');
    const forged = await tap(`LogPipeline/${nsA}/app`, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
    // The tap token opens nothing at the apiserver ...
    const api = await new Promise<number | undefined>((resolve) =>
      httpsGet(
        `${kube.server}/api/v1/namespaces/${nsA}/pods`,
        { ca: kube.caData, headers: { authorization: `Bearer ${devTapToken}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      ),
    );
    expect(api).toBe(401);
    // ... and the same identity's token for the apiserver (a kubeconfig's) opens no tap.
    const kubeconfigToken = await tap(`LogPipeline/${nsA}/app`, { authorization: `Bearer ${devToken}` });
    expect(kubeconfigToken.status).toBe(401);
    expect(JSON.parse(kubeconfigToken.body).error.message).toContain(
      `not minted for the audience ${TAP_AUDIENCE}`,
    );
    // pods/proxy on the agent namespace alone does not let anyone tap.
    const proxyOnly = await tap(`LogPipeline/${nsA}/app`, { 'x-sluice-tap-token': proxyOnlyToken });
    expect(proxyOnly.status).toBe(403);

    const metrics = await (await fetch(`${agentUrl}/metrics`)).text();
    expect(metrics).toMatch(/sluice_tap_requests_total\{outcome="forbidden"\} 3/);
    expect(metrics).toMatch(/sluice_tap_requests_total\{outcome="unauthenticated"\} 3/);
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

  (hostIp === undefined ? test.skip : test)(
    'what the CLI shows an agent: a 10-minute token for the tap audience, never the kubeconfig credential',
    async () => {
      // A listener in place of an agent pod, recording the requests the apiserver proxies to it.
      const seen: Array<Record<string, string | string[] | undefined>> = [];
      const capture = createHttpServer((req, res) => {
        seen.push(req.headers);
        res.end(
          `${JSON.stringify({ sluice_tap: { start: `LogPipeline/${nsA}/app`, node: 'cap' } })}\n${JSON.stringify({ sluice_tap: { end: 'limit', records: 0, missed: 0 } })}\n`,
        );
      });
      await new Promise<void>((r) => capture.listen(0, hostIp, r));
      const capPort = (capture.address() as { port: number }).port;
      try {
        const pod = await core.createNamespacedPod({
          namespace: agentNs,
          body: {
            metadata: { name: 'capture', labels: { app: `capture-${id}` } },
            spec: {
              nodeName: 'tap-node-1',
              containers: [
                { name: 'agent', image: 'sluice', ports: [{ name: 'tap', containerPort: capPort }] },
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
        const args = [
          'tap',
          '-n',
          nsA,
          'app',
          '--agent-namespace',
          agentNs,
          '--selector',
          `app=capture-${id}`,
        ];
        const claims = (token: string) =>
          JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
            aud: string[];
            exp: number;
            iat: number;
            sub: string;
          };
        const shown = (h: Record<string, string | string[] | undefined>) => String(h['x-sluice-tap-token']);

        // A ServiceAccount kubeconfig: the CLI mints a token of that ServiceAccount for the tap audience.
        const r = await sluice(args, { KUBECONFIG: devKubeconfig });
        expect([r.code, r.err]).toEqual([0, '']);
        expect(seen).toHaveLength(1);
        expect(JSON.stringify(seen[0])).not.toContain(devToken);
        expect(seen[0].authorization).toBeUndefined();
        const c = claims(shown(seen[0]));
        expect([c.aud, c.exp - c.iat, c.sub]).toEqual([
          [TAP_AUDIENCE],
          600,
          `system:serviceaccount:${nsA}:dev`,
        ]);

        // A human (the admin's static token): no ServiceAccount named, nothing sent to any agent.
        const human = await sluice(args, { KUBECONFIG: kube.kubeconfig });
        expect(human.code).toBe(1);
        expect(human.err).toContain('your kubeconfig user (admin) is not a ServiceAccount');
        expect(seen).toHaveLength(1);
        // ... and with one: its token, never the admin's.
        const named = await sluice([...args, '--service-account', 'dev'], { KUBECONFIG: kube.kubeconfig });
        expect([named.code, named.err]).toEqual([0, '']);
        expect(seen).toHaveLength(2);
        expect(JSON.stringify(seen[1])).not.toContain(kube.token);
        expect(claims(shown(seen[1])).sub).toBe(`system:serviceaccount:${nsA}:dev`);
        // proxy-only may not mint dev's tokens: refused before any agent is asked.
        const proxyOnlyCreds = await serviceAccountCredentials(kube, { namespace: nsA, name: 'proxy-only' });
        const refused = await sluice([...args, '--service-account', 'dev'], {
          KUBECONFIG: proxyOnlyCreds.kubeconfig,
        });
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(`you may not mint a token of ServiceAccount ${nsA}/dev`);
        expect(seen).toHaveLength(2);

        // Why the agent cannot take the caller's identity from the proxy: pods/proxy adds none
        // (it strips Authorization and the front-proxy X-Remote-* headers), and passes other
        // headers the caller chose through unchanged.
        const viaProxy = (headers: Record<string, string>) =>
          new Promise<number | undefined>((resolve) =>
            httpsGet(
              `${kube.server}/api/v1/namespaces/${agentNs}/pods/capture:${capPort}/proxy/tap`,
              { ca: kube.caData, headers },
              (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode));
              },
            ),
          );
        expect(
          await viaProxy({
            authorization: `Bearer ${devToken}`,
            'x-remote-user': 'admin',
            'x-remote-group': 'system:masters',
            'x-user': 'admin',
          }),
        ).toBe(200);
        expect(seen[2]['x-user']).toBe('admin');
        expect(Object.keys(seen[2]).filter((h) => /^(x-remote-|authorization)/.test(h))).toEqual([]);
        // Impersonation is the apiserver's own affair: checked, then not forwarded.
        expect(
          await viaProxy({
            authorization: `Bearer ${kube.token}`,
            'impersonate-user': `system:serviceaccount:${nsA}:dev`,
          }),
        ).toBe(200);
        expect(Object.keys(seen[3]).filter((h) => /^(impersonate-|x-remote-|authorization)/.test(h))).toEqual(
          [],
        );
      } finally {
        capture.close();
      }
    },
    60_000,
  );
});
