// Issue 14's attack suite: a namespace editor attacks the other tenants of a Sluice installed the
// way users install it — the chart on the real node, the images built from the Dockerfiles — with
// the tenancy values a cautious platform sets (caps, an allow-list of destinations, agent metrics
// scraped by the monitoring namespace only, tapping through the apiserver for every user). Every
// attack runs with the token of a ServiceAccount bound to the built-in `edit` ClusterRole in its
// own namespace and nothing else (or from pods of that namespace), and must be refused by the
// apiserver (RBAC, the CRD schema, Pod Security), refused by the operator with a condition that
// says why, or contained at run time with the drops counted. Meanwhile a victim tenant on the same
// node writes at a steady rate to its own Kafka topic: its delivered rate during the attacks must
// stay at ≥ 90 % of its baseline, and it loses nothing.
//
// One install is shared; the tests run in order: the baseline window, the attacks refused at
// admission, those refused by the operator, those contained at run time (the floods last: the
// namespace's rate cap would drop the other attacks' evidence), then the victim's figures. The
// table of attacks is docs/security.md's tenant attack index.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ADMISSION } from './attacks/admission.ts';
import { OPERATOR } from './attacks/operator.ts';
import { FLOODS, RUNTIME } from './attacks/runtime.ts';
import {
  AUDIT,
  attackerPipelines,
  attackerPods,
  CAPS,
  c,
  clo,
  EVIL,
  env,
  fromPods,
  HOSTILE,
  kafka,
  kafkaTo,
  kube,
  lo,
  lp,
  meta,
  node,
  os,
  p99Delay,
  podsOf,
  RUN,
  RUNNING,
  rate,
  read,
  readers,
  readPast,
  S,
  SHARED,
  T,
  tally,
  V,
  VALUES,
  VICTIM,
  VICTIM_RATE,
  windows,
  writtenRate,
} from './attacks/scene.ts';
import { until } from './cluster.ts';
import { MIN, NS, prepareNode, readyAgent, readyNow, uninstall } from './install.ts';
import { TopicReader } from './sinks.ts';
import { Tenant } from './tenant.ts';
import { list, scriptConfigMap, writerDeployment } from './workloads.ts';

// ---- install --------------------------------------------------------------------------------

beforeAll(async () => {
  await prepareNode(c, env);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-attacks-'));
  writeFileSync(join(dir, 'platform.yaml'), JSON.stringify(VALUES));
  // The quickstart of docs/install/helm.md with the platform's values file.
  const installed = c.sh(`kubectl create namespace ${NS}
kubectl label namespace ${NS} pod-security.kubernetes.io/enforce=privileged
helm install sluice charts/sluice --namespace ${NS} -f ${join(dir, 'platform.yaml')}
kubectl -n ${NS} rollout status deployment/sluice-operator --timeout=5m`);
  expect({ code: installed.code, err: installed.code === 0 ? '' : installed.err }).toEqual({
    code: 0,
    err: '',
  });
  expect(c.get('deployment', '-n', NS, 'sluice-operator').status.readyReplicas).toBe(2);

  for (const t of Object.keys(T) as (keyof typeof T)[]) {
    const r = new TopicReader(kafka, T[t]);
    await r.start();
    readers.set(t, r);
  }
  S.victim = await Tenant.create(c, kube, VICTIM, 'app-team');
  S.evil = await Tenant.create(c, kube, EVIL, 'attacker');

  // The platform's objects: a shared output routed by namespace, an audit pipeline over every
  // namespace (throttled per namespace, ignoring the exclude annotation), outputs tenants may not use.
  c.apply(
    list([
      clo(SHARED, {
        kafka: { brokers: kafka.pod.brokers, topic: `fallback-${RUN}`, topicField: 'kubernetes.namespace' },
        allowedNamespaces: { names: [VICTIM, EVIL] },
      }),
      clo(AUDIT, kafkaTo(T.audit)),
      {
        apiVersion: V,
        kind: 'ClusterLogPipeline',
        metadata: { name: AUDIT, labels: { e2e: 'attacks' } },
        spec: {
          input: { namespaces: { include: [VICTIM, EVIL] } },
          filters: [{ throttle: { recordsPerSecond: 300, per: 'namespace' } }],
          outputs: [{ name: AUDIT, kind: 'ClusterLogOutput' }],
        },
      },
      clo(`platform-only-${RUN}`, kafkaTo(`platform-${RUN}`)),
      clo(`by-team-${RUN}`, {
        kafka: { brokers: kafka.pod.brokers, topic: `teams-${RUN}`, topicField: 'team' },
        allowedNamespaces: { names: [EVIL] },
      }),
      clo(`by-label-${RUN}`, {
        opensearch: { endpoints: [fromPods(os.url)], index: 'logs-{{ kubernetes.labels.team }}' },
        allowedNamespaces: { names: [EVIL] },
      }),
    ]),
  );

  // The victim: its Secret, its own Kafka output, a pipeline to it and to the shared output.
  S.victim.apply([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('archive-keys', VICTIM),
      stringData: { id: 'AKIAVICTIM', secret: 'victim-secret' },
    },
    lo(VICTIM, 'own', { ...kafkaTo(T.victim), buffer: { maxSize: '4Mi' } }),
    lp(VICTIM, 'shop', {
      input: podsOf({ app: 'shop' }),
      outputs: [{ name: 'own' }, { name: SHARED, kind: 'ClusterLogOutput' }],
    }),
    scriptConfigMap(VICTIM),
  ]);
  S.evil.apply([
    ...attackerPipelines(),
    attackerPods({
      name: 'probe',
      labels: { app: 'probe' },
      script: 'exec sleep 1000000',
      serviceAccountName: 'attacker',
    }),
  ]);
  for (const [ns, name] of [[VICTIM, 'shop'], ...RUNNING.map((n) => [EVIL, n])] as const)
    await until(
      `${ns}/${name} Ready with its agent`,
      4 * MIN,
      () => readyNow(c.get('logpipeline', '-n', ns, name)),
      () => JSON.stringify(c.get('logpipeline', '-n', ns, name).status),
    );
  S.victim.apply([
    writerDeployment(VICTIM, node.images.busybox, {
      name: 'steady',
      labels: { app: 'shop' },
      tag: 'f1',
      count: 1_000_000,
      rate: VICTIM_RATE,
    }),
  ]);
  const agent = await readyAgent(c);
  S.agentIp = agent.status.podIP;
  S.agentRestarts = agent.status.containerStatuses[0].restartCount;
  await until('the victim delivering', 3 * MIN, () => read('victim').values.length > 0);
}, 20 * MIN);

afterAll(async () => {
  for (const r of readers.values()) await r.stop();
  uninstall(c, 'attacks', [VICTIM, EVIL]);
}, 5 * MIN);

describe('a namespace editor attacks the other tenants of the installed chart', () => {
  test(
    'baseline: the victim delivers at a steady rate',
    async () => {
      const from = Date.now() + 5_000;
      windows.baseline = [from, from + 30_000];
      // a measurement window, not a synchronisation: the victim's delivered rate over 30 s
      await readPast('victim', windows.baseline[1]!);
      const r = rate('victim', windows.baseline);
      process.stderr.write(`victim baseline: ${r.toFixed(1)} records/s\n`);
      expect(r).toBeGreaterThan(50);
      windows.attacks[0] = Date.now();
    },
    3 * MIN,
  );

  describe('refused at admission', () => {
    test.each(ADMISSION)('$name → $refusal', async ({ run }) => run(), MIN);
  });

  describe('refused by the operator with a condition', () => {
    test.each(OPERATOR)('$name → $refusal', async ({ run }) => run(), 3 * MIN);
  });

  describe('contained at run time', () => {
    beforeAll(() => {
      const hostile = (tag: string, body: string) =>
        `i=0; while [ $i -lt 20 ]; do echo ${body}; i=$((i+1)); done; exec sleep 1000000`.replace('TAG', tag);
      S.evil.apply([
        attackerPods({
          name: 'redos',
          labels: { app: 'redos' },
          script: hostile('f70', `"${HOSTILE} SEQ:TAG:$i;"`),
        }),
        attackerPods({
          name: 'spoof',
          labels: { app: 'spoof' },
          script: hostile(
            'f60',
            `'{"kubernetes.namespace":"${VICTIM}","kubernetes":{"namespace":"${VICTIM}","pod":"bank"},"msg":"spoof SEQ:TAG:'$i';"}'`,
          ),
        }),
        attackerPods({
          name: 'hidden',
          labels: { app: 'hidden' },
          annotations: { 'sluice.dev/exclude': 'true' },
          script: hostile('f62', `"hidden SEQ:TAG:$i;"`),
        }),
      ]);
    });
    test.each(RUNTIME)('$name → $refusal', async ({ run }) => run(), 4 * MIN);
  });

  describe('floods at full speed', () => {
    beforeAll(() => {
      windows.flood[0] = Date.now();
      S.evil.apply([
        attackerPods({
          name: 'flood',
          labels: { app: 'flood' },
          script: 'i=0; while :; do echo "{\\"msg\\":\\"flood SEQ:f80:$i;\\"}"; i=$((i+1)); done',
        }),
        attackerPods({
          name: 'big-lines',
          labels: { app: 'flood' },
          script:
            'x=$(head -c 1048576 /dev/zero | tr \'\\0\' x); i=0; while :; do echo "SEQ:f81:$i; $x"; i=$((i+1)); done',
        }),
      ]);
    });
    test.each(FLOODS)('$name → $refusal', async ({ run }) => run(), 4 * MIN);
  });

  test(
    'the victim kept ≥ 90 % of its throughput and lost nothing; the agent never restarted',
    async () => {
      // Let the floods run for 60 s in all (a measurement window), then stop them.
      const end = windows.flood[0]! + 60_000;
      await until('the floods ran 60 s', 2 * MIN, () => Date.now() >= end);
      windows.flood = [windows.flood[0]! + 5_000, end];
      windows.attacks[1] = end;
      const floodIn = read('evil').times.filter((x) => x >= windows.flood[0]! && x < end).length;
      for (const d of ['flood', 'big-lines'])
        S.evil.kubectl.must('kubectl', ['delete', 'deployment', '-n', EVIL, d, '--wait=false']);
      await readPast('victim', end);
      const base = rate('victim', windows.baseline);
      const during = rate('victim', windows.attacks);
      const flood = rate('victim', windows.flood);
      // every record the writer wrote up to the newest delivered one arrives
      const max = Math.max(...read('victim').values.map((v) => Number(/SEQ:f1:(\d+);/.exec(v)?.[1] ?? -1)));
      const t = await until(
        'no gap in the victim records',
        3 * MIN,
        () => {
          const x = tally('victim', { f1: max + 1 });
          return x.lost === 0 ? x : undefined;
        },
        () => `lost ${tally('victim', { f1: max + 1 }).lost}`,
      );
      const agent = await readyAgent(c);
      const fig = (w: number[]) =>
        `delivered ${rate('victim', w).toFixed(1)}/s (written ${writtenRate('victim', w).toFixed(1)}/s, p99 delay ${p99Delay('victim', w)} ms)`;
      process.stderr.write(
        `victim: baseline ${fig(windows.baseline)}; during the attacks ${fig(windows.attacks)} = ${((100 * during) / base).toFixed(1)} %; during the floods ${fig(windows.flood)} = ${((100 * flood) / base).toFixed(1)} %; ${t.delivered} delivered, lost ${t.lost}, duplicates ${t.duplicates}. Attacker records delivered during the floods: ${floodIn} (${(floodIn / 55).toFixed(0)}/s)\n`,
      );
      expect(during).toBeGreaterThanOrEqual(0.9 * base);
      expect(flood).toBeGreaterThanOrEqual(0.9 * base);
      expect(t.lost).toBe(0);
      // the attacker's pipelines together stayed under the namespace rate (one second of burst)
      expect(floodIn / 55).toBeLessThanOrEqual(
        CAPS.maxRecordsPerSecond * 1.1 + CAPS.maxRecordsPerSecond / 55,
      );
      expect(agent.status.containerStatuses[0].restartCount).toBe(S.agentRestarts);
    },
    6 * MIN,
  );
});
