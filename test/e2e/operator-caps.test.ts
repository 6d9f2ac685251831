// Tenant caps on the real apiserver: the operator started with a tenancy policy; a tenant of
// namespace A (a ServiceAccount with edit rights on A only) goes over its pipeline count and its
// buffer cap and is refused with OverNamespaceCap, the cap, what it asked and the limit; nothing
// refused reaches the agent config; namespace B (cap lifted) is untouched; an output the node
// budget scales down says so; record size and rate caps are compiled into the config; and real
// agents' rate-cap drops show in the pipeline's status.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { serviceAccountCredentials } from '../env/index.ts';
import {
  type AgentProc,
  agentConfigJson,
  cond,
  type Env,
  type OperatorProc,
  setupEnv,
  startAgents,
  startOperator,
  until,
} from './operator/harness.ts';

const NS = 'e2e-caps-sys';
const AGENT = 'e2e-caps-agent';
const A = 'e2e-caps-a';
const B = 'e2e-caps-b';
const V = 'sluice.dev/v1alpha1';
const RATE = 50;
let env: Env;
let op: OperatorProc;
let tenant: string;
let agents: { agents: AgentProc[]; stop(): Promise<void> } | undefined;

interface Cfg {
  pipelines: Array<{ id: string; parse?: { maxRecordBytes?: number }; namespaceRecordsPerSecond?: number }>;
  outputs: Array<{ id: string; buffer?: { maxSize?: number } }>;
}
const config = async (): Promise<Cfg> =>
  JSON.parse((await agentConfigJson(env)) || '{"pipelines":[],"outputs":[]}');
const asTenant = (objs: object[]) => {
  const r = env.kubectl(['apply', '-f', '-'], {
    kubeconfig: tenant,
    input: objs.map((o) => JSON.stringify(o)).join('\n'),
  });
  if (r.status !== 0) throw new Error(r.stderr);
};
const lo = (name: string, ns: string, buffer?: object) => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name, namespace: ns },
  spec: { stdout: {}, ...(buffer ? { buffer } : {}) },
});
const lp = (name: string, ns: string, output = 'own', parse?: object) => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns },
  spec: { outputs: [{ name: output }], ...(parse ? { parse } : {}) },
});
const accepted = (kind: string, name: string, ns: string, status: 'True' | 'False', reason?: string) =>
  until(
    `${kind} ${ns}/${name} Accepted=${status}${reason ? ` (${reason})` : ''}`,
    async () => {
      const c = cond(await env.get(kind, name, ns), 'Accepted');
      return c?.status === status && (reason === undefined || c.reason === reason) ? c : undefined;
    },
    60_000,
  );

beforeAll(async () => {
  env = await setupEnv(NS, AGENT);
  env.apply([A, B].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  env.apply([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'tenant', namespace: A } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tenant-edit', namespace: A },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: A }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tenant-sluice', namespace: A },
      rules: [{ apiGroups: ['sluice.dev'], resources: ['logpipelines', 'logoutputs'], verbs: ['*'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tenant-sluice', namespace: A },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-sluice' },
      subjects: [{ kind: 'ServiceAccount', name: 'tenant', namespace: A }],
    },
  ]);
  tenant = (await serviceAccountCredentials(env.kube, { namespace: A, name: 'tenant' })).kubeconfig;
  op = await startOperator(env, [], 'op-caps', undefined, {
    tenancy: {
      defaults: {
        maxPipelines: 2,
        maxOutputs: 3,
        maxBufferBytes: '8Mi',
        maxRecordBytes: '64Ki',
        maxRecordsPerSecond: RATE,
      },
      namespaces: [{ namespaces: [B], maxPipelines: null, maxBufferBytes: null, maxRecordsPerSecond: null }],
    },
  });
}, 120_000);

afterAll(async () => {
  await agents?.stop();
  await op?.stop();
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', A]);
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', B]);
  env?.close();
}, 60_000);

describe('per-namespace caps', () => {
  test('the newest pipeline over maxPipelines is refused and not rendered; it runs once another is deleted', async () => {
    asTenant([lo('own', A), lp('p1', A, 'own', { maxRecordSize: '1Mi' })]);
    await accepted('LogPipeline', 'p1', A, 'True');
    asTenant([lp('p2', A)]);
    await accepted('LogPipeline', 'p2', A, 'True');
    asTenant([lp('p3', A)]);
    const c = await accepted('LogPipeline', 'p3', A, 'False', 'OverNamespaceCap');
    expect(c.message).toContain(
      `namespace "${A}" may have 2 LogPipelines (tenancy cap maxPipelines) and has 3`,
    );
    const ready = cond(await env.get('LogPipeline', 'p3', A), 'Ready');
    expect(ready?.status).toBe('False');
    const ids = (await config()).pipelines.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([`LogPipeline/${A}/p1`, `LogPipeline/${A}/p2`]));
    expect(ids).not.toContain(`LogPipeline/${A}/p3`);

    await env.del('LogPipeline', 'p2', A);
    await accepted('LogPipeline', 'p3', A, 'True');
    await until('p3 in the agent config', async () =>
      (await config()).pipelines.some((p) => p.id === `LogPipeline/${A}/p3`),
    );
  });

  test('an output asking for more buffer than is left is refused with the cap, what it asked and what is left; the others stay', async () => {
    asTenant([lo('half', A, { maxSize: '4Mi' })]);
    await accepted('LogOutput', 'half', A, 'True');
    asTenant([lo('big', A, { maxSize: '16Mi' })]);
    const c = await accepted('LogOutput', 'big', A, 'False', 'OverNamespaceCap');
    // own (unset: the 4Mi default) and half (4Mi), both older, hold the 8Mi
    expect(c.message).toBe(
      `LogOutput/${A}/big asks for 16Mi of memory buffer (spec.buffer.maxSize), but namespace "${A}" may buffer 8Mi in memory (tenancy cap maxBufferBytes) and its earlier LogOutputs hold 8Mi: lower spec.buffer.maxSize to at most 0 or ask the platform team to raise the cap`,
    );
    // the older outputs keep running
    expect(cond(await env.get('LogOutput', 'half', A), 'Accepted')?.status).toBe('True');
    // a pipeline naming the refused output is refused for the same reason
    asTenant([lp('p1', A, 'big')]);
    const p = await accepted('LogPipeline', 'p1', A, 'False', 'OverNamespaceCap');
    expect(p.message).toContain(`LogOutput/${A}/big asks for 16Mi`);
    expect((await config()).outputs.map((o) => o.id)).not.toContain(`LogOutput/${A}/big`);
    asTenant([lp('p1', A, 'own', { maxRecordSize: '1Mi' })]);
    await accepted('LogPipeline', 'p1', A, 'True');
  });

  test('another namespace (its caps lifted) is unaffected: three pipelines and a 64Mi buffer run', async () => {
    env.apply([
      lo('big', B, { maxSize: '64Mi' }),
      lp('q1', B, 'big'),
      lp('q2', B, 'big'),
      lp('q3', B, 'big'),
    ]);
    for (const q of ['q1', 'q2', 'q3']) await accepted('LogPipeline', q, B, 'True');
    const cfg = await config();
    expect(cfg.outputs.find((o) => o.id === `LogOutput/${B}/big`)?.buffer?.maxSize).toBe(64 * 1024 * 1024);
    expect(
      cfg.pipelines.find((p) => p.id === `LogPipeline/${B}/q1`)?.namespaceRecordsPerSecond,
    ).toBeUndefined();
  });

  test('an output whose buffer the node budget scales down says so; the config keeps what it asked', async () => {
    // the agents' 512Mi memory limit gives a 128Mi memory budget per node
    env.apply([lo('huge', B, { maxSize: '1Gi' }), lp('q4', B, 'huge')]);
    const c = await until(
      'huge: Accepted with the node budget note',
      async () => {
        const c = cond(await env.get('LogOutput', 'huge', B), 'Accepted');
        return c?.status === 'True' && c.message.includes('node budget') ? c : undefined;
      },
      60_000,
    );
    expect(c.message).toMatch(/Note: the agents hold its memory buffer to [0-9.]+Mi of the 1Gi asked/);
    expect(c.message).toContain('above the node budget of 128Mi (agent.bufferBudget)');
    const cfg = await config();
    expect(cfg.outputs.find((o) => o.id === `LogOutput/${B}/huge`)?.buffer?.maxSize).toBe(1024 ** 3);
  });

  test('record size is clamped (and said in Accepted); the rate cap is compiled into every pipeline of the namespace', async () => {
    const cfg = await config();
    const p1 = cfg.pipelines.find((p) => p.id === `LogPipeline/${A}/p1`)!;
    expect(p1.parse?.maxRecordBytes).toBe(64 * 1024);
    expect(p1.namespaceRecordsPerSecond).toBe(RATE);
    expect(cfg.pipelines.find((p) => p.id === `LogPipeline/${A}/p3`)?.namespaceRecordsPerSecond).toBe(RATE);
    const c = cond(await env.get('LogPipeline', 'p1', A), 'Accepted');
    expect(c?.message).toContain('records longer than 64Ki are truncated and counted');
  });

  test("real agents drop what is over the namespace's rate and the pipeline's status counts it", async () => {
    agents = await startAgents(env);
    // A's noisy pod on every agent's node: 2,000 lines, far above 50 per second.
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `2024-01-01T00:00:00.000000001Z stdout F noisy ${i}\n`,
    );
    for (const n of env.kube.nodes) {
      const dir = join(env.dir, 'agents', n, 'logs', `${A}_noisy_uid-noisy`, 'c');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '0.log'), lines.join(''));
    }
    const p = await until(
      'p1 status counts namespace_rate_cap drops',
      async () => {
        const o = await env.get('LogPipeline', 'p1', A);
        const n = (o?.status as { droppedByCaps?: Record<string, number> } | undefined)?.droppedByCaps
          ?.namespace_rate_cap;
        return n !== undefined && n > 0 ? o : undefined;
      },
      90_000,
    );
    const dropped = (p.status as { droppedByCaps: Record<string, number> }).droppedByCaps.namespace_rate_cap!;
    // p1 and p3 share the 50/s of each node; most of 2,000 lines per node and pipeline are over it
    expect(dropped).toBeGreaterThan(1000);
    expect(dropped).toBeLessThanOrEqual(2000 * env.kube.nodes.length);
    // B's pipelines read nothing of A and drop nothing by a cap
    const q1 = await env.get('LogPipeline', 'q1', B);
    expect(cond(q1, 'Accepted')?.status).toBe('True');
    expect((q1?.status as { droppedByCaps?: unknown } | undefined)?.droppedByCaps).toBeUndefined();
  }, 120_000);
});
