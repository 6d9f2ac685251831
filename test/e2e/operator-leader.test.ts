// Two operator replicas: only the leader writes; SIGKILL the leader and the standby takes over
// within the lease duration and carries on reconciling.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  agentConfigJson,
  type Env,
  type OperatorProc,
  setupEnv,
  sleep,
  startOperator,
  until,
} from './operator/harness.ts';

const NS = 'e2e-le-sys';
const AGENT = 'e2e-le-agent';
const APP = 'e2e-le-app';
const LEASE_S = 4;
const flags = ['--lease-duration', String(LEASE_S), '--renew-deadline', '3', '--retry-period', '0.5'];
let env: Env;
let a: OperatorProc;
let b: OperatorProc;

const pipeline = (filters: object[] = []) => [
  {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'LogOutput',
    metadata: { name: 'out', namespace: APP },
    spec: { stdout: {} },
  },
  {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'LogPipeline',
    metadata: { name: 'p', namespace: APP },
    spec: { outputs: [{ name: 'out' }], filters },
  },
];
const configText = () => agentConfigJson(env);

beforeAll(async () => {
  env = await setupEnv(NS, AGENT);
  env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP } });
}, 60_000);

afterAll(async () => {
  await a?.stop('SIGKILL');
  await b?.stop();
  env?.kubectl(['delete', 'logpipelines,logoutputs', '--all', '-n', APP]);
  env?.close();
}, 60_000);

test('only the leader writes; killing it hands over within the lease duration', async () => {
  a = await startOperator(env, flags, 'replica-a');
  await until('replica-a leads', () => a.leader(), 20_000);
  b = await startOperator(env, flags, 'replica-b');
  env.apply(pipeline());
  await until('the ConfigMap', async () => (await configText()).includes(`LogPipeline/${APP}/p`), 20_000);
  await until('status written', async () => (await env.get('LogPipeline', 'p', APP))?.status !== undefined);
  await sleep(2000);
  expect(await b.leader()).toBe(false);
  expect(await b.writes()).toBe(0);
  expect(await a.writes({ excludeLeases: true })).toBeGreaterThan(0);

  await a.stop('SIGKILL');
  const killed = Date.now();
  await until('replica-b leads', () => b.leader(), 20_000, 100);
  const handover = Date.now() - killed;
  expect(handover).toBeLessThanOrEqual((LEASE_S + 1) * 1000);

  env.apply(pipeline([{ drop: { when: { field: 'level', equals: 'debug' } } }]));
  await until('the new leader reconciles', async () => (await configText()).includes('"debug"'), 20_000);
  expect(await b.writes({ excludeLeases: true })).toBeGreaterThan(0);
}, 120_000);
