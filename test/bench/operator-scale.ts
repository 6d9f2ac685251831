// BENCHMARKS.md §3, operator scale: 5,000 LogPipelines across 500 namespaces with 200 LogOutputs
// against the real apiserver of test/env. Measured: time until every pipeline is Ready, p50/p99
// from a spec change to the agent ConfigMap change, the operator's peak RSS, apiserver requests
// per reconcile. The operator runs as its own process under its ServiceAccount; three reporters
// stand in for the agents and renew their Leases with the hash of the ConfigMap's config, exactly
// as agent/src/ops/report.ts does (running 3 full agents would measure the agents, not the operator).
//   BENCH_SCALE=0.1 npm run bench   (a tenth of the objects, for a quick look)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { BASE_SHARD, SHARD_HASH_ANNOTATION, SHARD_LABEL } from '../../contract/agent-config/shards.ts';
import {
  REPORT_HASH_ANNOTATION,
  REPORT_LABEL,
  REPORT_SHARDS_ANNOTATION,
  REPORT_STATS_ANNOTATION,
} from '../../contract/report.ts';
import type { KubeClient, KubeObject } from '../../operator/src/kube/client.ts';
import { collectionPath, objectPath, RT } from '../../operator/src/kube/resources.ts';
import { agentConfigText } from '../../operator/src/render/configmap.ts';
import {
  type Env,
  type OperatorProc,
  setupEnv,
  sleep,
  startOperator,
  until,
} from '../e2e/operator/harness.ts';

const root = new URL('../../', import.meta.url).pathname;
const V = 'sluice.dev/v1alpha1';

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/**
 * List, then watch from the list's resourceVersion, calling `onEvent` for every object; re-lists
 * when the watch ends, until `stop.done`. What agents and the operator do, without polling lists
 * of thousands of objects (which would load the apiserver more than the operator does).
 */
async function follow(
  admin: KubeClient,
  path: string,
  labelSelector: string | undefined,
  stop: { done: boolean },
  onEvent: (type: string, o: KubeObject) => void,
  onListed: () => void = () => {},
): Promise<void> {
  const q = labelSelector ? { labelSelector } : {};
  while (!stop.done) {
    const list = await admin.request<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>(
      'GET',
      path,
      { query: q },
    );
    for (const o of list.items) onEvent('ADDED', o);
    onListed();
    const ac = new AbortController();
    const t = setInterval(() => stop.done && ac.abort(), 200);
    try {
      await admin.watch(
        path,
        { ...q, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type, o) => (type === 'ERROR' ? ac.abort() : onEvent(type, o)),
        ac.signal,
      );
    } catch {
      // aborted or ended: list again
    } finally {
      clearInterval(t);
    }
  }
}

/**
 * Three stand-ins for the agents: they follow the base ConfigMap and the shard ConfigMaps (as
 * agents do, through a watch) and renew their Leases with the hash of each (the hashes the
 * operator stamps on them, which agents compute over what they load). Returns the largest
 * report annotations written, in bytes.
 */
async function reporters(
  env: Env,
  stop: { done: boolean },
): Promise<{ shardsBytes: number; totalBytes: number }> {
  const admin: KubeClient = env.admin;
  const hashes = new Map<string, string>();
  const names = new Map<string, string>();
  let changed = false;
  const size = { shardsBytes: 0, totalBytes: 0 };
  const watching = follow(
    admin,
    collectionPath(RT.ConfigMap, env.ns),
    `app.kubernetes.io/instance=${env.agentName}`,
    stop,
    (type, cm) => {
      const key = cm.metadata.name === env.agentName ? BASE_SHARD : cm.metadata.labels?.[SHARD_LABEL];
      if (key === undefined) return;
      if (type === 'DELETED') {
        changed = hashes.delete(key) || changed;
        names.delete(cm.metadata.name);
        return;
      }
      const h = cm.metadata.annotations?.[SHARD_HASH_ANNOTATION];
      if (h === undefined || hashes.get(key) === h) return;
      hashes.set(key, h);
      names.set(cm.metadata.name, key);
      changed = true;
    },
  ).catch(() => {});
  while (!stop.done) {
    if (changed && hashes.has(BASE_SHARD)) {
      changed = false;
      const rest: Record<string, string> = {};
      for (const k of [...hashes.keys()].sort()) if (k !== BASE_SHARD) rest[k] = hashes.get(k)!;
      const annotations = {
        [REPORT_HASH_ANNOTATION]: hashes.get(BASE_SHARD)!,
        [REPORT_SHARDS_ANNOTATION]: JSON.stringify(rest),
        // idle outputs are left out of the figures (agent/src/ops/report.ts)
        [REPORT_STATS_ANNOTATION]: '{"v":1,"o":{}}',
      };
      size.shardsBytes = Math.max(size.shardsBytes, annotations[REPORT_SHARDS_ANNOTATION].length);
      size.totalBytes = Math.max(
        size.totalBytes,
        Object.entries(annotations).reduce((a, [k, v]) => a + k.length + v.length, 0),
      );
      for (const node of env.kube.nodes) {
        const name = `${env.agentName}-${node}`;
        const body = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: env.ns, labels: { [REPORT_LABEL]: 'true' }, annotations },
          spec: {
            holderIdentity: node,
            leaseDurationSeconds: 600,
            renewTime: new Date().toISOString().replace('Z', '000Z'),
          },
        };
        await admin.apply(objectPath(RT.Lease, name, env.ns), body, 'bench-reporter');
      }
    }
    await sleep(200);
  }
  await watching;
  return size;
}

/** The operator container's NODE_OPTIONS in the Helm chart: the bench measures what ships. */
function chartNodeOptions(): string {
  const tpl = readFileSync(`${root}charts/sluice/templates/deployment.yaml`, 'utf8');
  const m = /name: NODE_OPTIONS\s*\n\s*value: (.+)/.exec(tpl);
  if (!m) throw new Error('charts/sluice/templates/deployment.yaml: no NODE_OPTIONS for the operator');
  return m[1]!.trim().replace(/^["']|["']$/g, '');
}

export async function operatorScale(): Promise<string> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const NS = 2000 * scale;
  const PIPES = 20000 * scale;
  const OUTS = 800 * scale;
  let started = false;
  try {
    (await import('../env/index.ts')).kubeEnv();
  } catch {
    const r = spawnSync(process.execPath, [`${root}test/env/cli.ts`, 'up', 'kube'], { stdio: 'inherit' });
    if (r.status !== 0) return '## Operator scale\n\nNot run: the test environment did not come up.\n';
    started = true;
  }
  const env = await setupEnv('bench-op-sys', 'bench-agent');
  const admin = env.admin;
  const nss = Array.from({ length: NS }, (_, i) => `bench-ns-${i}`);
  // namespaces of an earlier run may still be terminating (deleting thousands of objects)
  await until(
    'namespaces of an earlier run deleted',
    async () => {
      const list = await admin.request<{ items: KubeObject[] }>('GET', collectionPath(RT.Namespace));
      return !list.items.some((n) => n.metadata.name.startsWith('bench-ns-') && n.metadata.deletionTimestamp);
    },
    600_000,
    2000,
  );
  // The operator runs with the V8 flags the chart gives it (BENCH_OPERATOR_NODE_OPTIONS overrides).
  // BENCH_OPERATOR_PROF=DIR: CPU and heap profiles of the operator process (written when it stops).
  const nodeFlags = process.env.BENCH_OPERATOR_NODE_OPTIONS ?? chartNodeOptions();
  const prof = process.env.BENCH_OPERATOR_PROF;
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = [
    nodeOptions,
    nodeFlags,
    prof ? `--cpu-prof --cpu-prof-dir=${prof} --heap-prof --heap-prof-dir=${prof}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  // What the image runs: the compiled JavaScript (type stripping the sources costs ~35 MB of RSS).
  const build = spawnSync(process.execPath, [`${root}scripts/build.ts`], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const entry = `${root}dist/cli/entry.js`;
  const op = await startOperator(env, ['--figures-interval', '30'], 'bench-op', entry);
  const load0 = loadavg()[0]!;
  const stop = { done: false };
  const rep = reporters(env, stop).catch(() => ({ shardsBytes: 0, totalBytes: 0 }));
  // Ready pipelines, followed through a watch (a list of every pipeline each second would cost
  // the apiserver more than the operator's own work at this scale).
  const readyNow = new Map<string, boolean>();
  let readyCount = 0;
  const isReady = (p: KubeObject) =>
    ((p.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  const readyWatch = follow(admin, collectionPath(RT.LogPipeline), undefined, stop, (type, p) => {
    const k = `${p.metadata.namespace}/${p.metadata.name}`;
    const was = readyNow.get(k) === true;
    const now = type !== 'DELETED' && isReady(p);
    if (type === 'DELETED') readyNow.delete(k);
    else readyNow.set(k, now);
    readyCount += (now ? 1 : 0) - (was ? 1 : 0);
  }).catch(() => {});
  const post = (path: string, body: object) =>
    admin.request('POST', path, { body }).catch((e: Error) => {
      if (!/409/.test(e.message)) throw e;
    });
  process.stdout.write(`  creating ${NS} namespaces, ${OUTS} LogOutputs, ${PIPES} LogPipelines...\n`);
  const t0 = Date.now();
  await pool(nss, 16, (name) =>
    post(collectionPath(RT.Namespace), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  );
  // 200 outputs: in the first 200 namespaces; the pipelines of a namespace use its output when it
  // has one, else a ClusterLogOutput that admits every bench namespace.
  await post(collectionPath(RT.ClusterLogOutput), {
    apiVersion: V,
    kind: 'ClusterLogOutput',
    metadata: { name: 'bench-shared' },
    spec: {
      stdout: {},
      allowedNamespaces: {
        selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] },
      },
    },
  });
  await pool(nss.slice(0, OUTS), 16, (ns) =>
    post(collectionPath(RT.LogOutput, ns), {
      apiVersion: V,
      kind: 'LogOutput',
      metadata: { name: 'out', namespace: ns },
      spec: { stdout: {} },
    }),
  );
  const pipes = Array.from({ length: PIPES }, (_, i) => ({ ns: nss[i % NS]!, name: `p-${i}` }));
  const outputOf = (ns: string) =>
    nss.indexOf(ns) < OUTS ? { name: 'out' } : { name: 'bench-shared', kind: 'ClusterLogOutput' };
  await pool(pipes, 16, (p) =>
    post(collectionPath(RT.LogPipeline, p.ns), {
      apiVersion: V,
      kind: 'LogPipeline',
      metadata: { name: p.name, namespace: p.ns },
      spec: { outputs: [outputOf(p.ns)] },
    }),
  );
  const created = Date.now() - t0;
  process.stdout.write(`  created in ${(created / 1000).toFixed(1)} s; waiting until all are Ready...\n`);
  // propagation while the status backlog drains: a few changes right after the creates
  const during: number[] = [];
  const draining = (async () => {
    for (let i = 0; i < 10; i++) during.push(await change(PIPES - 1 - i * 7, `drain-${i}`));
  })();
  const readyAt = await until(
    'all Ready',
    () => (readyCount >= PIPES ? Date.now() : undefined),
    600_000,
    100,
  );
  await draining;
  const allReady = (readyAt - t0) / 1000;
  const afterLast = allReady - created / 1000;
  process.stdout.write(
    `  all ${PIPES} Ready ${allReady.toFixed(1)} s after the first create, ${afterLast.toFixed(1)} s after the last\n`,
  );

  // propagation: one pipeline at a time, apply → ConfigMap carries the change
  const lat: number[] = [];
  for (let i = 0; i < 40; i++) lat.push(await change((i * 97) % PIPES, `rev-${i}`));
  const m = await figures(op);
  const load1 = loadavg()[0]!;

  // cold start: a second operator over the world just built (same flags); it must write nothing
  await op.stop();
  const c0 = Date.now();
  const cold = await startOperator(env, ['--figures-interval', '30'], 'bench-op-2', entry);
  if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = nodeOptions;
  const settled = await until(
    'cold start settled',
    async () => {
      const t = await cold.metrics();
      const worlds = /reconcile_duration_seconds_count\{kind="world"\} (\d+)/.exec(t);
      const statuses = Number(/reconcile_duration_seconds_count\{kind="status"\} (\d+)/.exec(t)?.[1] ?? 0);
      return worlds &&
        Number(worlds[1]) > 0 &&
        statuses >= PIPES &&
        /^sluice_operator_queue_depth 0$/m.test(t)
        ? Date.now()
        : undefined;
    },
    300_000,
    200,
  );
  await sleep(5000);
  const mc = await figures(cold);
  const coldWrites = await cold.writes({ excludeLeases: true });
  stop.done = true;
  const reportSize = await rep;
  await readyWatch;
  await cold.stop();

  process.stdout.write('  cleaning up...\n');
  await pool(nss, 16, (ns) => admin.delete(objectPath(RT.Namespace, ns)));
  await admin.delete(objectPath(RT.ClusterLogOutput, 'bench-shared'));
  env.close();
  if (started) spawnSync(process.execPath, [`${root}test/env/cli.ts`, 'down'], { stdio: 'inherit' });
  const p50 = pct(lat, 50);
  const p99 = pct(lat, 99);
  // the operator's memory limit in the chart (charts/sluice/values.yaml: operator.resources)
  const met = afterLast <= 60 && p99 < 1000 && pct(during, 99) < 1000 && m.hwm < 256;
  const load = `load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end, on ${cpus().length} cores`;
  const coldText = `settled in ${((settled - c0) / 1000).toFixed(1)} s, ${coldWrites} writes, peak RSS ${mc.hwm.toFixed(0)} MB, CPU ${mc.cpuSeconds.toFixed(1)} s`;
  process.stdout.write(
    `  all Ready ${allReady.toFixed(1)} s (${afterLast.toFixed(1)} s after the last create), change → ConfigMap p50 ${p50} ms p99 ${p99} ms (during the drain: p50 ${pct(during, 50)} ms, max ${pct(during, 99)} ms), operator peak RSS ${m.hwm.toFixed(0)} MB (NODE_OPTIONS ${nodeFlags}), ${(m.requests / m.reconciles).toFixed(2)} requests per reconcile (${m.requests} requests, ${m.worlds} world + ${m.reconciles - m.worlds} status reconciles, ${m.writes} writes), operator CPU ${m.cpuSeconds.toFixed(1)} s, ${load}; cold start over the built world: ${coldText} — target ${met ? 'met' : 'NOT met'}\n  writes: ${m.writesBy}\n`,
  );
  return [
    '## Operator scale (BENCHMARKS.md §3)',
    '',
    `Workload: ${PIPES.toLocaleString('en')} LogPipelines across ${NS} namespaces, ${OUTS} LogOutputs (+1 ClusterLogOutput for namespaces without one), created through the real apiserver of test/env (16 parallel clients, ${(created / 1000).toFixed(1)} s, namespace by namespace in turn: every namespace's shard changes throughout); the operator as its own process (compiled, as in the image) under its ServiceAccount with the chart's NODE_OPTIONS (\`${nodeFlags}\`); three reporters renew the agents' Leases with the hashes of the base ConfigMap and of every namespace shard (as agents do, through a watch); 10 sequential spec changes right after the creates (while statuses are written) and 40 once all are Ready, for the propagation figures; then a second operator started over the built world. One run.`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| all pipelines Ready, from the first create | ${allReady.toFixed(1)} s | — |`,
    `| all pipelines Ready, from the last create | ${afterLast.toFixed(1)} s | ≤ 60 s |`,
    `| spec change → its namespace's shard ConfigMap, p50 / p99 (40 changes, all Ready) | ${p50} ms / ${p99} ms | p99 < 1 s |`,
    `| spec change → its namespace's shard ConfigMap, p50 / max (10 changes while statuses are written) | ${pct(during, 50)} ms / ${pct(during, 99)} ms | < 1 s |`,
    `| agent report Lease annotations (largest written) | ${reportSize.totalBytes.toLocaleString('en')} bytes, of which shard hashes ${reportSize.shardsBytes.toLocaleString('en')} (${NS} namespaces) | < 256 kB |`,
    `| operator peak RSS | ${m.hwm.toFixed(0)} MB | < 256 MB (BENCHMARKS.md §3; the chart's limit is 512Mi) |`,
    `| operator CPU (user + system, whole run) | ${m.cpuSeconds.toFixed(1)} s | — |`,
    `| machine load (1-min average) | ${load} | — |`,
    `| apiserver requests per reconcile | ${(m.requests / m.reconciles).toFixed(2)} (${m.requests} requests / ${m.reconciles} reconciles; ${m.writes} writes) | — |`,
    `| status writes per pipeline | ${(m.pipelineStatusWrites / PIPES).toFixed(2)} (${m.pipelineStatusWrites}) | — |`,
    `| restart over the built world | ${coldText} | 0 writes |`,
    '',
    `Target: **${met ? 'met' : 'not met'}**.`,
    '',
  ].join('\n');

  async function change(index: number, tag: string): Promise<number> {
    const p = pipes[index]!;
    const marker = `${tag}-${Date.now()}`;
    const t = Date.now();
    await admin.request('PATCH', objectPath(RT.LogPipeline, p.name, p.ns), {
      body: { spec: { filters: [{ add: { fields: { bench: marker } } }] } },
      contentType: 'application/merge-patch+json',
    });
    // the namespace's shard ConfigMap (operator/src/render/configmap.ts: shardConfigMapName)
    await until(
      'ConfigMap change',
      async () =>
        (agentConfigText(await env.get('ConfigMap', `${env.agentName}-ns-${p.ns}`, env.ns)) ?? '').includes(
          marker,
        ),
      // long enough for a world reconcile that applies every shard at once on a loaded machine:
      // the figure is then what it is, rather than no figures at all
      180_000,
      20,
    );
    return Date.now() - t;
  }
}

/** The operator's own figures: requests, reconciles, writes (by verb and resource), peak RSS, CPU. */
async function figures(op: OperatorProc) {
  const metrics = await op.metrics();
  const lines = metrics.split('\n');
  const sumOf = (prefix: string) =>
    lines
      .filter((l) => l.startsWith(prefix))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const worlds = sumOf('sluice_operator_reconcile_duration_seconds_count{kind="world"}');
  const writeLines = lines.filter((l) => l.startsWith('sluice_operator_apiserver_writes_total{'));
  const hwm =
    Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${op.proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  // utime + stime (fields 14, 15 after the command name), in clock ticks of 1/100 s
  const stat = readFileSync(`/proc/${op.proc.pid}/stat`, 'utf8');
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    requests: sumOf('sluice_operator_apiserver_requests{'),
    worlds,
    reconciles: worlds + sumOf('sluice_operator_reconcile_duration_seconds_count{kind="status"}'),
    writes: sumOf('sluice_operator_apiserver_writes_total{'),
    pipelineStatusWrites: sumOf(
      'sluice_operator_apiserver_writes_total{verb="status",resource="logpipelines/status"}',
    ),
    // e.g. "status logpipelines/status 5012"
    writesBy: writeLines
      .map(
        (l) =>
          `${/verb="([^"]*)"/.exec(l)?.[1]} ${/resource="([^"]*)"/.exec(l)?.[1]} ${l.slice(l.lastIndexOf(' ') + 1)}`,
      )
      .join(', '),
    hwm,
    cpuSeconds: (Number(ticks[11]) + Number(ticks[12])) / 100,
  };
}
