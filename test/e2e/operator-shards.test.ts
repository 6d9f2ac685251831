// Config shards on the real apiserver (issue 14): the operator, under its ServiceAccount, writes
// one ConfigMap per namespace; real `sluice agent` processes read them through the API under the
// agent's own RBAC. A namespace whose pipelines exceed one shard (the limit lowered to 4 kB for the
// test) gets ConfigShardTooLarge and keeps nothing new, while another namespace's change still
// reaches every agent and its pipeline becomes Ready at its new generation; deleting a namespace's
// last pipeline and output deletes its shard.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { SHARD_HASH_ANNOTATION } from '../../contract/agent-config/shards.ts';
import { parseShardHashes, REPORT_SHARDS_ANNOTATION } from '../../contract/report.ts';
import { agentConfigText } from '../../operator/src/render/configmap.ts';
import {
  type AgentProc,
  cond,
  type Env,
  type OperatorProc,
  setupEnv,
  startAgents,
  startOperator,
  until,
} from './operator/harness.ts';

const NS = 'e2e-shards-sys';
const AGENT = 'e2e-shards-agent';
const BIG = 'e2e-shards-big';
const SMALL = 'e2e-shards-small';
const V = 'sluice.dev/v1alpha1';
let env: Env;
let op: OperatorProc;
let agents: { agents: AgentProc[]; stop(): Promise<void> } | undefined;

const lo = (ns: string) => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name: 'out', namespace: ns },
  spec: { stdout: {} },
});
/** `noise` random values (no compression shrinks them) make a namespace's shard big. */
const lp = (name: string, ns: string, opts: { noise?: number; tag?: string } = {}) => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns },
  spec: {
    outputs: [{ name: 'out' }],
    filters: [
      ...(opts.tag ? [{ add: { fields: { tag: opts.tag } } }] : []),
      ...(opts.noise
        ? [
            {
              drop: {
                when: {
                  field: 'x',
                  in: Array.from({ length: opts.noise }, () => randomBytes(256).toString('hex')),
                },
              },
            },
          ]
        : []),
    ],
  },
});
const shard = (ns: string) => env.get('ConfigMap', `${AGENT}-ns-${ns}`, NS);
/** The pipeline, once Ready at its current generation with every agent configured. */
const ready = (name: string, ns: string) =>
  until(
    `LogPipeline ${ns}/${name} Ready`,
    async () => {
      const p = await env.get('LogPipeline', name, ns);
      const c = cond(p, 'Ready');
      const agents = (p?.status as { agents?: { configured: number; desired: number } } | undefined)?.agents;
      return c?.status === 'True' &&
        c.observedGeneration === p!.metadata.generation &&
        agents !== undefined &&
        agents.desired > 0 &&
        agents.configured === agents.desired
        ? p
        : undefined;
    },
    60_000,
  );

beforeAll(async () => {
  env = await setupEnv(NS, AGENT);
  env.apply([BIG, SMALL].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  op = await startOperator(env, [], 'op', undefined, { configShardMaxBytes: 4000 });
}, 60_000);

afterAll(async () => {
  await agents?.stop();
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', BIG]);
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', SMALL]);
  await op?.stop();
  env?.close();
}, 60_000);

test("a namespace too big for its shard is refused alone; another namespace's change reaches real agents", async () => {
  env.apply([lo(SMALL), lp('q', SMALL, { tag: 'v1' }), lo(BIG), lp('b1', BIG, { noise: 16 }), lp('b2', BIG)]);
  agents = await startAgents(env);
  const q1 = await ready('q', SMALL);
  expect(agentConfigText(await shard(SMALL))).toContain('"v1"');

  for (const name of ['b1', 'b2']) {
    const c = await until(`${BIG}/${name} ConfigShardTooLarge`, async () => {
      const a = cond(await env.get('LogPipeline', name, BIG), 'Accepted');
      return a?.reason === 'ConfigShardTooLarge' ? a : undefined;
    });
    expect(c.status).toBe('False');
    expect(c.message).toContain(`namespace "${BIG}"`);
    expect(c.message).toContain('other namespaces are not affected');
    expect(cond(await env.get('LogPipeline', name, BIG), 'Ready')?.status).toBe('False');
  }
  // nothing of the big namespace was ever applied
  expect(await shard(BIG)).toBeUndefined();

  // The small namespace changes while the big one is still over: the change reaches every agent.
  env.apply(lp('q', SMALL, { tag: 'v2' }));
  const q2 = await until('generation 2 of q', async () => {
    const p = await ready('q', SMALL);
    return (p.metadata.generation ?? 0) > (q1.metadata.generation ?? 0) ? p : undefined;
  });
  expect(q2.metadata.generation).toBe((q1.metadata.generation ?? 0) + 1);
  const live = await shard(SMALL);
  expect(agentConfigText(live)).toContain('"v2"');
  // each agent reports the hash of the shard it loaded through the API: the one just written
  const hash = live!.metadata.annotations?.[SHARD_HASH_ANNOTATION];
  for (const a of agents.agents) {
    const lease = await env.get('Lease', `${AGENT}-${a.node}`, NS);
    expect(parseShardHashes(lease?.metadata.annotations?.[REPORT_SHARDS_ANNOTATION])[SMALL]).toBe(hash);
  }
  expect(cond(await env.get('LogPipeline', 'b1', BIG), 'Accepted')?.reason).toBe('ConfigShardTooLarge');

  // Fixing the big namespace applies it.
  env.apply(lp('b1', BIG));
  await ready('b1', BIG);
  await ready('b2', BIG);
  expect(await shard(BIG)).toBeDefined();

  // A namespace without pipelines and outputs has no shard any more (a deleted namespace's too).
  env.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', SMALL]);
  await until('the small shard deleted', async () => (await shard(SMALL)) === undefined);
}, 180_000);
