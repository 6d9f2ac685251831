// Hot-path counters as plain numbers on plain objects (a metrics-library label lookup per record
// would cost more than the record), written out as Prometheus text at scrape time by metrics.ts.
import type { DropReason, UnreadReason } from './catalogue.ts';
import { TapStats } from './tap.ts';

export class PipelineStats {
  recordsIn = 0;
  bytesIn = 0;
  recordsOut = 0;
  truncated = 0;
  malformed = 0;
  readonly drops = new Map<DropReason, number>();
  /** Bytes of followed files never read, by reason (catalogue.ts UnreadReason). */
  readonly unreadBytes = new Map<UnreadReason, number>();
  drop(reason: DropReason, n = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
  }
  unread(reason: UnreadReason, bytes: number): void {
    if (bytes > 0) this.unreadBytes.set(reason, (this.unreadBytes.get(reason) ?? 0) + bytes);
  }
}

export class OutputStats {
  recordsIn = 0;
  recordsOut = 0;
  bytesOut = 0;
  retries = 0;
  deadLettered = 0;
  bufferBytes = 0;
  /** Bytes of acknowledged records lost to disk buffer damage. */
  corruptedBytes = 0;
  /** Failed disk-buffer writes by reason (no_space, quota, io, read_only, missing, other). */
  readonly bufferWriteErrors = new Map<string, number>();
  lastError = '';
  lastErrorAt = 0;
  readonly drops = new Map<DropReason, number>();
  /** Failed sends by error code (SLUICE_ERR_SINK_*). */
  readonly errors = new Map<string, number>();
  /** Live connections the sink rebuilt, by reason (`secret`: a referenced Secret changed; `error`). */
  readonly reconnects = new Map<string, number>();
  drop(reason: DropReason, n = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
  }
  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
  reconnect(reason: string): void {
    this.reconnects.set(reason, (this.reconnects.get(reason) ?? 0) + 1);
  }
}

export class AgentStats {
  readonly pipelines = new Map<string, PipelineStats>();
  /** `sluice tap` subscribers and what they were sent or missed. */
  readonly tap = new TapStats();
  readonly outputs = new Map<string, OutputStats>();
  rotations = 0;
  truncations = 0;
  openFiles = 0;
  /** Highest number of log files open at once. */
  openFilesPeak = 0;
  /** inotify could not be set up or broke (polling took over). */
  watchFailures = 0;
  /** inotify in use (false: polling only). */
  watching: () => boolean = () => false;
  reloads = 0;
  reloadFailures = 0;
  /** checkpoints.json could not be used at start, by reason (corrupt, unreadable). */
  readonly checkpointLoadFailures = new Map<string, number>();
  configHash = '';
  /** The hash of each config shard running (BASE_SHARD: the config file), set once applied. */
  configShards = new Map<string, string>();
  /** The node-wide buffer budget per buffer type and what the outputs asked for (contract/agent-config/budget.ts). */
  bufferBudget: {
    memory: { budget?: number; asked: number };
    disk: { budget?: number; asked: number };
  } = { memory: { asked: 0 }, disk: { asked: 0 } };
  /** Per output: buffer bytes granted under the budget (its maxSize unless scaled down). */
  bufferMax: () => { output: string; bytes: number; scaled: boolean }[] = () => [];
  /** file path → bytes between the committed offset and the file size, per pipeline. */
  lag: () => { pipeline: string; path: string; bytes: number }[] = () => [];
  enrichmentBytes: () => number = () => 0;
  /** Files skipped because their pod is annotated sluice.dev/exclude: "true" (per pipeline). */
  excludedFiles: () => { pipeline: string; files: number }[] = () => [];
  enrichmentPods: () => number = () => 0;

  pipeline(id: string): PipelineStats {
    let s = this.pipelines.get(id);
    if (s === undefined) {
      s = new PipelineStats();
      this.pipelines.set(id, s);
    }
    return s;
  }
  output(id: string): OutputStats {
    let s = this.outputs.get(id);
    if (s === undefined) {
      s = new OutputStats();
      this.outputs.set(id, s);
    }
    return s;
  }
}
