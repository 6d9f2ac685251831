// The scene of the tenant attack suite (tenant-attacks.test.ts): the names of this run, the
// platform's values, the objects the tenants make, and what the attacks read their outcome with.
import { expect } from '@jest/globals';
import { Tally } from '../../../agent/src/loadgen/verify.ts';
import { kafkaEnv, kubeEnv, loadEnv, nodeEnv, openSearchEnv, s3Env } from '../../env/index.ts';
import { Cluster, until } from '../cluster.ts';
import { type Condition, condition, MIN, NS } from '../install.ts';
import type { TopicReader } from '../sinks.ts';
import type { ApiResult, Tenant } from '../tenant.ts';
import { shellDeployment } from '../workloads.ts';

/** What the suite's setup makes and the attacks use. */
export const S = {
  victim: undefined as unknown as Tenant,
  evil: undefined as unknown as Tenant,
  agentIp: '',
  agentRestarts: 0,
};

export const env = loadEnv();
export const kube = kubeEnv(env);
export const node = nodeEnv(env);
export const kafka = kafkaEnv(env);
export const os = openSearchEnv(env);
export const s3env = s3Env(env);
export const c = new Cluster();
export const V = 'sluice.dev/v1alpha1';
export const AGENT = 'sluice-agent';
export const fromPods = (url: string) => url.replace('127.0.0.1', node.hostServices);

/** Names of this run: a reused environment keeps older runs' topics. */
export const RUN = Date.now().toString(36);
export const VICTIM = `victim-${RUN}`;
export const EVIL = `evil-${RUN}`;
export const SHARED = `shared-${RUN}`; // the platform's ClusterLogOutput both tenants may use, one topic per namespace
export const AUDIT = `audit-${RUN}`; // the platform's audit pipeline and its output
export const T = {
  victim: `own-${RUN}`, // the victim's own LogOutput
  evil: `evil-out-${RUN}`, // the attacker's own LogOutput
  sharedVictim: VICTIM, // SHARED routes by kubernetes.namespace
  sharedEvil: EVIL,
  audit: AUDIT,
};

/** What a cautious platform sets (docs/security.md, tenant caps): per namespace. */
export const CAPS = {
  maxPipelines: 10,
  maxOutputs: 6,
  maxBufferBytes: '16Mi',
  maxDiskBufferBytes: '256Mi',
  maxRecordBytes: '64Ki',
  maxRecordsPerSecond: 400,
};
export const ALLOWED = [
  ...kafka.pod.brokers,
  new URL(fromPods(os.secure.url)).host,
  new URL(fromPods(s3env.endpoint)).host,
];
export const VALUES = {
  tenancy: { defaults: { ...CAPS, allowedDestinations: ALLOWED } },
  agent: {
    // Only the monitoring namespace may scrape the agents (the node's bridge CNI does not enforce
    // NetworkPolicies: the attacks below reach the port, and the agent's own check answers).
    metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
  },
  // Every user may reach the agents through the apiserver for `sluice tap`; each agent authorises the tap.
  rbac: { tapProxyGroups: ['system:authenticated'] },
};

/** Lines per second the victim writes, paced by the clock. */
export const VICTIM_RATE = 100;
export const readers = new Map<keyof typeof T, TopicReader>();
export const read = (t: keyof typeof T) => readers.get(t)!;
// biome-ignore lint/suspicious/noExplicitAny: records are read field by field
export const records = (t: keyof typeof T): any[] => read(t).values.map((v) => JSON.parse(v));
/** Measurement windows (ms since the epoch). */
export const windows = { baseline: [0, 0], attacks: [0, 0], flood: [0, 0] };

// ---- objects --------------------------------------------------------------------------------

export const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });
export const lo = (ns: string, name: string, spec: object) => ({
  apiVersion: V,
  kind: 'LogOutput',
  metadata: meta(name, ns),
  spec,
});
export const lp = (ns: string, name: string, spec: object) => ({
  apiVersion: V,
  kind: 'LogPipeline',
  metadata: meta(name, ns),
  spec,
});
export const clo = (name: string, spec: object) => ({
  apiVersion: V,
  kind: 'ClusterLogOutput',
  metadata: { name, labels: { e2e: 'attacks' } },
  spec,
});
export const kafkaTo = (topic: string, extra: object = {}) => ({
  kafka: { brokers: kafka.pod.brokers, topic, ...extra },
});
export const toOut = [{ name: 'out' }];
/** A pattern that backtracks catastrophically on irregexp, and a line it does so on (2^50 paths). */
export const REDOS = '^(\\w+\\s?)+$';
export const HOSTILE = 'a'.repeat(50);

export const podsOf = (labels: Record<string, string>) => ({ pods: { matchLabels: labels } });

/** The attacker's pipelines that run, made before the baseline so the agent runs them already. */
export const attackerPipelines = () => [
  lo(EVIL, 'out', { ...kafkaTo(T.evil), buffer: { maxSize: '2Mi' } }),
  // every pod of its namespace: it must never see another namespace's
  lp(EVIL, 'reader', { outputs: toOut }),
  lp(EVIL, 'redos-regex', {
    input: podsOf({ app: 'redos' }),
    parse: { format: 'regex', regex: `^(?<w>(\\w+\\s?)+)$` },
    outputs: toOut,
  }),
  lp(EVIL, 'redos-matches', {
    input: podsOf({ app: 'redos' }),
    filters: [{ drop: { when: { field: 'message', matches: REDOS } } }],
    outputs: toOut,
  }),
  lp(EVIL, 'redos-multiline', {
    input: podsOf({ app: 'redos' }),
    parse: { multiline: { type: 'custom', startPattern: REDOS, flushTimeout: '500ms' } },
    outputs: toOut,
  }),
  lp(EVIL, 'redos-redact', {
    input: podsOf({ app: 'redos' }),
    filters: [{ redact: { custom: [{ name: 'evil', regex: REDOS }] } }],
    outputs: toOut,
  }),
  // its records through the shared output, claiming the victim's namespace
  lp(EVIL, 'route', {
    input: podsOf({ app: 'spoof' }),
    filters: [{ add: { fields: { 'kubernetes.namespace': VICTIM, 'kubernetes.node': 'victim-node' } } }],
    outputs: [{ name: SHARED, kind: 'ClusterLogOutput' }],
  }),
  lp(EVIL, 'flood', { input: podsOf({ app: 'flood' }), outputs: toOut }),
];
export const RUNNING = [
  'reader',
  'redos-regex',
  'redos-matches',
  'redos-multiline',
  'redos-redact',
  'route',
  'flood',
];

// ---- helpers --------------------------------------------------------------------------------

export const lower = (kind: string) => kind.toLowerCase();

/** Waits for the operator's Accepted=False with `reason` on an object of the attacker; returns it. */
export async function refusedBy(kind: string, name: string, reason: string): Promise<Condition> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  let last: any;
  return until(
    `${kind} ${EVIL}/${name} refused with ${reason}`,
    2 * MIN,
    () => {
      last = c.find(lower(kind), '-n', EVIL, name);
      const a = condition(last, 'Accepted');
      return a?.status === 'False' && a.reason === reason ? a : undefined;
    },
    () => JSON.stringify(last?.status),
  );
}

/** Creates the objects as the attacker (each must be admitted), then waits for the refusal of the first. */
export async function createRefused(
  objs: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[],
  reason: string,
  // biome-ignore lint/suspicious/noExplicitAny: as above
  inspect?: (first: any) => void,
): Promise<Condition> {
  try {
    for (const o of objs) {
      const r = await S.evil.create(o);
      expect([o.metadata.name, r.status, r.status < 300 ? '' : r.text]).toEqual([o.metadata.name, 201, '']);
    }
    const conds: Condition[] = [];
    for (const o of objs) conds.push(await refusedBy(o.kind, o.metadata.name, reason));
    const first = c.get(lower(objs[0]!.kind), '-n', EVIL, objs[0]!.metadata.name);
    // a refused resource is not run: Ready is False too
    expect(condition(first, 'Ready')?.status).toBe('False');
    inspect?.(first);
    return conds[0]!;
  } finally {
    // the attacker cleans up, so the namespace's counts stay what the other attacks expect
    for (const o of objs) await S.evil.delete(o);
  }
}

/** The apiserver's answer to an attack: the status code, its reason and message. */
export const refusal = (r: ApiResult) => ({
  status: r.status,
  reason: r.body?.reason,
  message: r.body?.message ?? r.text,
});

export function expectForbidden(r: ApiResult, what: RegExp | string) {
  const x = refusal(r);
  expect({ status: x.status, reason: x.reason }).toEqual({ status: 403, reason: 'Forbidden' });
  if (typeof what === 'string') expect(x.message).toContain(what);
  else expect(x.message).toMatch(what);
}

/** A schema refusal of an unknown field: the CRD is structural, kubectl and the API ask for strict validation. */
export function expectUnknownField(r: ApiResult, field: string) {
  const x = refusal(r);
  expect({ status: x.status, reason: x.reason }).toEqual({ status: 400, reason: 'BadRequest' });
  expect(x.message).toContain(`unknown field "${field}"`);
}

/** Records per second of a topic whose Kafka timestamps fall in [from, to). */
export function rate(t: keyof typeof T, [from, to]: number[]): number {
  const n = read(t).times.filter((x) => x >= from! && x < to!).length;
  return n / ((to! - from!) / 1000);
}

/** Records per second of a topic whose own timestamp (when the app wrote them) falls in [from, to). */
export function writtenRate(t: keyof typeof T, [from, to]: number[]): number {
  const n = read(t).values.filter((v) => {
    const ts = Date.parse(/"timestamp":"([^"]+)"/.exec(v)?.[1] ?? '');
    return ts >= from! && ts < to!;
  }).length;
  return n / ((to! - from!) / 1000);
}

/** The 99th percentile of the delay from writing to delivery, in ms, of records sent in [from, to). */
export function p99Delay(t: keyof typeof T, [from, to]: number[]): number {
  const r = read(t);
  const d: number[] = [];
  r.times.forEach((sent, i) => {
    if (sent < from! || sent >= to!) return;
    const ts = Date.parse(/"timestamp":"([^"]+)"/.exec(r.values[i]!)?.[1] ?? '');
    if (!Number.isNaN(ts)) d.push(sent - ts);
  });
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length * 0.99)] ?? Number.NaN;
}

/** Waits until the topic holds a record sent after `t`: every record sent before it has been read. */
export const readPast = (t: keyof typeof T, at: number) =>
  until(`${t} read past ${new Date(at).toISOString()}`, 2 * MIN, () => read(t).times.some((x) => x > at));

export const tally = (
  t: keyof typeof T,
  manifest: Record<string, number>,
  filter?: (rec: { pipeline?: string }) => boolean,
) => {
  const x = new Tally(manifest);
  for (const v of read(t).values) if (!filter || filter(JSON.parse(v))) x.add(v);
  return x;
};

/** Every tag of `manifest` arrived in the topic (records of `pipeline` only, when given). */
export async function arrived(
  t: keyof typeof T,
  manifest: Record<string, number>,
  pipeline?: string,
): Promise<Tally> {
  let last = new Tally(manifest);
  return until(
    `${JSON.stringify(manifest)} in ${t}${pipeline ? ` from ${pipeline}` : ''}`,
    3 * MIN,
    () => {
      last = tally(t, manifest, pipeline ? (r) => r.pipeline === pipeline : undefined);
      return last.lost === 0 ? last : undefined;
    },
    () => `lost ${last.lost} of ${last.expected}`,
  );
}

/** Tags of one file id in a topic's records. */
export const tagsIn = (t: keyof typeof T, id: string) =>
  read(t).values.reduce((n, v) => n + (v.match(new RegExp(`SEQ:${id}:\\d+;`, 'g'))?.length ?? 0), 0);

/** A figure of the agent's /metrics, read by the cluster admin from this machine. */
export async function metric(name: string, labels: string): Promise<number> {
  const r = await fetch(`http://${S.agentIp}:2020/metrics`, {
    headers: { authorization: `Bearer ${kube.token}` },
  });
  const text = await r.text();
  const m = new RegExp(`^${name}\\{${labels.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

/** Runs a shell script in the attacker's probe pod, with kubectl exec as the attacker. */
export function inProbe(script: string): string {
  const r = S.evil.kubectl.run('kubectl', ['exec', '-n', EVIL, 'deploy/probe', '--', 'sh', '-c', script]);
  return `${r.out}${r.err}`;
}

export const attackerPods = (d: Parameters<typeof shellDeployment>[2]) =>
  shellDeployment(EVIL, node.images.busybox, d);

export interface Attack {
  name: string;
  refusal: string;
  run: () => Promise<void>;
}

export const agentPod = () =>
  c.get('pods', '-n', NS, '-l', `app.kubernetes.io/component=agent,app.kubernetes.io/instance=${AGENT}`)
    .items[0];
