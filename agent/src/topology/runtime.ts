// The running agent: outputs, pipelines and their collectors built from an AgentConfig, and
// rebuilt on reload without losing or duplicating records. A reload touches only what changed:
// a changed pipeline (or one whose output changed) stops reading, waits for its in-flight records
// to be acknowledged (bounded), cancels the rest (they are re-read from the checkpoint by its
// successor), and only then does the successor start from the checkpoints.
import { writeFileSync } from 'node:fs';
import { applyBufferBudget, type BufferShare } from '../../../contract/agent-config/budget.ts';
import type {
  AgentConfig,
  AgentSettings,
  OutputConfig,
  PipelineConfig,
} from '../../../contract/agent-config/types.ts';
import { MemoryBuffer } from '../buffer/memory.ts';
import { isCancelled } from '../checkpoint/acks.ts';
import { CheckpointStore } from '../checkpoint/store.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { loadMetadataFile } from '../enrich/static.ts';
import { MetadataStore } from '../enrich/store.ts';
import { DropReason, ErrorCode } from '../ops/catalogue.ts';
import type { LogFn } from '../ops/log.ts';
import type { AgentStats } from '../ops/stats.ts';
import { TapHub } from '../ops/tap.ts';
import { watchdog } from '../ops/watchdog.ts';
import { noSecrets, type SecretStore } from '../secrets/index.ts';
import { Collector } from '../sources/files/collector.ts';
import { Discovery } from '../sources/files/discovery.ts';
import { FdLimiter } from '../sources/files/limiter.ts';
import type { WatchFn } from '../sources/files/watch.ts';
import { hostWatchDirs, scanHostFiles } from '../sources/host_files/scan.ts';
import { type InputFile, pipelineInputs } from '../sources/inputs.ts';
import { type ContainerFile, scanLogs } from '../sources/kubernetes_logs/scan.ts';
import type { SelfIdentity } from '../sources/kubernetes_logs/select.ts';
import { Output } from './output.ts';
import { Pipeline } from './pipeline.ts';
import { NamespaceRateCaps } from './rate-caps.ts';

export interface RuntimeDeps {
  stats: AgentStats;
  log: LogFn;
  nodeName?: string;
  self?: SelfIdentity;
  /** --once: read what exists, deliver, checkpoint, stop. */
  once?: boolean;
  /** Where outputs read their credentials (Secrets referenced by the config). */
  secrets?: SecretStore;
  /** Start the Kubernetes pod watch (injected so this module does not load the client). */
  startKubeWatch?: (store: MetadataStore, nodeName: string | undefined) => Promise<() => void>;
  /** fs.watch, injectable so tests can make inotify fail. */
  watchFn?: WatchFn;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class Runtime {
  private readonly deps: RuntimeDeps;
  private settings: AgentSettings = {};
  private config: AgentConfig | undefined;
  hash = '';
  private checkpoints: CheckpointStore | undefined;
  private limiter: FdLimiter | undefined;
  private metadata: MetadataStore | undefined;
  private discovery: Discovery<ContainerFile> | undefined;
  private stopKube: (() => void) | undefined;
  private kubeStarted: Promise<void> | undefined;
  private stopped = false;
  private readonly outputs = new Map<string, Output>();
  private readonly pipelines = new Map<string, { pipeline: Pipeline; collector: Collector<InputFile> }>();
  private mlTimer: NodeJS.Timeout | undefined;
  private lastFiles: ContainerFile[] = [];
  private applying: Promise<void> = Promise.resolve();
  lastReload: { at: string; ok: boolean; error?: string } | undefined;
  /** `sluice tap` subscribers, by pipeline id (stable across reloads). */
  readonly tap: TapHub;
  /** Per-namespace rate caps, shared by the pipelines of a namespace (stable across reloads). */
  private readonly rateCaps = new NamespaceRateCaps();
  /** Each output's buffer share under the node-wide budget (budget.ts), from the last apply. */
  private shares = new Map<string, BufferShare>();

  constructor(deps: RuntimeDeps) {
    this.deps = deps;
    this.tap = new TapHub(deps.stats.tap);
  }

  /** The running pipeline's identity, for tap requests. */
  pipelineInfo(id: string): { kind: string; name: string; namespace?: string } | undefined {
    const p = this.pipelines.get(id);
    return p === undefined
      ? undefined
      : {
          kind: p.pipeline.config.kind,
          name: p.pipeline.config.name,
          namespace: p.pipeline.config.namespace,
        };
  }

  get ready(): boolean {
    return this.config !== undefined;
  }

  /** Apply a validated config (first start or reload); serialized with other applies. */
  apply(config: AgentConfig, hash: string): Promise<void> {
    const next = this.applying.then(() => watchdog.track('config apply', this.applyNow(config, hash)));
    this.applying = next.catch(() => {});
    return next;
  }

  private async applyNow(asked: AgentConfig, hash: string): Promise<void> {
    const { log, stats } = this.deps;
    const first = this.config === undefined;
    // The file watch and SIGHUP may both ask for the same config while a reload is in progress.
    if (!first && hash === this.hash) return;
    // Buffers as the node-wide budget grants them: an output whose share changed is rebuilt.
    const budgeted = applyBufferBudget(asked);
    const config = budgeted.config;
    for (const type of ['memory', 'disk'] as const) {
      const t = budgeted.totals[type];
      if (t.budget !== undefined && t.asked > t.budget)
        log('warn', `output ${type} buffers ask for more than the node budget; each is scaled down`, {
          asked: t.asked,
          budget: t.budget,
        });
    }
    stats.bufferBudget = budgeted.totals;
    if (first) this.init(config.agent ?? {});
    else if (!same(fixed(config.agent), fixed(this.settings))) {
      log(
        'warn',
        'podLogsDir, dataDir, http and enrichment settings change only on restart; keeping the running ones',
      );
    }
    const oldOutputs = new Map((this.config?.outputs ?? []).map((o) => [o.id, o]));
    const newOutputs = new Map(config.outputs.map((o) => [o.id, o]));
    const changedOutputs = new Set<string>();
    for (const [id, o] of oldOutputs) if (!same(o, newOutputs.get(id))) changedOutputs.add(id);
    const oldPipes = new Map((this.config?.pipelines ?? []).map((p) => [p.id, p]));
    const newPipes = new Map(config.pipelines.map((p) => [p.id, p]));
    const stopPipes: string[] = [];
    for (const [id, p] of oldPipes) {
      const n = newPipes.get(id);
      if (n === undefined || !same(p, n) || p.outputs.some((o) => changedOutputs.has(o))) stopPipes.push(id);
    }
    // Outputs whose dead-letter target changes must be rebuilt too (they hold a reference).
    for (const [id, o] of newOutputs)
      if (o.deadLetter !== undefined && changedOutputs.has(o.deadLetter)) changedOutputs.add(id);

    // 1. Stop reading, 2. wait for in-flight acknowledgements, 3. cancel the rest.
    const stopping = stopPipes.map((id) => this.pipelines.get(id)!).filter(Boolean);
    for (const s of stopping) s.collector.stop();
    const deadline = Date.now() + 5000;
    while (stopping.some((s) => s.collector.inFlight > 0) && Date.now() < deadline) await sleep(20);
    for (const s of stopping) {
      const left = s.collector.inFlight;
      s.collector.cancelInFlight();
      if (left > 0) {
        for (const o of s.pipeline.outputs) {
          if (o.buffer instanceof MemoryBuffer) {
            const n = o.buffer.discard((e) => e.group !== null && isCancelled(e.group));
            o.stats.drop(DropReason.reloadCancelled, n);
          }
        }
      }
      this.pipelines.delete(s.pipeline.id);
    }
    await this.checkpoints!.flush();
    for (const id of changedOutputs) {
      const o = this.outputs.get(id);
      this.outputs.delete(id);
      if (o !== undefined) await withDeadline(o.stop(), 5000);
    }
    this.config = config;
    this.hash = hash;
    this.shares = budgeted.shares;
    stats.configHash = hash;
    this.rateCaps.retain(
      new Set(
        config.pipelines.flatMap((p) => (p.namespaceRecordsPerSecond === undefined ? [] : [p.namespace!])),
      ),
    );
    for (const o of config.outputs) if (!this.outputs.has(o.id)) this.startOutput(o);
    for (const p of config.pipelines) if (!this.pipelines.has(p.id)) this.startPipeline(p);
    if (!first) {
      stats.reloads++;
      this.lastReload = { at: new Date().toISOString(), ok: true };
      log('info', 'config reloaded', {
        hash,
        restartedPipelines: stopPipes,
        restartedOutputs: [...changedOutputs],
      });
    }
    this.writeStatusFile();
    // The first scan waits for the first pod list (bounded by the watch): excluded pods are known.
    if (first && this.kubeStarted !== undefined) await this.kubeStarted;
    if (this.lastFiles.length > 0 || first) this.scanNow();
  }

  reloadFailed(error: string): void {
    this.deps.stats.reloadFailures++;
    this.lastReload = { at: new Date().toISOString(), ok: false, error };
    this.writeStatusFile();
  }

  private init(s: AgentSettings): void {
    this.settings = s;
    const { log, stats } = this.deps;
    this.checkpoints = new CheckpointStore(s.dataDir ?? DEFAULTS.dataDir, {
      log,
      loadFailed: (reason) =>
        stats.checkpointLoadFailures.set(reason, (stats.checkpointLoadFailures.get(reason) ?? 0) + 1),
    });
    this.checkpoints.onError = (e) => log('error', 'checkpoint write failed; retrying', { err: e.message });
    this.limiter = new FdLimiter(s.maxOpenFiles ?? DEFAULTS.maxOpenFiles);
    const e = s.enrichment ?? {};
    if (e.metadataFile !== undefined || e.kubernetes === true) {
      this.metadata = new MetadataStore(
        e.cacheMaxBytes ?? DEFAULTS.enrichmentCacheBytes,
        (e.deletedPodTtlSeconds ?? DEFAULTS.deletedPodTtlSeconds) * 1000,
      );
      if (e.metadataFile !== undefined) {
        try {
          const n = loadMetadataFile(e.metadataFile, this.metadata);
          log('info', 'metadata file loaded', { file: e.metadataFile, ...n });
        } catch (err) {
          log('error', 'metadata file unreadable; enriching from paths only', {
            err: (err as Error).message,
          });
        }
      }
      if (e.kubernetes === true && this.deps.startKubeWatch !== undefined) {
        this.kubeStarted = this.deps.startKubeWatch(this.metadata, this.deps.nodeName).then(
          (stop) => {
            if (this.stopped) stop();
            else this.stopKube = stop;
          },
          (err: Error) =>
            log('error', 'pod watch failed to start; enriching from paths only', { err: err.message }),
        );
      }
      // New pod metadata may make files eligible (label selectors).
      let pending = false;
      this.metadata.onChange(() => {
        if (pending) return;
        pending = true;
        setTimeout(() => {
          pending = false;
          this.dispatch(this.lastFiles);
        }, 100).unref();
      });
      stats.enrichmentBytes = () => this.metadata?.byteSize ?? 0;
      stats.enrichmentPods = () => this.metadata?.size ?? 0;
    }
    stats.lag = () => [...this.pipelines.values()].flatMap((p) => p.collector.lag());
    stats.bufferMax = () =>
      [...this.shares].map(([output, sh]) => ({ output, bytes: sh.granted, scaled: sh.granted < sh.asked }));
    stats.excludedFiles = () =>
      [...this.pipelines.values()].map((p) => ({
        pipeline: p.pipeline.id,
        files: p.collector.excludedFiles,
      }));
    const pollMs = s.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    const podLogsDir = s.podLogsDir ?? DEFAULTS.podLogsDir;
    this.discovery = new Discovery(
      (dirs) => scanLogs(podLogsDir, dirs),
      { pollMs, watch: s.watch ?? true, watchFn: this.deps.watchFn },
      {
        scanned: (files) => this.dispatch(files),
        changed: (paths) => {
          for (const p of this.pipelines.values()) p.collector.kickPaths(paths);
        },
        watchFailed: (err) => {
          stats.watchFailures++;
          log(
            'warn',
            `cannot watch log directories (${err.code ?? err.message}); following files by polling every ${pollMs} ms`,
            {
              code: ErrorCode.fileWatch,
              err: err.message,
              hint:
                err.code === 'ENOSPC' || err.code === 'EMFILE'
                  ? 'raise the node sysctls fs.inotify.max_user_watches / fs.inotify.max_user_instances and restart the agent'
                  : undefined,
            },
          );
        },
      },
    );
    stats.watching = () => this.discovery?.watching ?? false;
    this.mlTimer = setInterval(() => {
      const now = Date.now();
      for (const p of this.pipelines.values()) p.collector.flushMultiline(now, false);
      this.metadata?.evict(now);
      stats.openFiles = this.limiter?.open ?? 0;
      stats.openFilesPeak = this.limiter?.peak ?? 0;
    }, 250);
    this.mlTimer.unref();
  }

  private dispatch(files: ContainerFile[]): void {
    this.lastFiles = files;
    const hostDirs = new Set<string>();
    for (const p of this.pipelines.values()) {
      const h = p.pipeline.config.input?.hostFiles;
      const hosts = h === undefined ? [] : scanHostFiles(h.paths, h.exclude, this.settings.hostRoot);
      if (h !== undefined)
        for (const d of hostWatchDirs(h.paths, hosts, this.settings.hostRoot)) hostDirs.add(d);
      p.collector.sync(hosts.length === 0 ? files : [...files, ...hosts]);
    }
    // Host files are watched like container logs: their directories join the next watch sync.
    if (this.discovery !== undefined) this.discovery.extraDirs = hostDirs;
  }

  private rescanTimer: NodeJS.Timeout | undefined;
  private rescanSoon(): void {
    if (this.rescanTimer !== undefined || this.discovery === undefined) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      this.discovery?.scan();
    }, 0);
  }

  private scanNow(): void {
    if (this.deps.once) this.discovery!.scan();
    else if (!this.discoveryStarted) {
      this.discoveryStarted = true;
      this.discovery!.start();
    } else this.discovery!.scan();
  }
  private discoveryStarted = false;

  private startOutput(o: OutputConfig): void {
    const out = new Output(o, this.deps.stats.output(o.id), {
      dataDir: this.settings.dataDir ?? DEFAULTS.dataDir,
      barrier: () => this.checkpoints!.flush(),
      deadLetter: (id) => this.outputs.get(id),
      log: this.deps.log,
      secrets: this.deps.secrets ?? noSecrets,
    });
    this.outputs.set(o.id, out);
    out.start();
  }

  private startPipeline(p: PipelineConfig): void {
    const outs = p.outputs.map((id) => {
      const o = this.outputs.get(id)!;
      const s = this.shares.get(id);
      const scaled = s !== undefined && s.granted < s.asked;
      return {
        id,
        buffer: o.buffer,
        stats: o.stats,
        ...(scaled ? { fullReason: DropReason.nodeBufferBudget } : {}),
      };
    });
    const rate = p.namespaceRecordsPerSecond;
    const pipeline = new Pipeline(
      p,
      this.deps.stats.pipeline(p.id),
      outs,
      this.tap.point(p.id),
      rate === undefined || p.namespace === undefined ? undefined : this.rateCaps.take(p.namespace, rate),
    );
    const files = pipelineInputs(pipeline, {
      metadata: this.metadata,
      nodeName: this.deps.nodeName,
      hostRoot: this.settings.hostRoot,
      self: this.deps.self ?? {},
    });
    const collector = new Collector(pipeline, {
      files,
      readBufferBytes: this.settings.readBufferBytes ?? DEFAULTS.readBufferBytes,
      rotateWaitMs: this.deps.once ? 0 : (this.settings.rotateWaitMs ?? DEFAULTS.rotateWaitMs),
      limiter: this.limiter!,
      store: this.checkpoints!,
      stats: this.deps.stats,
      log: this.deps.log,
      rescan: () => this.rescanSoon(),
    });
    this.pipelines.set(p.id, { pipeline, collector });
  }

  /** --once: resolves when everything that existed is read, delivered and checkpointed. */
  async untilDone(): Promise<void> {
    for (;;) {
      await sleep(20);
      const pipes = [...this.pipelines.values()];
      if (!pipes.every((p) => p.collector.quiet)) continue;
      for (const p of pipes) p.collector.flushMultiline(Date.now(), true);
      for (const o of this.outputs.values()) o.buffer.drain();
      if (pipes.some((p) => p.collector.inFlight > 0)) continue;
      if ([...this.outputs.values()].some((o) => o.buffer.length > 0 || o.buffer.bytes > 0)) continue;
      await this.checkpoints!.flush();
      if (pipes.every((p) => p.collector.quiet && p.collector.inFlight === 0)) return;
    }
  }

  /** Stop reading, deliver what is buffered within the deadline, persist checkpoints. */
  async shutdown(deadlineMs: number): Promise<boolean> {
    this.stopped = true;
    this.tap.close();
    this.discovery?.stop();
    this.stopKube?.();
    if (this.mlTimer !== undefined) clearInterval(this.mlTimer);
    if (this.rescanTimer !== undefined) clearTimeout(this.rescanTimer);
    for (const p of this.pipelines.values()) p.collector.stop();
    const all = Promise.all([...this.outputs.values()].map((o) => o.stop()));
    const ok = await withDeadline(all, deadlineMs);
    await withDeadline(this.checkpoints?.flush() ?? Promise.resolve(), 2000);
    return ok;
  }

  status(): object {
    const s = this.deps.stats;
    return {
      configHash: this.hash,
      ready: this.ready,
      lastReload: this.lastReload,
      reloads: s.reloads,
      reloadFailures: s.reloadFailures,
      pipelines: [...this.pipelines.values()].map(({ pipeline: p, collector: c }) => ({
        id: p.id,
        kind: p.config.kind,
        name: p.config.name,
        namespace: p.config.namespace,
        files: c.openTailers,
        excludedFiles: c.excludedFiles,
        recordsIn: p.stats.recordsIn,
        recordsOut: p.stats.recordsOut,
        dropped: Object.fromEntries(p.stats.drops),
      })),
      outputs: [...this.outputs.values()].map((o) => ({
        id: o.id,
        type: o.config.type,
        delivered: o.stats.recordsOut,
        bufferedBytes: o.buffer.bytes,
        ...bufferShareStatus(this.shares.get(o.id)),
        corruptedBytes: o.stats.corruptedBytes || undefined,
        retrying: o.driver.retrying,
        dropped: Object.fromEntries(o.stats.drops),
        lastError: o.stats.lastError || undefined,
        lastErrorAt: o.stats.lastErrorAt > 0 ? new Date(o.stats.lastErrorAt).toISOString() : undefined,
      })),
    };
  }

  private writeStatusFile(): void {
    const f = this.settings.statusFile;
    if (f === undefined) return;
    try {
      writeFileSync(
        f,
        `${JSON.stringify({ configHash: this.hash, lastReload: this.lastReload, pid: process.pid })}\n`,
      );
    } catch (e) {
      this.deps.log('warn', 'cannot write status file', { file: f, err: (e as Error).message });
    }
  }
}

const fixed = (s: AgentSettings | undefined) => ({
  podLogsDir: s?.podLogsDir,
  dataDir: s?.dataDir,
  httpPort: s?.httpPort,
  httpHost: s?.httpHost,
  httpAuth: s?.httpAuth,
  tapPort: s?.tapPort,
  enrichment: s?.enrichment,
});

/** An output's buffer size in /status, and what it asked for when the node budget scaled it down. */
function bufferShareStatus(s: BufferShare | undefined): object {
  if (s === undefined) return {};
  return s.granted < s.asked
    ? { bufferMaxBytes: s.granted, bufferAskedBytes: s.asked, bufferScaledBy: 'node_buffer_budget' }
    : { bufferMaxBytes: s.granted };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function withDeadline(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => {
      t = setTimeout(() => r(false), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
