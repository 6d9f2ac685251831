// Agent → operator reporting: each agent keeps one coordination.k8s.io Lease per node in its own
// namespace (`<agent name>-<node>`), whose annotations carry the hashes of the config shards it
// runs (the base file's, and each namespace's) and compact per-output figures. One small write per agent when the hash changes (at once) or the figures
// change (at most every `intervalMs`), plus a heartbeat; the operator watches these Leases.
// Why a Lease and not scraping /status: no connection from the operator to every node (the
// agent NetworkPolicy admits only metrics scrapes), load bounded by the agents' own rate, and the
// reports survive operator restarts and leader changes. See docs/operations/status.md.
import { BASE_SHARD } from '../../../contract/agent-config/shards.ts';
import {
  type OutputReport,
  REPORT_HASH_ANNOTATION,
  REPORT_LABEL,
  REPORT_SHARDS_ANNOTATION,
  REPORT_STATS_ANNOTATION,
  type Report,
} from '../../../contract/report.ts';
import { DropReason } from './catalogue.ts';
import type { AgentStats } from './stats.ts';

export function buildReport(stats: AgentStats): Report {
  const o: Record<string, OutputReport> = {};
  for (const [id, s] of stats.outputs) {
    // An idle output says nothing the operator does not assume (all zero): left out, so the
    // report grows with the outputs active on this node, not with every output of the cluster.
    if (s.recordsOut === 0 && s.bufferBytes === 0 && s.drops.size === 0 && !s.lastError) continue;
    const r: OutputReport = { d: s.recordsOut, b: s.bufferBytes };
    if (s.drops.size) r.x = Object.fromEntries(s.drops);
    if (s.lastError) {
      r.e = s.lastError.slice(0, 512);
      r.t = new Date(s.lastErrorAt).toISOString();
    }
    o[id] = r;
  }
  const report: Report = { v: 1, o };
  const p: NonNullable<Report['p']> = {};
  for (const [id, s] of stats.pipelines) {
    const r: NonNullable<Report['p']>[string] = {};
    if (s.unreadBytes.size > 0) r.u = Object.fromEntries(s.unreadBytes);
    const capped = s.drops.get(DropReason.namespaceRateCap);
    if (capped) r.c = { [DropReason.namespaceRateCap]: capped };
    if (r.u !== undefined || r.c !== undefined) p[id] = r;
  }
  if (Object.keys(p).length > 0) report.p = p;
  return report;
}

/**
 * The base config's hash (the file) and the JSON of the namespace shards' hashes, as the operator
 * compares them with what it wrote; no shards annotation for an agent that reads no shards.
 */
export function shardAnnotations(stats: AgentStats): { hash: string; shards: string | undefined } {
  const base = stats.configShards.get(BASE_SHARD);
  if (base === undefined) return { hash: stats.configHash, shards: undefined };
  const rest: Record<string, string> = {};
  for (const k of [...stats.configShards.keys()].sort())
    if (k !== BASE_SHARD) rest[k] = stats.configShards.get(k)!;
  return { hash: base, shards: stats.configShards.size > 1 ? JSON.stringify(rest) : undefined };
}

export interface ReporterOptions {
  stats: AgentStats;
  namespace: string;
  node: string;
  pod: string;
  /** Lease name prefix (the agent's name). */
  prefix?: string;
  intervalMs?: number;
  heartbeatMs?: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
}

interface LeaseApi {
  read(name: string): Promise<{ metadata?: { resourceVersion?: string } } | undefined>;
  create(body: object): Promise<unknown>;
  replace(name: string, body: object): Promise<unknown>;
}

/** The Lease calls through the small client of contract/kube/ (not @kubernetes/client-node: its memory). */
async function leaseApi(namespace: string): Promise<LeaseApi> {
  const [{ KubeClient }, { loadConnection }] = await Promise.all([
    import('../../../contract/kube/client.ts'),
    import('../../../contract/kube/config.ts'),
  ]);
  const api = new KubeClient(loadConnection());
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const one = (name: string) => `${leases}/${encodeURIComponent(name)}`;
  return {
    read: (name) => api.get(one(name)),
    create: (body) => api.write('POST', leases, { body }, 'create'),
    replace: (name, body) => api.write('PUT', one(name), { body }, 'update'),
  };
}

/** Starts reporting; returns a stop function. Failures are logged and retried next tick. */
export function startReporter(opts: ReporterOptions): () => void {
  const interval = opts.intervalMs ?? 10_000;
  const heartbeat = opts.heartbeatMs ?? 60_000;
  const name = `${opts.prefix ?? 'sluice-agent'}-${opts.node}`.slice(0, 253);
  let api: LeaseApi | undefined;
  let lastHash = '';
  let lastStats = '';
  let lastWrite = 0;
  let busy = false;
  let stopped = false;
  let warned = false;

  const tick = async () => {
    if (busy || stopped) return;
    if (opts.stats.configHash === '') return;
    const { hash, shards } = shardAnnotations(opts.stats);
    const stats = JSON.stringify(buildReport(opts.stats));
    const now = Date.now();
    const running = `${hash}\0${shards ?? ''}`;
    const due =
      running !== lastHash ||
      (stats !== lastStats && now - lastWrite >= interval) ||
      now - lastWrite >= heartbeat;
    if (!due) return;
    busy = true;
    try {
      api ??= await leaseApi(opts.namespace);
      const body = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: opts.namespace,
          labels: {
            [REPORT_LABEL]: 'true',
            'app.kubernetes.io/name': 'sluice',
            'app.kubernetes.io/component': 'agent',
          },
          annotations: {
            [REPORT_HASH_ANNOTATION]: hash,
            ...(shards !== undefined ? { [REPORT_SHARDS_ANNOTATION]: shards } : {}),
            [REPORT_STATS_ANNOTATION]: stats,
          },
        },
        spec: {
          holderIdentity: opts.pod,
          leaseDurationSeconds: Math.ceil((heartbeat * 2) / 1000),
          renewTime: new Date(now).toISOString().replace('Z', '000Z'),
        },
      };
      const cur = await api.read(name);
      if (cur === undefined) await api.create(body);
      else
        await api.replace(name, {
          ...body,
          metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion },
        });
      lastHash = running;
      lastStats = stats;
      lastWrite = now;
      warned = false;
    } catch (e) {
      if (!warned)
        opts.log('warn', 'cannot report status to the operator; retrying', { err: (e as Error).message });
      warned = true;
    } finally {
      busy = false;
    }
  };
  // Poll the (cheap, local) stats often so a new config hash is reported within a second.
  const timer = setInterval(() => void tick(), 500);
  timer.unref();
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Reporting is on inside the cluster (NODE_NAME and POD_NAMESPACE set) unless SLUICE_REPORT=off. */
export function reporterFromEnv(
  stats: AgentStats,
  log: ReporterOptions['log'],
  env: NodeJS.ProcessEnv = process.env,
): (() => void) | undefined {
  const node = env.NODE_NAME;
  const namespace = env.POD_NAMESPACE;
  if (!node || !namespace || env.SLUICE_REPORT === 'off') return undefined;
  const n = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) * 1000 : undefined);
  return startReporter({
    stats,
    namespace,
    node,
    pod: env.POD_NAME ?? node,
    prefix: env.SLUICE_AGENT_NAME,
    intervalMs: n(env.SLUICE_REPORT_INTERVAL_SECONDS),
    heartbeatMs: n(env.SLUICE_REPORT_HEARTBEAT_SECONDS),
    log,
  });
}
