// Tenancy: a tenant's ServiceAccount in namespace A, allowed to write LogPipelines, LogOutputs and
// Secrets of A only, cannot make the agent read namespace B's logs or Secrets by any spec it can
// write. One test per attempt; each checks what the agents are actually given (the ConfigMap and
// the agent's RBAC), not only the status.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../operator/src/kube/client.ts';
import { serviceAccountCredentials } from '../env/index.ts';
import {
  agentConfigJson,
  cond,
  type Env,
  type OperatorProc,
  setupEnv,
  startOperator,
  until,
} from './operator/harness.ts';

const NS = 'e2e-ten-sys';
const AGENT = 'e2e-ten-agent';
const A = 'e2e-tenant-a';
const B = 'e2e-tenant-b';
const V = 'sluice.dev/v1alpha1';
let env: Env;
let op: OperatorProc;
let tenant: string;

interface Cfg {
  pipelines: Array<{
    id: string;
    input: { namespaces?: { include?: string[] }; hostFiles?: unknown };
    outputs: string[];
  }>;
  outputs: Array<{ id: string; options: unknown }>;
}
const config = async (): Promise<Cfg> => {
  const text = await agentConfigJson(env);
  if (!text) throw new Error('the agent ConfigMap has no config');
  return JSON.parse(text);
};
const asTenant = (objs: object[] | object) => {
  const list = Array.isArray(objs) ? objs : [objs];
  return env.kubectl(['apply', '-f', '-'], {
    kubeconfig: tenant,
    input: list.map((o) => JSON.stringify(o)).join('\n'),
  });
};
const condOf = async (kind: string, name: string, type: string) => cond(await env.get(kind, name, A), type);
const rejected = (name: string, reason: string, kind = 'LogPipeline') =>
  until(`${name} rejected with ${reason}`, async () => {
    const c = await condOf(kind, name, 'Accepted');
    return c?.status === 'False' && c.reason === reason ? c : undefined;
  });
/** Nothing the agent is given points at namespace B. */
async function agentNeverTouchesB(): Promise<void> {
  const cfg = await config();
  for (const p of cfg.pipelines.filter((p) => p.id.startsWith(`LogPipeline/${A}/`))) {
    expect(p.input.namespaces).toEqual({ include: [A] });
    expect(p.input.hostFiles).toBeUndefined();
  }
  expect(JSON.stringify(cfg.outputs)).not.toContain(`"namespace":"${B}"`);
  expect(await env.get('Role', `${AGENT}-secrets`, B)).toBeUndefined();
}

beforeAll(async () => {
  env = await setupEnv(NS, AGENT);
  env.apply([A, B].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  env.apply([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'tenant', namespace: A } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tenant', namespace: A },
      rules: [
        { apiGroups: ['sluice.dev'], resources: ['logpipelines', 'logoutputs'], verbs: ['*'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tenant', namespace: A },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: A }],
    },
    // B's own things, which A must never reach
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'b-creds', namespace: B },
      stringData: { username: 'b', password: 'b-secret' },
    },
    { apiVersion: V, kind: 'LogOutput', metadata: { name: 'b-out', namespace: B }, spec: { stdout: {} } },
    {
      apiVersion: V,
      kind: 'ClusterLogOutput',
      metadata: { name: 'e2e-ten-b-only', labels: { e2e: 'operator-tenancy' } },
      spec: { stdout: {}, allowedNamespaces: { names: [B] } },
    },
  ]);
  tenant = (await serviceAccountCredentials(env.kube, { namespace: A, name: 'tenant' })).kubeconfig;
  op = await startOperator(env, [], 'op-tenancy');
  // a legitimate pipeline of A, so the agents have a config to inspect
  const r = asTenant([
    { apiVersion: V, kind: 'LogOutput', metadata: { name: 'own', namespace: A }, spec: { stdout: {} } },
    {
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: 'own', namespace: A },
      spec: { outputs: [{ name: 'own' }] },
    },
  ]);
  expect(r.stderr).toBe('');
  await until(
    'own accepted',
    async () => (await condOf('LogPipeline', 'own', 'Accepted'))?.status === 'True',
    30_000,
  );
}, 120_000);

afterAll(async () => {
  await op?.stop();
  env?.kubectl(['delete', 'logpipelines,logoutputs,secrets', '--all', '-n', A]);
  env?.kubectl(['delete', 'logoutputs,secrets', '--all', '-n', B]);
  env?.kubectl(['delete', 'clusterlogoutputs', '-l', 'e2e=operator-tenancy']);
  env?.close();
}, 60_000);

describe('a tenant of namespace A', () => {
  test("cannot select B's namespace in a LogPipeline: the field does not exist, the pipeline reads A only", async () => {
    const r = asTenant({
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: 'ns-escape', namespace: A },
      spec: { input: { namespaces: { include: [B] } }, outputs: [{ name: 'own' }] },
    });
    // Strict field validation rejects it; where the client skipped it, the apiserver prunes it.
    if (r.status !== 0) expect(r.stderr).toMatch(/unknown field "spec.input.namespaces"/);
    else expect(JSON.stringify((await env.get('LogPipeline', 'ns-escape', A))?.spec)).not.toContain(B);
    await agentNeverTouchesB();
  });

  test("cannot read B's pod log files as host files", async () => {
    const r = asTenant({
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: 'host-escape', namespace: A },
      spec: { input: { hostFiles: { paths: [`/var/log/pods/${B}_*/*/*.log`] } }, outputs: [{ name: 'own' }] },
    });
    if (r.status !== 0) expect(r.stderr).toMatch(/unknown field "spec.input.hostFiles"/);
    else expect(JSON.stringify((await env.get('LogPipeline', 'host-escape', A))?.spec)).not.toContain(B);
    await agentNeverTouchesB();
  });

  test('cannot create a ClusterLogPipeline (cluster-wide collection)', async () => {
    const r = asTenant({
      apiVersion: V,
      kind: 'ClusterLogPipeline',
      metadata: { name: 'e2e-ten-grab' },
      spec: { outputs: [{ name: 'e2e-ten-b-only' }] },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden/i);
  });

  test("cannot use B's LogOutput: the reference resolves in A and is not found", async () => {
    asTenant({
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: 'use-b-out', namespace: A },
      spec: { outputs: [{ name: 'b-out' }] },
    });
    const c = await rejected('use-b-out', 'OutputNotFound');
    expect(c.message).toContain(`LogOutput/${A}/b-out`);
    expect((await config()).pipelines.map((p) => p.id)).not.toContain(`LogPipeline/${A}/use-b-out`);
    await agentNeverTouchesB();
  });

  test('cannot use a ClusterLogOutput that admits only B', async () => {
    asTenant({
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: 'use-b-clo', namespace: A },
      spec: { outputs: [{ name: 'e2e-ten-b-only', kind: 'ClusterLogOutput' }] },
    });
    await rejected('use-b-clo', 'OutputNotAllowed');
    expect((await config()).pipelines.map((p) => p.id)).not.toContain(`LogPipeline/${A}/use-b-clo`);
  });

  test('cannot reach that ClusterLogOutput through a dead letter either', async () => {
    asTenant([
      {
        apiVersion: V,
        kind: 'LogOutput',
        metadata: { name: 'dl', namespace: A },
        spec: { stdout: {}, deadLetter: { name: 'e2e-ten-b-only', kind: 'ClusterLogOutput' } },
      },
      {
        apiVersion: V,
        kind: 'LogPipeline',
        metadata: { name: 'use-dl', namespace: A },
        spec: { outputs: [{ name: 'dl' }] },
      },
    ]);
    await rejected('use-dl', 'OutputNotAllowed');
  });

  test("cannot make the agent read B's Secret by naming its namespace in a secret reference", async () => {
    const r = asTenant({
      apiVersion: V,
      kind: 'LogOutput',
      metadata: { name: 'steal', namespace: A },
      spec: {
        kafka: {
          brokers: ['k:9092'],
          topic: 't',
          sasl: {
            mechanism: 'scram-sha-512',
            username: { name: 'b-creds', key: 'username', namespace: B },
            password: { name: 'b-creds', key: 'password', namespace: B },
          },
        },
      },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown field "spec.kafka.sasl.(username|password).namespace"/);
    await agentNeverTouchesB();
  });

  test("naming B's Secret without a namespace means A's Secret of that name, which does not exist", async () => {
    asTenant([
      {
        apiVersion: V,
        kind: 'LogOutput',
        metadata: { name: 'steal2', namespace: A },
        spec: {
          kafka: {
            brokers: ['k:9092'],
            topic: 't',
            sasl: {
              mechanism: 'scram-sha-512',
              username: { name: 'b-creds', key: 'username' },
              password: { name: 'b-creds', key: 'password' },
            },
          },
        },
      },
      {
        apiVersion: V,
        kind: 'LogPipeline',
        metadata: { name: 'use-steal2', namespace: A },
        spec: { outputs: [{ name: 'steal2' }] },
      },
    ]);
    const c = await rejected('use-steal2', 'ReferencedSecretMissing');
    expect(c.message).toContain(`${A}/b-creds`);
    await agentNeverTouchesB();
  });

  test("cannot write a file output into another namespace's directory", async () => {
    asTenant([
      {
        apiVersion: V,
        kind: 'LogOutput',
        metadata: { name: 'climb', namespace: A },
        spec: { file: { path: `../${B}/b-out.ndjson` } },
      },
      {
        apiVersion: V,
        kind: 'LogPipeline',
        metadata: { name: 'use-climb', namespace: A },
        spec: { outputs: [{ name: 'climb' }] },
      },
    ]);
    const c = await rejected('use-climb', 'OutputInvalid');
    expect(c.message).toContain('spec.file.path');
    const out: KubeObject | undefined = await env.get('LogOutput', 'climb', A);
    expect(cond(out, 'Accepted')?.reason).toBe('InvalidSpec');
  });
});
