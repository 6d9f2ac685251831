// Enrichment against the real test apiserver (issue 4): the agent's node-scoped pod watch
// (spec.nodeName field selector) and namespace watch fill the metadata store; records carry the
// owner workload resolved through real controllers (Deployment → ReplicaSet → Pod, StatefulSet,
// DaemonSet, CronJob → Job → Pod), image, node, labels and namespace labels; pods annotated
// sluice.dev/exclude: "true" are skipped and counted; a deleted pod's metadata is held for the
// configured time, then the path is all that is known.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AppsV1Api, BatchV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { startKubeWatch } from '../../agent/src/enrich/kube.ts';
import type { MetadataStore } from '../../agent/src/enrich/store.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import { KubeClient } from '../../contract/kube/client.ts';
import { fromKubeconfig } from '../../contract/kube/config.ts';
import { adminKubeConfig, kubeEnv } from '../env/index.ts';
import { config, tempDir } from '../unit/agent-harness.ts';

const kc: KubeConfig = adminKubeConfig(kubeEnv());
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const batch = kc.makeApiClient(BatchV1Api);
// The agent's own client (contract/kube/), as it runs in the DaemonSet.
const watchClient = new KubeClient(fromKubeconfig(kubeEnv().kubeconfig));
const ns = `enrich-${Date.now()}`;
const NODE = 'kwok-node-0';
const OTHER = 'kwok-node-1';
const T = '2024-01-01T00:00:00.000000001Z';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  o: { timeoutMs: number; what: string },
): Promise<void> {
  const end = Date.now() + o.timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}`);
    await sleep(200);
  }
}

const template = (app: string, extra: Partial<V1Pod['spec']> = {}) => ({
  metadata: { labels: { app, 'app.kubernetes.io/part-of': 'shop' } },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': NODE },
    containers: [{ name: 'app', image: `registry.test/${app}:1.0` }],
    ...extra,
  },
});

async function podOf(prefix: string): Promise<V1Pod> {
  let found: V1Pod | undefined;
  await waitUntil(
    async () => {
      const l = await core.listNamespacedPod({ namespace: ns });
      found = l.items.find((p) => p.metadata?.name?.startsWith(prefix) && p.spec?.nodeName === NODE);
      return found !== undefined;
    },
    { timeoutMs: 60_000, what: `a pod ${prefix}* on ${NODE}` },
  );
  return found!;
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns, labels: { team: 'payments' } } } });
}, 30_000);
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => {});
  watchClient.close();
});

describe('agent enrichment from the apiserver', () => {
  test('owner workloads, image, node, labels; exclusion counted; deleted pods held, then path only', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template('web') },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 1,
          selector: { matchLabels: { app: 'db' } },
          template: template('db'),
        },
      },
    });
    await apps.createNamespacedDaemonSet({
      namespace: ns,
      body: {
        metadata: { name: 'node-agent' },
        spec: {
          selector: { matchLabels: { app: 'node-agent' } },
          template: template('node-agent', { nodeSelector: undefined }),
        },
      },
    });
    const cron = await batch.createNamespacedCronJob({
      namespace: ns,
      body: {
        metadata: { name: 'nightly' },
        spec: {
          schedule: '0 3 * * *',
          suspend: true,
          jobTemplate: { spec: { template: { ...template('nightly', { restartPolicy: 'Never' }) } } },
        },
      },
    });
    // A Job as the CronJob controller names it: <cronjob>-<scheduled time in minutes>.
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: {
          name: 'nightly-29000000',
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'CronJob',
              name: 'nightly',
              uid: cron.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: { template: { ...template('nightly', { restartPolicy: 'Never' }) } },
      },
    });
    const bare = (name: string, node: string, annotations: Record<string, string> = {}) =>
      core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name, labels: { app: name }, annotations },
          spec: { nodeName: node, containers: [{ name: 'app', image: `registry.test/${name}:2` }] },
        },
      });
    await bare('quiet', NODE, { 'sluice.dev/exclude': 'true' });
    await bare('short-lived', NODE);
    await bare('elsewhere', OTHER);

    const pods = {
      web: await podOf('web-'),
      db: await podOf('db-'),
      agent: await podOf('node-agent-'),
      job: await podOf('nightly-29000000-'),
      quiet: await podOf('quiet'),
      short: await podOf('short-lived'),
    };
    const elsewhere = await core.readNamespacedPod({ namespace: ns, name: 'elsewhere' });

    const root = tempDir();
    const logOf = (p: V1Pod) => {
      const d = join(root, 'logs', `${ns}_${p.metadata!.name}_${p.metadata!.uid}`, 'app');
      mkdirSync(d, { recursive: true });
      return join(d, '0.log');
    };
    for (const [k, p] of Object.entries(pods)) appendFileSync(logOf(p), `${T} stdout F hello from ${k}\n`);

    // p0 honours the exclude annotation (opted in); p1, a platform pipeline that did not, reads
    // the excluded pod all the same: its owner cannot hide it from p1.
    const c = config(root, [{ input: { excludeAnnotation: true } }, {}], {
      pollIntervalMs: 100,
      enrichment: { kubernetes: true, deletedPodTtlSeconds: 2 },
    });
    const stats = new AgentStats();
    let store: MetadataStore | undefined;
    const rt = new Runtime({
      stats,
      log: () => {},
      nodeName: NODE,
      startKubeWatch: (s, node) => {
        store = s;
        return startKubeWatch(s, node, () => {}, watchClient);
      },
    });
    await rt.apply(c, configHash(c));
    const out = join(root, 'out0.ndjson');
    const records = () =>
      readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { message: string; kubernetes: Record<string, unknown> });
    const byMessage = async (m: string) => {
      let r: { kubernetes: Record<string, unknown> } | undefined;
      await waitUntil(
        () => {
          try {
            r = records().find((x) => x.message === m);
          } catch {
            r = undefined;
          }
          return r !== undefined;
        },
        { timeoutMs: 20_000, what: `record "${m}"` },
      );
      return r!.kubernetes;
    };
    try {
      const web = await byMessage('hello from web');
      expect(web).toMatchObject({
        namespace: ns,
        pod: pods.web.metadata!.name,
        podUid: pods.web.metadata!.uid,
        container: 'app',
        node: NODE,
        image: 'registry.test/web:1.0',
        workload: 'web',
        workloadKind: 'Deployment',
        labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
        namespaceLabels: { team: 'payments' },
      });
      expect(await byMessage('hello from db')).toMatchObject({ workload: 'db', workloadKind: 'StatefulSet' });
      expect(await byMessage('hello from agent')).toMatchObject({
        workload: 'node-agent',
        workloadKind: 'DaemonSet',
      });
      expect(await byMessage('hello from job')).toMatchObject({
        workload: 'nightly',
        workloadKind: 'CronJob',
      });

      // Node-scoped: the pod on another node is not in the cache.
      expect(store!.pod(elsewhere.metadata!.uid!)).toBeUndefined();
      expect(store!.pod(pods.web.metadata!.uid!)).toBeDefined();

      // Excluded: never read, counted.
      await byMessage('hello from short');
      expect(records().some((r) => r.message === 'hello from quiet')).toBe(false);
      expect(stats.excludedFiles()).toEqual([
        { pipeline: 'p0', files: 1 },
        { pipeline: 'p1', files: 0 },
      ]);
      await waitUntil(
        () => {
          try {
            return readFileSync(join(root, 'out1.ndjson'), 'utf8').includes('hello from quiet');
          } catch {
            return false;
          }
        },
        { timeoutMs: 20_000, what: 'the excluded pod read by the pipeline that did not opt in' },
      );

      // Deleted: still enriched within the hold, then only what the path tells.
      await core.deleteNamespacedPod({ namespace: ns, name: 'short-lived', gracePeriodSeconds: 0 });
      const uid = pods.short.metadata!.uid!;
      await waitUntil(
        async () =>
          (await core.listNamespacedPod({ namespace: ns })).items.every((p) => p.metadata?.uid !== uid),
        {
          timeoutMs: 30_000,
          what: 'the pod deleted',
        },
      );
      appendFileSync(logOf(pods.short), `${T} stdout F after delete\n`);
      expect(await byMessage('after delete')).toMatchObject({
        labels: { app: 'short-lived' },
        image: 'registry.test/short-lived:2',
      });
      await waitUntil(() => store!.pod(uid) === undefined, {
        timeoutMs: 10_000,
        what: 'the deleted pod evicted after its hold',
      });
      await sleep(300);
      appendFileSync(logOf(pods.short), `${T} stdout F after hold\n`);
      const late = await byMessage('after hold');
      expect(late).toEqual({
        namespace: ns,
        pod: 'short-lived',
        podUid: uid,
        container: 'app',
        node: NODE,
        namespaceLabels: { team: 'payments', 'kubernetes.io/metadata.name': ns },
      });
    } finally {
      await rt.shutdown(5000);
    }
  }, 180_000);
});
