// The agent process: load the config, run the runtime, serve /healthz /readyz /metrics /status,
// reload on SIGHUP or when the config file changes, and (in the cluster) run and follow each
// namespace's config shard from the apiserver; flush and exit on SIGTERM.
import { type FSWatcher, readFileSync, realpathSync, statSync, watch, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { basename, dirname } from 'node:path';
import { BASE_SHARD, combinedHash } from '../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../contract/agent-config/types.ts';
import { DEFAULTS } from './config/defaults.ts';
import { loadConfigFile } from './config/load.ts';
import { type LoadedShard, mergeLoaded } from './config/shards.ts';
import { ErrorCode } from './ops/catalogue.ts';
import { makeLogger } from './ops/log.ts';
import { reporterFromEnv } from './ops/report.ts';
import { AgentStats } from './ops/stats.ts';
import type { TapHttpDeps } from './ops/tap-http.ts';
import { watchdog } from './ops/watchdog.ts';
import { makeSecretStore } from './secrets/index.ts';
import { Runtime } from './topology/runtime.ts';

export interface AgentOptions {
  config: AgentConfig;
  hash: string;
  /** Reload from this file on change and SIGHUP. */
  configFile?: string;
  once?: boolean;
  /** Override the HTTP port of the config (e.g. `sluice run` leaves it off). */
  httpPort?: number;
  /** Override the HTTP address of the config (`sluice run`: 127.0.0.1). */
  httpHost?: string;
  /**
   * Who may tap: `kubernetes` (the default, the DaemonSet) checks every caller with a TokenReview
   * and a SubjectAccessReview; `local` (`sluice run`, bound to 127.0.0.1) lets the local user in.
   */
  tapAuth?: 'kubernetes' | 'local';
}

const CONFIG_RECHECK_MS = 60_000;

/** What changes when a ConfigMap update swaps the file: its resolved path, size and mtime. */
function fileIdentity(file: string): string {
  try {
    const real = realpathSync(file);
    const st = statSync(real);
    return `${real}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return '';
  }
}

/** Benchmarks: write this process's CPU time and peak RSS where SLUICE_USAGE_FILE says. */
function reportUsage(): void {
  const file = process.env.SLUICE_USAGE_FILE;
  if (file === undefined) return;
  const u = process.resourceUsage();
  let hwmKb = u.maxRSS;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) hwmKb = Number(m[1]);
  } catch {
    // not Linux: maxRSS from getrusage
  }
  writeFileSync(file, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, peakRssKb: hwmKb }));
}

export async function runAgent(opts: AgentOptions): Promise<number> {
  const settings = opts.config.agent ?? {};
  const { logger, log } = makeLogger(settings.logLevel ?? 'info');
  const stats = new AgentStats();
  const nodeName = process.env.NODE_NAME;
  const secrets = await makeSecretStore({
    directory: settings.secrets?.directory,
    refreshMs: settings.secrets?.refreshIntervalMs,
  });
  const runtime = new Runtime({
    stats,
    log,
    secrets,
    nodeName,
    self: { namespace: process.env.POD_NAMESPACE, pod: process.env.POD_NAME },
    once: opts.once,
    startKubeWatch: async (store, node) =>
      (await import('./enrich/kube.ts')).startKubeWatch(store, node, log),
  });
  // The base config (the file) and, in the cluster, each namespace's shard (config/shards.ts).
  let base = { config: opts.config, hash: opts.hash };
  let shards = new Map<string, LoadedShard>();
  const shardSource = opts.once ? undefined : opts.config.agent?.configShards;
  let started = false;
  let pending: NodeJS.Timeout | undefined;
  const applyAll = async (): Promise<void> => {
    if (shardSource === undefined) {
      await runtime.apply(base.config, base.hash);
      stats.configShards = new Map([[BASE_SHARD, base.hash]]);
      return;
    }
    const hashes = new Map([[BASE_SHARD, base.hash]]);
    for (const [k, v] of shards) hashes.set(k, v.hash);
    const { config, skipped } = mergeLoaded(base.config, shards);
    if (skipped.length > 0)
      log('warn', 'pipelines wait for outputs the base config does not define yet', {
        code: ErrorCode.configInvalid,
        pipelines: skipped.slice(0, 20),
      });
    await runtime.apply(config, combinedHash(hashes));
    stats.configShards = hashes;
  };
  let stopShards: (() => void) | undefined;
  if (shardSource !== undefined) {
    const [{ watchShards }, { KubeClient }, { loadConnection }] = await Promise.all([
      import('./config/shards.ts'),
      import('../../contract/kube/client.ts'),
      import('../../contract/kube/config.ts'),
    ]);
    // Waits for the first list (at most 10 s), so the first apply already runs every namespace.
    stopShards = await watchShards({
      client: new KubeClient(loadConnection()),
      namespace: shardSource.namespace,
      labelSelector: shardSource.labelSelector,
      log,
      onChange: (m) => {
        shards = m;
        if (!started) return;
        // A burst of shard updates (many namespaces changed at once) is applied together.
        clearTimeout(pending);
        pending = setTimeout(() => void applyAll(), 100);
      },
      onRejected: (key, problems) => {
        log('error', 'config shard rejected; keeping its running version', {
          code: ErrorCode.configInvalid,
          shard: key,
          problems: problems.slice(0, 10),
        });
        runtime.reloadFailed(problems.map((p) => `${key ?? '?'}${p.path}: ${p.message}`).join('; '));
      },
    });
  }
  await applyAll();
  started = true;
  log('info', 'agent started', {
    configHash: runtime.hash,
    shards: shards.size,
    once: opts.once === true,
    node: nodeName,
  });

  const servers: Server[] = [];
  const port = opts.httpPort ?? settings.httpPort ?? DEFAULTS.httpPort;
  if (port > 0) {
    // Loaded only when served: the HTTP server pages in memory nobody needs otherwise.
    const [{ startHttp, startTapHttp }, { makeMetrics }] = await Promise.all([
      import('./ops/http.ts'),
      import('./ops/metrics.ts'),
    ]);
    // The Kubernetes client is built at the first request that needs it: memory nobody needs
    // otherwise. A failed start (no kubeconfig) is retried at the next request.
    const lazy = <T>(make: () => Promise<T>): (() => Promise<T>) => {
      let p: Promise<T> | undefined;
      return () => {
        p ??= make();
        p.catch(() => {
          p = undefined;
        });
        return p;
      };
    };
    const reviews = lazy(async () => (await import('./ops/access-review.ts')).kubeReviewApi());
    const tap: TapHttpDeps = {
      hub: runtime.tap,
      node: nodeName,
      pipeline: (id) => runtime.pipelineInfo(id),
      authorizer: lazy(async () => {
        const a = await import('./ops/tap-auth.ts');
        return opts.tapAuth === 'local' ? a.allowLocal : a.kubernetesAuthorizer(await reviews());
      }),
    };
    const host = opts.httpHost ?? settings.httpHost ?? DEFAULTS.httpHost;
    const tapPort = opts.httpPort === undefined ? (settings.tapPort ?? 0) : 0;
    servers.push(
      await startHttp(host, port, {
        registry: makeMetrics(stats),
        stalled: () => watchdog.stalled(),
        ready: () => runtime.ready,
        status: () => runtime.status(),
        guard:
          settings.httpAuth === 'kubernetes'
            ? lazy(async () =>
                (await import('./ops/endpoint-auth.ts')).kubernetesEndpointGuard(await reviews()),
              )
            : undefined,
        tap: tapPort === 0 ? tap : undefined,
      }),
    );
    if (tapPort !== 0) servers.push(await startTapHttp(host, tapPort, tap));
  }

  if (opts.once) {
    await runtime.untilDone();
    await runtime.shutdown(settings.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs);
    secrets.close();
    for (const s of servers) s.close();
    logger.flush();
    reportUsage();
    return 0;
  }

  // In the cluster: report the config hash and per-output figures to the operator (a Lease).
  const stopReport = reporterFromEnv(stats, log);
  let watcher: FSWatcher | undefined;
  let recheck: NodeJS.Timeout | undefined;
  const reload = async (why: string) => {
    const file = opts.configFile;
    if (file === undefined) return;
    const r = await loadConfigFile(file);
    if (!r.ok) {
      log('error', 'config reload rejected; keeping the running config', {
        code: ErrorCode.configInvalid,
        why,
        problems: r.problems,
      });
      runtime.reloadFailed(r.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
      return;
    }
    if (r.hash === base.hash) return;
    base = { config: r.config, hash: r.hash };
    await applyAll();
  };
  if (opts.configFile !== undefined) {
    let t: NodeJS.Timeout | undefined;
    const file = opts.configFile;
    try {
      // Watch the directory: ConfigMap updates swap a symlink rather than writing the file.
      watcher = watch(dirname(file), (_e, name) => {
        if (name !== null && !String(name).startsWith(basename(file)) && !String(name).startsWith('..'))
          return;
        clearTimeout(t);
        t = setTimeout(() => void reload('file changed'), 200);
      });
    } catch (e) {
      log('warn', 'cannot watch the config file; SIGHUP still reloads', { err: (e as Error).message });
    }
    process.on('SIGHUP', () => void reload('SIGHUP'));
    // The config was read before the watch began: a ConfigMap update in between (the operator
    // adding a pipeline while the pod starts) would otherwise go unnoticed until the next one.
    // So look once now, and then every minute as a safety net for a missed watch event; a file
    // whose identity (resolved path, size, mtime) did not change is not even read.
    let seen = fileIdentity(file);
    const check = (why: string) => {
      const now = fileIdentity(file);
      if (now === seen) return;
      seen = now;
      void reload(why);
    };
    void reload('watch started');
    recheck = setInterval(() => check('periodic check'), CONFIG_RECHECK_MS);
    recheck.unref();
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      log('info', 'shutting down', { signal: sig });
      watcher?.close();
      clearInterval(recheck);
      clearTimeout(pending);
      stopShards?.();
      stopReport?.();
      const ok = await runtime.shutdown(settings.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs);
      if (!ok)
        log('warn', 'shutdown deadline passed; undelivered records are re-read on restart', {
          code: ErrorCode.shutdownDeadline,
        });
      secrets.close();
      for (const s of servers) s.close();
      logger.flush();
      reportUsage();
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
