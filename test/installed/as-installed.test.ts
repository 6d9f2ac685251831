// Sluice as users run it: the real node of test/env (a kubelet and containerd running real
// containers), the agent and operator images built from the repository's Dockerfiles, the chart
// installed with the docs' quickstart commands as written, and app pods whose stdout the kubelet
// writes to the node's /var/log/pods — read by the agent pods the operator renders, shipped to the
// real Kafka, OpenSearch and S3, and counted there line by line. Nothing of the install is
// replaced for the test: default values, default image names, default host paths.
//
// The steps share one installation and run in order; each waits for conditions, never for time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Client } from '@opensearch-project/opensearch';
import { Tally } from '../../agent/src/loadgen/verify.ts';
import { kafkaEnv, loadEnv, nodeEnv, openSearchEnv, s3Env } from '../env/index.ts';
import { Cluster, root, table, until } from './cluster.ts';
import {
  agentPods as agentPodsOf,
  condition,
  MIN,
  NS,
  prepareNode,
  readyAgent as readyAgentOf,
  readyNow,
  uninstall,
} from './install.ts';
import { openSearchClient, readBucket, readIndex, s3Client, TopicReader } from './sinks.ts';
import { list, scriptConfigMap, type Writer, writerDeployment } from './workloads.ts';

const TENANTS = ['shop-a', 'shop-b'] as const;
type Tenant = (typeof TENANTS)[number];

const env = loadEnv();
const node = nodeEnv(env);
const kafka = kafkaEnv(env);
const os = openSearchEnv(env);
const s3env = s3Env(env);
const c = new Cluster();
/** A test server's URL as pods reach it: same port, at the node's host-services address. */
const fromPods = (url: string) => url.replace('127.0.0.1', node.hostServices);

/** Topic, index and bucket names of this run: the servers of a reused environment keep older runs'. */
const RUN = Date.now().toString(36);
const topic = (t: string) => `e2e-${RUN}-${t}`;
const readers = new Map<string, TopicReader>();
/** Image ids (config digests) of the images built from the Dockerfiles. */
let built: { agent: string; operator: string } | undefined;
let search: Client;
let s3: S3Client;

/** Every record text each output of a tenant holds now. */
async function outputs(t: Tenant): Promise<Record<'kafka' | 'opensearch' | 's3', string[]>> {
  return {
    kafka: [...readers.get(t)!.values],
    opensearch: await readIndex(search, topic(t)),
    s3: await readBucket(s3, topic(t)),
  };
}

const tally = (manifest: Record<string, number>, texts: string[]) => {
  const t = new Tally(manifest);
  for (const x of texts) t.add(x);
  return t;
};

/** Counts of tags whose file id the manifest does not name: what should not have arrived. */
function strangers(manifest: Record<string, number>, texts: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of texts)
    for (const m of x.matchAll(/SEQ:(f\d+):\d+;/g))
      if (!(m[1]! in manifest)) out[m[1]!] = (out[m[1]!] ?? 0) + 1;
  return out;
}

/** Waits until every tag of `manifest` is in all three outputs of the tenant; returns their tallies. */
async function delivered(t: Tenant, manifest: Record<string, number>, timeoutMs = 4 * MIN) {
  let last: Record<string, Tally> = {};
  let texts: Record<string, string[]> = {};
  await until(
    `every line of ${JSON.stringify(manifest)} in the outputs of ${t}`,
    timeoutMs,
    async () => {
      const o = await outputs(t);
      texts = o;
      last = {
        kafka: tally(manifest, o.kafka),
        opensearch: tally(manifest, o.opensearch),
        s3: tally(manifest, o.s3),
      };
      return Object.values(last).every((x) => x.lost === 0);
    },
    () =>
      Object.entries(last)
        .map(([k, v]) => `${k}: lost ${v.lost}, delivered ${v.delivered}, unknown ${v.unknown}`)
        .join('; '),
  );
  for (const [out, x] of Object.entries(last))
    if (x.unknown > 0)
      process.stderr.write(
        `${t} ${out}: unexpected tags ${JSON.stringify(strangers(manifest, texts[out]!))}\n`,
      );
  return last;
}

const agentPods = (name = 'sluice-agent') => agentPodsOf(c, name);
const readyAgent = (name = 'sluice-agent') => readyAgentOf(c, name);
const pipeline = (ns: string, name: string) => c.get('logpipeline', '-n', ns, name);

function tenantValues(t: Tenant, dropDebug: boolean): string[] {
  const set = (k: string, v: string) => ['--set-string', `${k}=${v}`];
  return [
    ...['--set', `kafka.brokers={${kafka.pod.brokers.join(',')}}`],
    ...set('kafka.topic', topic(t)),
    ...set('opensearch.url', fromPods(os.secure.url)),
    ...set('opensearch.index', topic(t)),
    ...set('opensearch.username', os.secure.username),
    ...set('opensearch.password', os.secure.password),
    ...['--set-file', `opensearch.ca=${os.secure.caFile}`],
    ...set('s3.endpoint', fromPods(s3env.endpoint)),
    ...set('s3.region', s3env.region),
    ...set('s3.bucket', topic(t)),
    ...set('s3.accessKeyId', s3env.accessKeyId),
    ...set('s3.secretAccessKey', s3env.secretAccessKey),
    ...['--set', `dropDebug=${dropDebug}`],
  ];
}

/** `helm upgrade` of the Sluice release, keeping its values but one. */
function upgradeSluice(set: string): void {
  c.must('helm', ['upgrade', 'sluice', 'charts/sluice', '-n', NS, '--reuse-values', '--set', set, '--wait']);
}

function writers(t: Tenant, ws: Writer[]): void {
  c.apply(list(ws.map((w) => writerDeployment(t, node.images.busybox, w))));
}

beforeAll(async () => {
  // The quickstart creates the namespace afresh: prepareNode waits for earlier suites' to go.
  built = await prepareNode(c, env);
  search = openSearchClient(os);
  s3 = s3Client(s3env);
  for (const t of [...TENANTS, 'host']) {
    const r = new TopicReader(kafka, topic(t));
    await r.start();
    readers.set(t, r);
  }
  for (const t of TENANTS) await s3.send(new CreateBucketCommand({ Bucket: topic(t) })).catch(() => {});
}, 30 * MIN);

afterAll(async () => {
  for (const r of readers.values()) await r.stop();
  c.run('helm', ['uninstall', 'shop-logging', '-n', 'shop-a', '--wait']);
  uninstall(c, 'installed', TENANTS);
});

describe('installed with the chart on a real node', () => {
  test(
    'the quickstart of docs/install/helm.md, commands as written, brings the operator up',
    () => {
      const doc = readFileSync(join(root, 'docs/install/helm.md'), 'utf8');
      const block = /```sh\n([\s\S]*?)```/.exec(doc)?.[1];
      expect(block).toContain('helm install sluice charts/sluice');
      const r = c.sh(block!);
      expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
      expect(r.out).toContain('logpipelines.sluice.dev');
      const d = c.get('deployment', '-n', NS, 'sluice-operator');
      expect(d.status.readyReplicas).toBe(2);
      const pods = c.get('pods', '-n', NS, '-l', 'app.kubernetes.io/component=operator').items;
      // Real containers on the real node, from the image built from Dockerfile.operator.
      for (const p of pods) {
        expect(p.spec.nodeName).toBe(node.name);
        expect(p.status.containerStatuses[0].imageID).toContain(built!.operator!.replace('sha256:', ''));
      }
    },
    10 * MIN,
  );

  test(
    'pipelines selecting pods by label deliver every line exactly once to Kafka, OpenSearch and S3, enriched',
    async () => {
      // shop-a ships its pipeline with its app chart (helm); shop-b applies the same with kubectl.
      for (const t of TENANTS) {
        c.must('kubectl', ['create', 'namespace', t]);
        c.apply(list([scriptConfigMap(t)]));
      }
      c.must('helm', [
        'install',
        'shop-logging',
        'test/fixtures/charts/shop-logging',
        '-n',
        'shop-a',
        ...tenantValues('shop-a', false),
      ]);
      const rendered = c.must('helm', [
        'template',
        'shop-logging',
        'test/fixtures/charts/shop-logging',
        ...tenantValues('shop-b', false),
      ]);
      c.must('kubectl', ['apply', '-n', 'shop-b', '-f', '-'], rendered);
      for (const t of TENANTS)
        await until(
          `${t}/shop Ready with its agent`,
          3 * MIN,
          () => readyNow(pipeline(t, 'shop')),
          () => JSON.stringify(pipeline(t, 'shop').status),
        );

      writers('shop-a', [
        { name: 'shop', labels: { app: 'shop' }, tag: 'f1', count: 2000 },
        { name: 'other', labels: { app: 'other' }, tag: 'f91', count: 200 },
        {
          name: 'hidden',
          labels: { app: 'shop' },
          tag: 'f92',
          count: 200,
          annotations: { 'sluice.dev/exclude': 'true' },
        },
      ]);
      writers('shop-b', [{ name: 'shop', labels: { app: 'shop' }, tag: 'f2', count: 2000 }]);

      const a = await delivered('shop-a', { f1: 2000 });
      const b = await delivered('shop-b', { f2: 2000 });
      // Exactly once; nothing of the unselected or excluded pods (their tags count as unknown).
      for (const [t, r] of [
        ['shop-a', a],
        ['shop-b', b],
      ] as const)
        for (const [out, x] of Object.entries(r))
          expect([t, out, x.duplicates, x.unknown]).toEqual([t, out, 0, 0]);

      const rec = JSON.parse((await outputs('shop-a')).kafka.find((v) => v.includes('SEQ:f1:0;'))!);
      expect(rec).toMatchObject({
        level: 'info',
        pipeline: 'shop',
        kubernetes: {
          namespace: 'shop-a',
          container: 'app',
          node: node.name,
          workload: 'shop',
          workloadKind: 'Deployment',
          labels: { app: 'shop', writer: 'shop' },
          image: node.images.busybox,
        },
      });
    },
    15 * MIN,
  );

  test(
    'kubectl get logpipelines -A: READY True, AGENTS 1/1, DELIVERED what was sent',
    async () => {
      // Agents report figures at intervals: wait until all 2,000 records of each output are counted.
      const rows = await until(
        'delivered figures in status',
        3 * MIN,
        () => {
          const r = table(c.must('kubectl', ['get', 'logpipelines', '-A'])).filter((x) =>
            TENANTS.includes(x.NAMESPACE as Tenant),
          );
          return r.length === 2 && r.every((x) => x.DELIVERED === String(3 * 2000)) ? r : undefined;
        },
        () => c.must('kubectl', ['get', 'logpipelines', '-A']),
      );
      for (const r of rows)
        expect(r).toMatchObject({ NAME: 'shop', READY: 'True', AGENTS: '1/1', OUTPUTS: '3/3' });
      for (const t of TENANTS) {
        const p = pipeline(t, 'shop');
        expect(
          p.status.outputs.map((o: { name: string; delivered: number }) => `${o.name}=${o.delivered}`).sort(),
        ).toEqual(['archive=2000', 'events=2000', 'search=2000']);
      }
    },
    5 * MIN,
  );

  test(
    "the agent's /metrics and /status answer only authorised callers; its tap port answers a tap token through pods/proxy",
    async () => {
      const kube = env.kube!;
      const agent = await readyAgent(); // Ready: the kubelet's probes need no token
      const base = `http://${agent.status.podIP}:2020`;
      const get = async (path: string, token?: string) => {
        const r = await fetch(
          `${base}${path}`,
          token ? { headers: { authorization: `Bearer ${token}` } } : {},
        );
        return { status: r.status, body: await r.text() };
      };
      c.must('kubectl', ['create', 'serviceaccount', 'tapper', '-n', 'shop-a']);
      c.must('kubectl', [
        'create',
        'rolebinding',
        'tapper',
        '-n',
        'shop-a',
        '--clusterrole=edit',
        '--serviceaccount=shop-a:tapper',
      ]);
      const tenantToken = c.must('kubectl', ['create', 'token', 'tapper', '-n', 'shop-a']).trim();
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/metrics')).status).toBe(401);
      expect(await get('/status', tenantToken)).toEqual({
        status: 403,
        body: 'system:serviceaccount:shop-a:tapper may not read /status: it needs RBAC permission to get the non-resource URL /status (a ClusterRole rule nonResourceURLs: ["/status"], verbs: ["get"])\n',
      });
      const metrics = await get('/metrics', kube.token);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('sluice_pipeline_records_in_total{pipeline="LogPipeline/shop-a/shop"}');
      const status = await get('/status', kube.token);
      expect(JSON.parse(status.body).pipelines.map((x: { id: string }) => x.id)).toContain(
        'LogPipeline/shop-a/shop',
      );

      // /tap: on the pod's tap port, through the apiserver, with a token for the tap audience.
      const tapToken = c
        .must('kubectl', [
          'create',
          'token',
          'tapper',
          '-n',
          'shop-a',
          '--audience',
          'sluice.dev/tap',
          '--duration',
          '10m',
        ])
        .trim();
      const port = agent.spec.containers[0].ports.find(
        (x: { name: string }) => x.name === 'tap',
      ).containerPort;
      const firstLine = (token: string) =>
        new Promise<{ status?: number; line: string }>((resolve, reject) => {
          const req = httpsGet(
            `${kube.server}/api/v1/namespaces/${NS}/pods/${agent.metadata.name}:${port}/proxy/tap?pipeline=LogPipeline/shop-a/shop`,
            {
              ca: kube.caData,
              headers: { authorization: `Bearer ${kube.token}`, 'x-sluice-tap-token': token },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => {
                text += d;
                if (!text.includes('\n')) return;
                resolve({ status: res.statusCode, line: text.split('\n')[0]! });
                req.destroy();
              });
              res.on('end', () => resolve({ status: res.statusCode, line: text }));
            },
          );
          req.on('error', reject);
        });
      expect(await firstLine(tapToken)).toEqual({
        status: 200,
        line: JSON.stringify({
          sluice_tap: {
            start: 'LogPipeline/shop-a/shop',
            node: node.name,
            user: 'system:serviceaccount:shop-a:tapper',
          },
        }),
      });
      // the same ServiceAccount's token for the apiserver opens no tap
      expect((await firstLine(tenantToken)).status).toBe(401);
      // a human kubeconfig (the admin's static token) must name a ServiceAccount: nothing is sent
      const human = c.sh('node_modules/.bin/node bin/sluice.js tap -n shop-a shop --limit 1');
      expect(human.code).toBe(1);
      expect(human.err).toContain('your kubeconfig user (admin) is not a ServiceAccount');
    },
    5 * MIN,
  );

  test(
    "a ClusterLogPipeline ships a host file under the node's /var/log",
    async () => {
      const dir = join(node.varLogDir, 'e2e-installed');
      mkdirSync(dir, { recursive: true });
      c.apply(`apiVersion: sluice.dev/v1alpha1
kind: ClusterLogOutput
metadata: {name: e2e-host, labels: {e2e: installed}}
spec:
  kafka: {brokers: ${JSON.stringify(kafka.pod.brokers)}, topic: ${topic('host')}}
---
apiVersion: sluice.dev/v1alpha1
kind: ClusterLogPipeline
metadata: {name: e2e-host-files, labels: {e2e: installed}}
spec:
  input: {hostFiles: {paths: [/var/log/e2e-installed/*.log]}}
  outputs: [{name: e2e-host, kind: ClusterLogOutput}]
`);
      await until('e2e-host-files Ready', 3 * MIN, () =>
        readyNow(c.get('clusterlogpipeline', 'e2e-host-files')),
      );
      writeFileSync(
        join(dir, 'app.log'),
        Array.from({ length: 1000 }, (_, i) => `host line SEQ:f3:${i};\n`).join(''),
      );
      let t = new Tally({ f3: 1000 });
      await until(
        'every host line in Kafka',
        3 * MIN,
        () => {
          t = tally({ f3: 1000 }, readers.get('host')!.values);
          return t.lost === 0;
        },
        () => `lost ${t.lost}`,
      );
      expect([t.duplicates, t.unknown]).toEqual([0, 0]);
      const rec = JSON.parse(readers.get('host')!.values[0]!);
      expect(rec).toMatchObject({
        stream: 'file',
        host: { path: '/var/log/e2e-installed/app.log', node: node.name },
      });
    },
    8 * MIN,
  );

  test(
    'helm upgrade of an app chart changes the pipeline without restarting the agent; status confirms it',
    async () => {
      const before = await readyAgent();
      c.must('helm', [
        'upgrade',
        'shop-logging',
        'test/fixtures/charts/shop-logging',
        '-n',
        'shop-a',
        ...tenantValues('shop-a', true),
      ]);
      const p = await until('shop-a/shop Ready on its new generation', 3 * MIN, () => {
        const o = pipeline('shop-a', 'shop');
        return o.metadata.generation > 1 && readyNow(o) ? o : undefined;
      });
      expect(p.status.agents).toMatchObject({ desired: 1, ready: 1, configured: 1 });
      writers('shop-a', [
        { name: 'debug', labels: { app: 'shop' }, tag: 'f4', count: 300, level: 'debug' },
        { name: 'info', labels: { app: 'shop' }, tag: 'f5', count: 300 },
      ]);
      const r = await delivered('shop-a', { f1: 2000, f5: 300 });
      // The debug lines were dropped by the new filter: their tag is unknown to the manifest.
      for (const [out, x] of Object.entries(r)) expect([out, x.duplicates, x.unknown]).toEqual([out, 0, 0]);
      const after = await readyAgent();
      expect(after.metadata.uid).toBe(before.metadata.uid);
      expect(after.status.containerStatuses[0].restartCount).toBe(
        before.status.containerStatuses[0].restartCount,
      );
    },
    10 * MIN,
  );

  test(
    'deleting the agent pod mid-stream loses nothing',
    async () => {
      const before = await readyAgent();
      writers('shop-b', [
        { name: 'stream', labels: { app: 'shop' }, tag: 'f6', count: 20_000, batch: 500, pause: '0.2' },
      ]);
      await until(
        'the stream half-shipped',
        3 * MIN,
        () => tally({ f6: 20_000 }, readers.get('shop-b')!.values).delivered > 4000,
      );
      c.must('kubectl', ['delete', 'pod', '-n', NS, before.metadata.name, '--wait=false']);
      const next = await readyAgent();
      expect(next.metadata.uid).not.toBe(before.metadata.uid);
      const r = await delivered('shop-b', { f2: 2000, f6: 20_000 }, 6 * MIN);
      // At least once: Kafka and S3 may repeat what was in flight; OpenSearch ids make it exactly once.
      expect(r.opensearch!.duplicates).toBe(0);
      for (const x of Object.values(r)) expect(x.unknown).toBe(0);
      process.stderr.write(
        `agent pod deleted mid-stream: duplicates kafka ${r.kafka!.duplicates}, s3 ${r.s3!.duplicates}\n`,
      );
    },
    12 * MIN,
  );

  test(
    'a renamed agent (agent.name) replaces the old one, reports and turns Ready',
    async () => {
      upgradeSluice('agent.name=node-logs');
      await readyAgent('node-logs');
      await until(
        'the old agent DaemonSet pruned',
        3 * MIN,
        () => c.find('daemonset', '-n', NS, 'sluice-agent') === undefined,
      );
      await until('no pod of the old agent', 3 * MIN, () => agentPods('sluice-agent').length === 0);
      await until('pipelines Ready on the renamed agents', 3 * MIN, () =>
        TENANTS.every((t) => readyNow(pipeline(t, 'shop'))),
      );
      // Its report Lease passed the admission policy, under the new name.
      const lease = c.get('lease', '-n', NS, `node-logs-${node.name}`);
      expect(lease.metadata.labels['sluice.dev/agent-report']).toBe('true');
      writers('shop-b', [{ name: 'renamed', labels: { app: 'shop' }, tag: 'f7', count: 500 }]);
      const r = await delivered('shop-b', { f2: 2000, f6: 20_000, f7: 500 });
      for (const x of Object.values(r)) expect(x.unknown).toBe(0);
    },
    10 * MIN,
  );

  test(
    'agents that cannot start: the pipeline status says why',
    async () => {
      upgradeSluice('image.agentRepository=sluice-dev/no-such-agent');
      const cond = await until(
        'AgentsReady False with the pod reason',
        4 * MIN,
        () => {
          const x = condition(pipeline('shop-a', 'shop'), 'AgentsReady');
          return x?.status === 'False' && /ErrImagePull|ImagePullBackOff|ErrImageNeverPull/.test(x.message)
            ? x
            : undefined;
        },
        () => JSON.stringify(condition(pipeline('shop-a', 'shop'), 'AgentsReady')),
      );
      expect(cond.reason).toBe('AgentsNotReady');
      expect(cond.message).toContain('no-such-agent');
      const row = table(c.must('kubectl', ['get', 'logpipelines', '-n', 'shop-a'])).find(
        (x) => x.NAME === 'shop',
      )!;
      expect(row.READY).toBe('False');
      upgradeSluice('image.agentRepository=sluice-dev/sluice-agent');
      await until('Ready again', 4 * MIN, () => readyNow(pipeline('shop-a', 'shop')));
    },
    10 * MIN,
  );

  test(
    'helm uninstall leaves no agent shipping',
    async () => {
      c.must('helm', ['uninstall', 'sluice', '-n', NS, '--wait']);
      await until(
        'agent DaemonSet garbage-collected',
        3 * MIN,
        () => c.get('daemonsets', '-n', NS).items.length === 0,
      );
      await until(
        'no agent pod left',
        3 * MIN,
        () => agentPods('node-logs').length === 0 && agentPods('sluice-agent').length === 0,
      );
      expect(
        c.get('configmaps', '-n', NS, '-l', 'app.kubernetes.io/managed-by=sluice-operator').items,
      ).toEqual([]);
    },
    5 * MIN,
  );
});
