// The operator against the real control plane, under its own ServiceAccount with exactly the
// RBAC of operator/src/render/operator-rbac.ts: pipelines become a DaemonSet with Ready pods on
// the 3 kwok nodes and a ConfigMap; three real agents (one per fake node, with the kwok pods'
// identity and the agent ServiceAccount's token) report the config they run through their Leases;
// spec changes roll out without pod restarts; broken references are rejected alone with their own
// reason; a restart over an unchanged world writes nothing; deleting everything cleans up.

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../operator/src/kube/client.ts';
import { collectionPath, RT } from '../../operator/src/kube/resources.ts';
import { CONFIG_HASH_ANNOTATION } from '../../operator/src/render/meta.ts';
import {
  type AgentProc,
  agentConfigJson,
  cond,
  type Env,
  type OperatorProc,
  setupEnv,
  sleep,
  startAgents,
  startOperator,
  until,
} from './operator/harness.ts';

const NS = 'e2e-op-sys';
const AGENT = 'e2e-op-agent';
const SHOP = 'e2e-op-shop';
const OTHER = 'e2e-op-other';
const V = 'sluice.dev/v1alpha1';

let env: Env;
let op: OperatorProc;
let agents: { agents: AgentProc[]; stop(): Promise<void> } | undefined;

const lp = (name: string, outputs: object[], spec: object = {}, ns = SHOP) => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns },
  spec: { outputs, ...spec },
});
const fileOutput = (name: string, ns = SHOP) => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name, namespace: ns },
  spec: { file: { path: `${name}.ndjson` } },
});

async function pipeline(name: string, ns = SHOP): Promise<KubeObject | undefined> {
  return env.get('LogPipeline', name, ns);
}
async function agentConfig(): Promise<{
  pipelines: Array<{ id: string; outputs: string[]; filters?: unknown[] }>;
  outputs: Array<{ id: string; options: unknown }>;
}> {
  return JSON.parse((await agentConfigJson(env)) || '{}');
}
const ready = (name: string, ns = SHOP, timeoutMs = 30_000) =>
  until(
    `${ns}/${name} Ready`,
    async () => {
      const p = await pipeline(name, ns);
      return cond(p, 'Ready')?.status === 'True' &&
        (p?.status as { observedGeneration?: number } | undefined)?.observedGeneration ===
          p?.metadata.generation
        ? p
        : undefined;
    },
    timeoutMs,
  );
const rejected = (name: string, reason: string, ns = SHOP) =>
  until(`${ns}/${name} Accepted=False ${reason}`, async () => {
    const p = await pipeline(name, ns);
    const c = cond(p, 'Accepted');
    return c?.status === 'False' && c.reason === reason && c.observedGeneration === p?.metadata.generation
      ? p
      : undefined;
  });
async function agentPods(): Promise<KubeObject[]> {
  const list = await env.admin.request<{ items: KubeObject[] }>(
    'GET',
    collectionPath(RT.ConfigMap, NS).replace('configmaps', 'pods'),
    {
      query: { labelSelector: `app.kubernetes.io/instance=${AGENT}` },
    },
  );
  return list.items;
}

beforeAll(async () => {
  env = await setupEnv(NS, AGENT);
  env.apply([SHOP, OTHER].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  env.kubectl(['delete', 'secret', 'kafka-user', '-n', SHOP, '--ignore-not-found']);
  op = await startOperator(env);
}, 120_000);

afterAll(async () => {
  await agents?.stop();
  await op?.stop();
  // leave nothing behind for other suites
  // secrets too: a leftover kafka-user would make the next run's missing-Secret test meaningless
  env?.kubectl(['delete', 'logpipelines,logoutputs,secrets', '--all', '-n', SHOP, '--wait=false']);
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', OTHER, '--wait=false']);
  env?.kubectl(['delete', 'clusterlogoutputs', '-l', 'e2e=operator-pipeline', '--wait=false']);
  env?.close();
}, 60_000);

describe('operator', () => {
  test('a LogPipeline and a LogOutput: Ready pods on all 3 nodes, the ConfigMap holds the pipeline, READY True AGENTS 3/3', async () => {
    env.apply([fileOutput('out'), lp('checkout', [{ name: 'out' }])]);
    const ds = await until(
      'DaemonSet with 3 ready pods',
      async () => {
        const d = await env.get('DaemonSet', AGENT, NS);
        const s = d?.status as { numberReady?: number; desiredNumberScheduled?: number } | undefined;
        return s?.desiredNumberScheduled === 3 && s.numberReady === 3 ? d : undefined;
      },
      60_000,
    );
    expect(ds).toBeDefined();
    const pods = await agentPods();
    expect(new Set(pods.map((p) => (p.spec as { nodeName: string }).nodeName))).toEqual(
      new Set(env.kube.nodes),
    );
    const cfg = await agentConfig();
    expect(cfg.pipelines.map((p) => p.id)).toContain(`LogPipeline/${SHOP}/checkout`);

    agents = await startAgents(env);
    await ready('checkout', SHOP, 60_000);
    const table = env.kubectl(['get', 'logpipelines', '-n', SHOP]).stdout;
    expect(table).toMatch(/NAME\s+READY\s+AGENTS/);
    expect(table).toMatch(/checkout\s+True\s+3\/3\s+1\/1/);
    const out = await env.get('LogOutput', 'out', SHOP);
    expect(cond(out, 'Ready')?.status).toBe('True');
    expect((out?.status as { pipelines: number } | undefined)?.pipelines).toBe(1);
    // The DaemonSet carries the base config's hash (a namespace's change does not touch it); the
    // hash over every shard is what the agents-not-on-current-config alert compares with.
    const live = (await env.get('DaemonSet', AGENT, NS))!.metadata.annotations?.[CONFIG_HASH_ANNOTATION];
    expect(live).toMatch(/^[0-9a-f]+$/);
    expect(live).toBe(
      (await env.get('ConfigMap', AGENT, NS))!.metadata.annotations?.[CONFIG_HASH_ANNOTATION],
    );
    const combined = (await op.metrics()).match(
      /^sluice_operator_config_info\{hash="([0-9a-f]+)"\} 1$/m,
    )?.[1];
    expect(combined).toMatch(/^[0-9a-f]{16}$/);
  }, 180_000);

  test('a spec change: ConfigMap updated within 2 s, no pod restarted, observedGeneration follows', async () => {
    const podsBefore = (await agentPods()).map((p) => p.metadata.uid).sort();
    const dsBefore = await env.get('DaemonSet', AGENT, NS);
    const before = await pipeline('checkout');
    const t0 = Date.now();
    env.apply(
      lp('checkout', [{ name: 'out' }], { filters: [{ drop: { when: { field: 'level', in: ['debug'] } } }] }),
    );
    await until(
      'the ConfigMap holds the new filter',
      async () => {
        const cfg = await agentConfig();
        return cfg.pipelines.find((p) => p.id === `LogPipeline/${SHOP}/checkout`)?.filters?.length === 1;
      },
      10_000,
      50,
    );
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(2000);
    const after = await ready('checkout');
    expect(after.metadata.generation).toBe((before!.metadata.generation ?? 0) + 1);
    expect((after.status as { observedGeneration: number }).observedGeneration).toBe(
      after.metadata.generation,
    );
    for (const c of (after.status as { conditions: Array<{ observedGeneration: number }> }).conditions)
      expect(c.observedGeneration).toBe(after.metadata.generation);
    expect((after.status as { agents: unknown }).agents).toEqual({ desired: 3, ready: 3, configured: 3 });
    const dsAfter = await env.get('DaemonSet', AGENT, NS);
    expect(dsAfter!.metadata.generation).toBe(dsBefore!.metadata.generation);
    expect((await agentPods()).map((p) => p.metadata.uid).sort()).toEqual(podsBefore);
  }, 60_000);

  test('a missing output: OutputNotFound, the others unaffected; creating it makes the pipeline Ready', async () => {
    const cfgBefore = await agentConfig();
    env.apply(lp('lost', [{ name: 'nowhere' }]));
    const p = await rejected('lost', 'OutputNotFound');
    expect(cond(p, 'Accepted')!.message).toContain('nowhere');
    expect(cond(p, 'Ready')?.status).toBe('False');
    // This test's own pipelines: other suites' (one operator sees every namespace) come and go.
    const ours = (c: { pipelines: { id: string }[] }) =>
      c.pipelines.map((x) => x.id).filter((id) => id.startsWith(`LogPipeline/${SHOP}/`));
    expect(ours(await agentConfig())).toEqual(ours(cfgBefore));
    // Unaffected: the good pipeline is (or, while agents report a reload under load, becomes) Ready.
    await ready('checkout');
    env.apply(fileOutput('nowhere'));
    await ready('lost');
  }, 60_000);

  test("another namespace's output: OutputNotAllowed or OutputNotFound, never used; fixed by an own output", async () => {
    env.apply(fileOutput('foreign', OTHER));
    env.apply(lp('borrow', [{ name: 'foreign' }]));
    // a LogPipeline's output reference cannot even name another namespace: it resolves in its own
    const p = await rejected('borrow', 'OutputNotFound');
    expect(cond(p, 'Accepted')!.message).toContain(`LogOutput/${SHOP}/foreign`);
    expect((await agentConfig()).pipelines.map((x) => x.id)).not.toContain(`LogPipeline/${SHOP}/borrow`);
    // Unaffected: the good pipeline is (or, while agents report a reload under load, becomes) Ready.
    await ready('checkout');
    env.apply(fileOutput('foreign', SHOP));
    await ready('borrow');
    const cfg = await agentConfig();
    expect(cfg.pipelines.find((x) => x.id === `LogPipeline/${SHOP}/borrow`)!.outputs).toEqual([
      `LogOutput/${SHOP}/foreign`,
    ]);
  }, 60_000);

  test('a ClusterLogOutput that does not admit the namespace: OutputNotAllowed; admitting it makes it Ready', async () => {
    const clo = (names: string[]) => ({
      apiVersion: V,
      kind: 'ClusterLogOutput',
      metadata: { name: 'e2e-op-archive', labels: { e2e: 'operator-pipeline' } },
      spec: { stdout: {}, allowedNamespaces: { names } },
    });
    env.apply(clo([OTHER]));
    env.apply(lp('archive', [{ name: 'e2e-op-archive', kind: 'ClusterLogOutput' }]));
    const p = await rejected('archive', 'OutputNotAllowed');
    expect(cond(p, 'Accepted')!.message).toContain('allowedNamespaces');
    // Unaffected: the good pipeline is (or, while agents report a reload under load, becomes) Ready.
    await ready('checkout');
    env.apply(clo([OTHER, SHOP]));
    await ready('archive');
  }, 60_000);

  test('an operator restart over an unchanged world issues no writes', async () => {
    await op.stop();
    op = await startOperator(env, [], 'op-restarted');
    await until('leadership', () => op.leader(), 30_000);
    // let every informer event, world reconcile and status check run
    await sleep(6000);
    expect(await op.writes({ excludeLeases: true })).toBe(0);
    expect(op.logs.join('\n')).not.toContain('agent objects reconciled');
  }, 90_000);

  test('a missing Secret: ReferencedSecretMissing, the others unaffected; creating it accepts the pipeline, and the agent may read exactly that Secret', async () => {
    // The Kafka sink is not part of every agent build: the agents stop here so that a Kafka
    // output in their config cannot matter; status still reads their last reports.
    await agents?.stop();
    agents = undefined;
    env.apply({
      apiVersion: V,
      kind: 'LogOutput',
      metadata: { name: 'kafka', namespace: SHOP },
      spec: {
        kafka: {
          brokers: ['kafka.data:9092'],
          topic: 'shop',
          sasl: {
            mechanism: 'scram-sha-512',
            username: { name: 'kafka-user', key: 'username' },
            password: { name: 'kafka-user', key: 'password' },
          },
        },
      },
    });
    env.apply(lp('stream', [{ name: 'kafka' }]));
    const p = await rejected('stream', 'ReferencedSecretMissing');
    expect(cond(p, 'Accepted')!.message).toContain(`${SHOP}/kafka-user`);
    // Unaffected: the good pipeline is (or, while agents report a reload under load, becomes) Ready.
    await ready('checkout');
    const out = await env.get('LogOutput', 'kafka', SHOP);
    expect(cond(out, 'Accepted')?.reason).toBe('ReferencedSecretMissing');
    expect(await env.get('Role', `${AGENT}-secrets`, SHOP)).toBeUndefined();

    env.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'kafka-user', namespace: SHOP },
      stringData: { username: 'u', password: 'p4ss-w0rd' },
    });
    await until('stream accepted', async () => cond(await pipeline('stream'), 'Accepted')?.status === 'True');
    const role = await until('the agent secret Role', () => env.get('Role', `${AGENT}-secrets`, SHOP));
    expect((role.rules as Array<{ resourceNames: string[] }>)[0]!.resourceNames).toEqual(['kafka-user']);
    const cm = await env.get('ConfigMap', AGENT, NS);
    expect(cm!.data).toBeUndefined();
    const text = await agentConfigJson(env);
    expect(text).toContain('"kafka-user"');
    expect(text).not.toContain('p4ss-w0rd');
  }, 60_000);

  test('deleting everything garbage-collects the owned objects', async () => {
    // Owner references: with the operator stopped, deleting the output that references the
    // Secret lets the garbage collector revoke the agent's access on its own.
    await op.stop();
    await env.del('LogOutput', 'kafka', SHOP);
    await until(
      'the secret Role garbage-collected',
      async () => (await env.get('Role', `${AGENT}-secrets`, SHOP)) === undefined,
      60_000,
      500,
    );
    op = await startOperator(env, [], 'op-final');
    env.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', SHOP]);
    env.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', OTHER]);
    env.kubectl(['delete', 'clusterlogoutputs', '-l', 'e2e=operator-pipeline']);
    const gone: Array<[string, string, string | undefined]> = [
      ['DaemonSet', AGENT, NS],
      ['ConfigMap', AGENT, NS],
      ['ServiceAccount', AGENT, NS],
      ['Service', `${AGENT}-metrics`, NS],
      ['PodDisruptionBudget', AGENT, NS],
      ['NetworkPolicy', AGENT, NS],
      ['Role', `${AGENT}-status`, NS],
      ['ClusterRole', AGENT, undefined],
      ['ClusterRoleBinding', AGENT, undefined],
    ];
    await until(
      'every owned object gone',
      async () => {
        for (const [kind, name, ns] of gone) if (await env.get(kind, name, ns)) return false;
        return true;
      },
      60_000,
      500,
    );
    await until('agent pods gone', async () => (await agentPods()).length === 0, 60_000, 500);
  }, 150_000);
});
