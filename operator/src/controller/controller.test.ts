import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../kube/client.ts';
import { defaultSettings } from '../render/settings.ts';
import type { WorldSnapshot } from '../state.ts';
import { agentPodProblems } from '../status/agent-pods.ts';
import { pipelineStatus, statusDiff } from '../status/compute.ts';
import { contains } from './apply.ts';
import { computeDesired } from './desired.ts';
import { retryDelay, WorkQueue } from './queue.ts';
import { holdable } from './status.ts';

const V = 'sluice.dev/v1alpha1';
const out = (name: string, ns = 'a'): KubeObject => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: { name, namespace: ns, uid: `uid-${name}` },
  spec: { stdout: {} },
});
const pipe = (name: string, outputs: string[], ns = 'a'): KubeObject => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: { name, namespace: ns, generation: 1 },
  spec: { outputs: outputs.map((n) => ({ name: n })) },
});
const world = (w: Partial<WorldSnapshot>): WorldSnapshot => ({
  pipelines: [],
  outputs: [],
  namespaces: new Map([['a', {}]]),
  secrets: new Map(),
  ...w,
});
const settings = defaultSettings();

describe('work queue', () => {
  test('de-duplicates, never runs a key twice at once, re-runs a key added while running', async () => {
    const q = new WorkQueue({ concurrency: 4 });
    const runs: string[] = [];
    let running = 0;
    let max = 0;
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('b');
    expect(q.depth).toBe(2);
    q.start(async (k) => {
      running++;
      max = Math.max(max, running);
      runs.push(k);
      await new Promise((r) => setTimeout(r, 20));
      if (k === 'a' && runs.filter((x) => x === 'a').length === 1) q.add('a');
      running--;
    });
    await new Promise((r) => setTimeout(r, 100));
    await q.idle();
    expect(runs.filter((x) => x === 'a')).toHaveLength(2);
    expect(runs.filter((x) => x === 'b')).toHaveLength(1);
    expect(max).toBeLessThanOrEqual(2);
  });

  test('retries a failing key with growing delays, capped', async () => {
    const q = new WorkQueue({ concurrency: 1, baseDelayMs: 10, maxDelayMs: 40 });
    const at: number[] = [];
    q.start(async () => {
      at.push(Date.now());
      if (at.length < 5) throw new Error('boom');
    });
    q.add('k');
    await new Promise((r) => setTimeout(r, 400));
    expect(at).toHaveLength(5);
    // Timers never fire early, so each gap is at least its backoff (load can only add to it).
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(retryDelay(i + 1, 10, 40) - 2));
    q.stop();
  });

  test('retry delays double from the base and stop at the cap', () => {
    expect([1, 2, 3, 4, 5, 30].map((n) => retryDelay(n, 10, 40))).toEqual([10, 20, 40, 40, 40, 40]);
  });

  test('priority keys jump the line', async () => {
    const q = new WorkQueue({ concurrency: 1, priority: (k) => k === 'world' });
    const runs: string[] = [];
    for (const k of ['s1', 's2', 's3']) q.add(k);
    q.add('world');
    q.start(async (k) => {
      runs.push(k);
    });
    await q.idle();
    expect(runs[0]).toBe('world');
  });

  test('a priority key starts while every worker is busy, and still never runs twice at once', async () => {
    const q = new WorkQueue({ concurrency: 1, priority: (k) => k === 'world' });
    const log: string[] = [];
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => {
      release = r;
    });
    q.start(async (k) => {
      log.push(`start ${k}`);
      if (k === 'slow') await slow;
      else await new Promise((r) => setTimeout(r, 10));
      log.push(`end ${k}`);
    });
    q.add('slow');
    q.add('s2');
    q.add('world');
    q.add('world'); // de-duplicated while waiting
    await new Promise((r) => setTimeout(r, 5));
    q.add('world'); // running: re-run once afterwards
    await new Promise((r) => setTimeout(r, 60));
    // the status key behind the slow one still waits; world ran twice, one after the other
    expect(log).toEqual(['start slow', 'start world', 'end world', 'start world', 'end world']);
    release();
    await q.idle();
    expect(log.slice(5)).toEqual(['end slow', 'start s2', 'end s2']);
  });
});

describe('desired state', () => {
  test('a rejected pipeline is left out; the others are compiled', () => {
    const d = computeDesired(
      world({ pipelines: [pipe('good', ['o']), pipe('bad', ['missing'])], outputs: [out('o')] }),
      settings,
      undefined,
    );
    expect(d.config.pipelines.map((p) => p.id)).toEqual(['LogPipeline/a/good']);
    expect(d.pipelines.get('LogPipeline/a/bad')).toMatchObject({
      accepted: false,
      kept: false,
      rejection: { reason: 'OutputNotFound' },
    });
  });

  test('a previously accepted pipeline keeps its last good config from the running ConfigMap', () => {
    const first = computeDesired(
      world({ pipelines: [pipe('p', ['o'])], outputs: [out('o')] }),
      settings,
      undefined,
    );
    // the output is deleted: p is rejected but keeps running with the old output block
    const next = computeDesired(
      world({ pipelines: [pipe('p', ['o'])], outputs: [], running: first.config }),
      settings,
      undefined,
    );
    expect(next.pipelines.get('LogPipeline/a/p')).toMatchObject({ accepted: false, kept: true });
    expect(next.config).toEqual(first.config);
    expect(next.hash).toBe(first.hash);
  });

  test('a revoked ClusterLogOutput is not kept', () => {
    const clo = (names: string[]): KubeObject => ({
      apiVersion: V,
      kind: 'ClusterLogOutput',
      metadata: { name: 'c', uid: 'u' },
      spec: { stdout: {}, allowedNamespaces: { names } },
    });
    const p: KubeObject = { ...pipe('p', []), spec: { outputs: [{ name: 'c', kind: 'ClusterLogOutput' }] } };
    const first = computeDesired(world({ pipelines: [p], outputs: [clo(['a'])] }), settings, undefined);
    expect(first.config.pipelines).toHaveLength(1);
    const next = computeDesired(
      world({ pipelines: [p], outputs: [clo(['b'])], running: first.config }),
      settings,
      undefined,
    );
    expect(next.pipelines.get('LogPipeline/a/p')).toMatchObject({
      kept: false,
      rejection: { reason: 'OutputNotAllowed' },
    });
    expect(next.config.pipelines).toHaveLength(0);
    expect(next.objects).toHaveLength(0);
  });

  test('per-namespace secret Roles are owned by the outputs that reference the Secrets', () => {
    const kafka: KubeObject = {
      apiVersion: V,
      kind: 'LogOutput',
      metadata: { name: 'k', namespace: 'a', uid: 'uid-k' },
      spec: {
        kafka: {
          brokers: ['b:9092'],
          topic: 't',
          sasl: { mechanism: 'plain', username: { name: 's', key: 'u' }, password: { name: 's', key: 'p' } },
        },
      },
    };
    const d = computeDesired(
      world({
        pipelines: [pipe('p', ['k'])],
        outputs: [kafka],
        secrets: new Map([['a/s', new Set(['u', 'p'])]]),
      }),
      settings,
      undefined,
    );
    const role = d.objects.find(
      (o) => o.kind === 'Role' && (o.metadata as { namespace: string }).namespace === 'a',
    )!;
    expect(
      (role.metadata as { ownerReferences: Array<{ uid: string }> }).ownerReferences.map((r) => r.uid),
    ).toEqual(['uid-k']);
  });
});

describe('status', () => {
  const base = {
    generation: 2,
    state: { accepted: true, kept: false, paused: false, outputIds: ['LogOutput/a/o'] },
    agents: { desired: 3, ready: 3 },
    figures: new Map(),
    now: Date.parse('2026-01-01T00:00:00Z'),
  };
  test('Ready when accepted, every agent configured and nothing failing', () => {
    const s = pipelineStatus({ ...base, configured: 3 }) as {
      conditions: Array<{ type: string; status: string; observedGeneration: number }>;
      agentSummary: string;
    };
    expect(s.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Accepted=True',
      'AgentsReady=True',
      'Delivering=True',
      'Ready=True',
    ]);
    expect(s.conditions.every((c) => c.observedGeneration === 2)).toBe(true);
    expect(s.agentSummary).toBe('3/3');
  });
  test('a rollout in progress, and a recent output error', () => {
    const figures = new Map([
      [
        'LogOutput/a/o',
        {
          delivered: 5,
          bufferedBytes: 0,
          dropped: {},
          lastError: 'ECONNREFUSED',
          lastErrorTime: '2025-12-31T23:59:30.000Z',
        },
      ],
    ]);
    const s = pipelineStatus({ ...base, configured: 1, figures }) as {
      conditions: Array<{ type: string; reason: string }>;
    };
    expect(s.conditions.find((c) => c.type === 'AgentsReady')!.reason).toBe('RolloutInProgress');
    expect(s.conditions.find((c) => c.type === 'Delivering')!.reason).toBe('OutputFailing');
    expect(s.conditions.find((c) => c.type === 'Ready')!.reason).toBe('RolloutInProgress');
  });
  test('agent pods that cannot start say why, instead of a rollout that never ends', () => {
    const pods = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sluice-agent-x1' },
        spec: { nodeName: 'n1' },
        status: {
          containerStatuses: [
            {
              name: 'agent',
              ready: false,
              state: { waiting: { reason: 'ErrImagePull', message: 'failed to pull "ghcr.io/x/agent:9"' } },
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sluice-agent-x2' },
        status: {
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/2 nodes are available',
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sluice-agent-x3' },
        spec: { nodeName: 'n3' },
        status: {
          containerStatuses: [
            { name: 'agent', ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
          ],
        },
      },
    ];
    const problems = agentPodProblems(pods);
    expect(problems).toEqual([
      'sluice-agent-x1 on n1: ErrImagePull: failed to pull "ghcr.io/x/agent:9"',
      'sluice-agent-x2: Unschedulable: 0/2 nodes are available',
    ]);
    const s = pipelineStatus({ ...base, agents: { desired: 3, ready: 0, problems }, configured: 0 }) as {
      conditions: Array<{ type: string; reason: string; message: string }>;
    };
    const c = s.conditions.find((x) => x.type === 'AgentsReady')!;
    expect(c.reason).toBe('AgentsNotReady');
    expect(c.message).toBe(`0/3 agent pods are ready: ${problems.join('; ')}.`);
  });
  test('lastTransitionTime is kept while a status does not change; figures-only differences are told apart', () => {
    const a = pipelineStatus({ ...base, configured: 3 });
    const b = pipelineStatus({ ...base, configured: 3, previous: a as never, now: base.now + 60_000 });
    expect(statusDiff(a, b)).toBe('same');
    const figures = new Map([['LogOutput/a/o', { delivered: 9, bufferedBytes: 0, dropped: {} }]]);
    const c = pipelineStatus({ ...base, configured: 3, previous: a as never, figures });
    expect(statusDiff(a, c)).not.toBe('same');
  });
  test('only a first RolloutInProgress of a generation may be held back; failures and stuck rollouts are not', () => {
    const rollout = pipelineStatus({ ...base, configured: 0 });
    const ready1 = pipelineStatus({ ...base, generation: 1, configured: 3 });
    expect(holdable(undefined, rollout)).toBe(true); // new pipeline
    expect(holdable(ready1, rollout)).toBe(true); // spec change of a Ready pipeline
    expect(holdable(rollout, pipelineStatus({ ...base, configured: 1, previous: rollout as never }))).toBe(
      false,
    );
    expect(holdable(undefined, pipelineStatus({ ...base, configured: 3 }))).toBe(false); // final already
    const rejected = pipelineStatus({
      ...base,
      configured: 0,
      state: { ...base.state, accepted: false, rejection: { reason: 'OutputNotFound', message: 'x' } },
    });
    expect(holdable(undefined, rejected)).toBe(false);
    const failing = new Map([
      [
        'LogOutput/a/o',
        {
          delivered: 0,
          bufferedBytes: 0,
          dropped: {},
          lastError: 'boom',
          lastErrorTime: '2025-12-31T23:59:30.000Z',
        },
      ],
    ]);
    expect(holdable(undefined, pipelineStatus({ ...base, configured: 0, figures: failing }))).toBe(false);
    expect(
      holdable(undefined, pipelineStatus({ ...base, configured: 3, agents: { desired: 3, ready: 2 } })),
    ).toBe(false);
  });
});

describe('apply comparison', () => {
  test('live objects with server defaults still contain what was rendered', () => {
    expect(contains({ a: 1, b: { c: [{ d: 1, e: 2 }] }, x: 'y' }, { a: 1, b: { c: [{ d: 1 }] } })).toBe(true);
    expect(contains({ a: 1, b: { c: [{ d: 2 }] } }, { a: 1, b: { c: [{ d: 1 }] } })).toBe(false);
    expect(contains({ l: [1, 2] }, { l: [1] })).toBe(false);
  });
});

describe('agent settings follow the install', () => {
  // The operator as the chart runs it passes no --agent-settings: what the agents need must come
  // from the install settings, and agree with where the DaemonSet mounts things.
  type Container = {
    env: { name: string; value?: string }[];
    ports: { containerPort: number }[];
    volumeMounts: { name: string; mountPath: string }[];
  };
  const agentContainer = (objects: Record<string, unknown>[]) => {
    const ds = objects.find((o) => o.kind === 'DaemonSet') as {
      spec: {
        template: {
          spec: { containers: Container[]; volumes: { name: string; hostPath?: { path: string } }[] };
        };
      };
    };
    return { c: ds.spec.template.spec.containers[0]!, volumes: ds.spec.template.spec.volumes };
  };

  test.each([
    ['defaults', defaultSettings()],
    [
      'a renamed agent with other host paths and port',
      defaultSettings({
        agentName: 'logs',
        podLogsDir: '/data/pods',
        hostDataDir: '/data/sluice',
        metricsPort: 9090,
      }),
    ],
  ])('%s', (_, s) => {
    const d = computeDesired(world({ pipelines: [pipe('good', ['o'])], outputs: [out('o')] }), s, undefined);
    const a = d.config.agent!;
    const { c, volumes } = agentContainer(d.objects);
    const mount = (name: string) => c.volumeMounts.find((m) => m.name === name)!.mountPath;
    const hostPath = (name: string) => volumes.find((v) => v.name === name)!.hostPath!.path;
    expect(a.enrichment?.kubernetes).toBe(true);
    expect(a.podLogsDir).toBe(mount('pod-logs'));
    expect(hostPath('pod-logs')).toBe(s.podLogsDir);
    // A host file /var/log/syslog is read at hostRoot + /var/log/syslog: the host's /var/log.
    expect(`${a.hostRoot}/var/log`).toBe(mount('host-logs'));
    expect(hostPath('host-logs')).toBe('/var/log');
    expect(a.dataDir).toBe(mount('data'));
    expect(hostPath('data')).toBe(s.hostDataDir);
    expect(a.httpPort).toBe(c.ports[0]!.containerPort);
    // The report Lease the agent writes is the one the admission policy admits: <agentName>-<node>.
    expect(c.env.find((e) => e.name === 'SLUICE_AGENT_NAME')?.value).toBe(s.agentName);
  });

  test('--agent-settings override field by field', () => {
    const d = computeDesired(world({ pipelines: [pipe('good', ['o'])], outputs: [out('o')] }), settings, {
      logLevel: 'debug',
      enrichment: { deletedPodTtlSeconds: 5 },
    });
    expect(d.config.agent).toMatchObject({
      logLevel: 'debug',
      podLogsDir: '/var/log/pods',
      enrichment: { kubernetes: true, deletedPodTtlSeconds: 5 },
    });
  });
});
