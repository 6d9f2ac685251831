// What the operator e2e suites share: CRDs and the operator's own RBAC installed with the admin
// token, `sluice operator` spawned under its ServiceAccount (bound to exactly
// operator/src/render/operator-rbac.ts), real `sluice agent` processes standing in for the kwok
// pods (kwok runs no containers), and small polling helpers.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { mergeShards, SHARD_LABEL } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import { KubeClient, type KubeObject } from '../../../operator/src/kube/client.ts';
import { fromKubeconfig } from '../../../operator/src/kube/config.ts';
import { collectionPath, objectPath, rtOf } from '../../../operator/src/kube/resources.ts';
import { renderAgentLeasePolicy } from '../../../operator/src/render/agent-policy.ts';
import { AGENT_CONFIG_KEY, agentConfigText } from '../../../operator/src/render/configmap.ts';
import { renderOperatorRbac } from '../../../operator/src/render/operator-rbac.ts';
import { defaultSettings } from '../../../operator/src/render/settings.ts';
import {
  type KubeInfo,
  kubeEnv,
  type ServiceAccountCredentials,
  serviceAccountCredentials,
  toolsEnv,
} from '../../env/index.ts';

export const root = new URL('../../../', import.meta.url).pathname;
const cli = join(root, 'bin/sluice.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await sleep(everyMs);
  }
}

export interface Env {
  kube: KubeInfo;
  admin: KubeClient;
  ns: string;
  agentName: string;
  dir: string;
  kubectl(
    args: string[],
    opts?: { input?: string; kubeconfig?: string },
  ): { status: number; stdout: string; stderr: string };
  apply(objs: object[] | object, kubeconfig?: string): void;
  get(kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  del(kind: string, name: string, namespace?: string): Promise<void>;
  close(): void;
}

export async function setupEnv(ns: string, agentName: string): Promise<Env> {
  const kube = kubeEnv();
  const admin = new KubeClient(fromKubeconfig(kube.kubeconfig));
  const dir = mkdtempSync(join(tmpdir(), `sluice-e2e-${ns}-`));
  const kubectlBin = toolsEnv().kubectl;
  const kubectl: Env['kubectl'] = (args, opts = {}) => {
    const r = spawnSync(kubectlBin, ['--kubeconfig', opts.kubeconfig ?? kube.kubeconfig, ...args], {
      input: opts.input,
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const apply: Env['apply'] = (objs, kubeconfig) => {
    const list = Array.isArray(objs) ? objs : [objs];
    const r = kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'e2e', '-f', '-'], {
      input: list.map((o) => dump(o)).join('---\n'),
      ...(kubeconfig ? { kubeconfig } : {}),
    });
    if (r.status !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  };
  const r = kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager',
    'sluice-install',
    '-f',
    join(root, 'crds'),
  ]);
  if (r.status !== 0) throw new Error(`applying the CRDs failed: ${r.stderr}`);
  kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '-l',
    'app.kubernetes.io/part-of=sluice',
  ]);
  apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  apply(renderOperatorRbac(defaultSettings({ namespace: ns, agentName }), `${agentName}-operator`));
  // What the chart installs beside the operator: agents may write only their own node's Lease.
  apply(renderAgentLeasePolicy({ namespace: ns, agentName }));
  return {
    kube,
    admin,
    ns,
    agentName,
    dir,
    kubectl,
    apply,
    get: (kind, name, namespace) => admin.get(objectPath(rtOf(kind), name, namespace)),
    del: async (kind, name, namespace) => {
      await admin.delete(objectPath(rtOf(kind), name, namespace));
    },
    close: () => admin.close(),
  };
}

export interface OperatorProc {
  proc: ChildProcess;
  port: number;
  logs: string[];
  metrics(): Promise<string>;
  /** Sum of sluice_operator_apiserver_writes_total, optionally without leader-election writes. */
  writes(opts?: { excludeLeases?: boolean }): Promise<number>;
  leader(): Promise<boolean>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `entry`: the script to run (default bin/sluice.js; the bench runs the compiled dist/cli/entry.js);
 * `settings`: more render settings (e.g. `tenancy`), over the suite's own.
 */
export async function startOperator(
  env: Env,
  extra: string[] = [],
  name = 'op',
  entry = cli,
  settings: Record<string, unknown> = {},
): Promise<OperatorProc> {
  const creds = await serviceAccountCredentials(env.kube, {
    namespace: env.ns,
    name: `${env.agentName}-operator`,
  });
  const settingsFile = join(env.dir, 'settings.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({
      agentName: env.agentName,
      operatorName: `${env.agentName}-operator`,
      agentImage: 'sluice-agent:e2e',
      priorityClassName: undefined,
      // Agents here are processes standing in for the kwok pods (startAgents): keep the DaemonSet
      // off the real node of test/env, which has no `sluice-agent:e2e` image to run.
      nodeSelector: { 'kubernetes.io/os': 'linux', type: 'kwok' },
      ...settings,
    }),
  );
  const agentSettings = join(env.dir, 'agent-settings.json');
  writeFileSync(
    agentSettings,
    JSON.stringify({ httpPort: 0, dataDir: 'data', podLogsDir: 'logs', enrichment: { kubernetes: false } }),
  );
  const proc = spawn(
    process.execPath,
    [
      entry,
      'operator',
      '--kubeconfig',
      creds.kubeconfig,
      '--namespace',
      env.ns,
      '--settings',
      settingsFile,
      '--agent-settings',
      agentSettings,
      '--http-port',
      '0',
      '--http-host',
      '127.0.0.1',
      '--lease-name',
      `${env.agentName}-operator`,
      '--figures-interval',
      '2',
      ...(process.env.E2E_VERBOSE ? ['--log-level', 'debug'] : []),
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, POD_NAME: name } },
  );
  const logs: string[] = [];
  let port = 0;
  let rest = '';
  proc.stderr!.on('data', (c: Buffer) => {
    rest += c.toString();
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      logs.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      const m = /"port":(\d+)/.exec(line);
      if (m && line.includes('serving')) port = Number(m[1]);
      nl = rest.indexOf('\n');
    }
  });
  await until(
    `operator ${name} serving`,
    () => port > 0 || (proc.exitCode !== null ? Promise.reject(new Error(logs.join('\n'))) : false),
    30_000,
  );
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    proc,
    port,
    logs,
    metrics,
    async writes(opts = {}) {
      let n = 0;
      for (const line of (await metrics()).split('\n')) {
        if (!line.startsWith('sluice_operator_apiserver_writes_total{')) continue;
        if (opts.excludeLeases && line.includes('verb="leader-election"')) continue;
        n += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return n;
    },
    async leader() {
      return /^sluice_operator_leader 1$/m.test(await metrics());
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await done;
    },
  };
}

/**
 * A real `sluice agent` standing in for the kwok pod on `node`, fed the base ConfigMap as kubelet
 * would; it reads the namespace shards through the apiserver itself, under its ServiceAccount.
 */
export interface AgentProc {
  node: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startAgents(env: Env): Promise<{ agents: AgentProc[]; stop(): Promise<void> }> {
  await until('agent ServiceAccount', () => env.get('ServiceAccount', env.agentName, env.ns));
  const pods = await until('an agent pod on every node', async () => {
    const list = await env.admin.request<{ items: KubeObject[] }>(
      'GET',
      collectionPath(rtOf('ConfigMap'), env.ns).replace('configmaps', 'pods'),
      {
        query: { labelSelector: `app.kubernetes.io/instance=${env.agentName}` },
      },
    );
    const byNode = new Map<string, KubeObject>();
    for (const p of list.items) byNode.set((p.spec as { nodeName?: string }).nodeName ?? '', p);
    return env.kube.nodes.every((n) => byNode.has(n)) ? byNode : undefined;
  });
  // Each agent holds a token bound to its pod, as kubelet projects it: it names the pod and the
  // node, which the chart's admission policy checks on every report Lease write.
  const creds = new Map<string, ServiceAccountCredentials>();
  for (const [node, pod] of pods)
    creds.set(
      node,
      await serviceAccountCredentials(env.kube, {
        namespace: env.ns,
        name: env.agentName,
        boundPod: { name: pod.metadata.name, uid: pod.metadata.uid as string },
      }),
    );
  // kubelet's projection: the ConfigMap's data, swapped in atomically on change.
  const dirs = env.kube.nodes.map((n) => {
    const d = join(env.dir, 'agents', n);
    mkdirSync(join(d, 'config'), { recursive: true });
    mkdirSync(join(d, 'logs'), { recursive: true });
    return d;
  });
  let last = '';
  const project = async () => {
    const cm = await env.get('ConfigMap', env.agentName, env.ns);
    const data = (cm?.binaryData as Record<string, string> | undefined)?.[AGENT_CONFIG_KEY];
    if (!data || data === last) return;
    last = data;
    for (const d of dirs) {
      writeFileSync(join(d, 'config', `..${AGENT_CONFIG_KEY}.tmp`), Buffer.from(data, 'base64'));
      renameSync(join(d, 'config', `..${AGENT_CONFIG_KEY}.tmp`), join(d, 'config', AGENT_CONFIG_KEY));
    }
  };
  await project();
  let projecting = true;
  const loop = (async () => {
    while (projecting) {
      await project().catch(() => {});
      await sleep(200);
    }
  })();
  const agents = env.kube.nodes.map((node, i) => {
    const proc = spawn(
      process.execPath,
      [cli, 'agent', '--config', join(dirs[i]!, 'config', AGENT_CONFIG_KEY)],
      {
        cwd: dirs[i]!,
        stdio: ['ignore', 'ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore'],
        env: {
          ...process.env,
          KUBECONFIG: creds.get(node)!.kubeconfig,
          NODE_NAME: node,
          POD_NAME: pods.get(node)!.metadata.name,
          POD_NAMESPACE: env.ns,
          SLUICE_AGENT_NAME: env.agentName,
          SLUICE_REPORT_INTERVAL_SECONDS: '1',
        },
      },
    );
    return {
      node,
      proc,
      async stop() {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      },
    };
  });
  return {
    agents,
    async stop() {
      projecting = false;
      await loop;
      await Promise.all(agents.map((a) => a.stop()));
    },
  };
}

export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
export const cond = (o: KubeObject | undefined, type: string): Cond | undefined =>
  ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type);

/** The live config shard ConfigMaps of an agent (one per namespace with pipelines or outputs). */
export async function shardConfigMaps(
  env: Env,
  name = env.agentName,
  namespace = env.ns,
): Promise<KubeObject[]> {
  const list = await env.admin.request<{ items: KubeObject[] }>(
    'GET',
    collectionPath(rtOf('ConfigMap'), namespace),
    { query: { labelSelector: `${SHARD_LABEL},app.kubernetes.io/instance=${name}` } },
  );
  return list.items;
}

/**
 * The whole agent config the live ConfigMaps carry, as JSON text: the base ConfigMap with every
 * namespace shard merged in, as the agents run it ('' when there is no base).
 */
export async function agentConfigJson(env: Env, name = env.agentName, namespace = env.ns): Promise<string> {
  const base = agentConfigText(await env.get('ConfigMap', name, namespace));
  if (base === undefined) return '';
  const shards = (await shardConfigMaps(env, name, namespace))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((cm) => JSON.parse(agentConfigText(cm) ?? '{"pipelines":[],"outputs":[]}') as AgentConfig);
  return `${JSON.stringify(mergeShards(JSON.parse(base) as AgentConfig, shards))}\n`;
}
