// One pipeline's processing of records: the string path (parse → ordered filters → serialize) or,
// when its options allow (fast-path.ts), the byte path straight from the read buffer; then every
// output's buffer. Synchronous per record (no promises on the hot path). Each output gets its own
// event holding its own ack group of the chunk (checkpoint/acks.ts), so each output's progress is
// its own; a record an output acknowledged before a restart is not sent to it again. A drop
// releases no hold (the group completes without it) and counts.

import type { FilterConfig, PipelineConfig } from '../../../contract/agent-config/types.ts';
import type { OutputBuffer } from '../buffer/types.ts';
import type { AckGroup } from '../checkpoint/acks.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { DropReason } from '../ops/catalogue.ts';
import type { OutputStats, PipelineStats } from '../ops/stats.ts';
import { TapPoint } from '../ops/tap.ts';
import type { Arena } from '../record/arena.ts';
import { ArenaPool } from '../record/arena.ts';
import { type LogRecord, OutEvent, type RecordSource, releaseEvent } from '../record/record.ts';
import { EVENT_BYTES_OVERHEAD, serialize, writeEventBytes } from '../record/serialize.ts';
import { compileCondition } from '../transforms/condition.ts';
import { makeAdd, makeRemove, makeRename } from '../transforms/fields.ts';
import { makeParser, type Parser } from '../transforms/parse.ts';
import { makeRedactor } from '../transforms/redact.ts';
import { makeThrottle } from '../transforms/throttle.ts';
import { fastPath } from './fast-path.ts';

type Step = { test: (r: LogRecord) => boolean; reason: DropReason } | { map: (r: LogRecord) => void };

export function compileFilters(filters: FilterConfig[]): Step[] {
  return filters.map((f): Step => {
    if ('drop' in f) {
      const p = compileCondition(f.drop.when);
      return { test: (r) => !p(r), reason: DropReason.filtered };
    }
    if ('keep' in f) return { test: compileCondition(f.keep.when), reason: DropReason.filtered };
    if ('redact' in f) return { map: makeRedactor(f.redact) };
    if ('add' in f) return { map: makeAdd(f.add.fields) };
    if ('remove' in f) return { map: makeRemove(f.remove.fields) };
    if ('rename' in f) return { map: makeRename(f.rename.fields) };
    return {
      test: makeThrottle(f.throttle.recordsPerSecond, f.throttle.per, f.throttle.burst),
      reason: DropReason.throttled,
    };
  });
}

export interface PipelineOutput {
  id: string;
  buffer: OutputBuffer;
  stats: OutputStats;
  /** Why a record its full buffer refused is counted (default buffer_full; budget.ts). */
  fullReason?: DropReason;
}

export class Pipeline {
  readonly id: string;
  readonly config: PipelineConfig;
  readonly stats: PipelineStats;
  private readonly parser: Parser | undefined;
  private readonly steps: Step[];
  private readonly keepOriginal: boolean;
  /** Container records may go from the read buffer straight to bytes (fast-path.ts). */
  readonly fast: boolean;
  /** Longer records are cut (parse.maxRecordBytes). */
  readonly maxRecordBytes: number;
  private readonly spliceJson: boolean;
  private readonly pool = new ArenaPool();
  private current: Arena = this.pool.take(0);
  private arena: Buffer = this.current.buf;
  private pos = 0;
  outputs: PipelineOutput[];
  // The chunk being processed (beginChunk; a chunk is processed synchronously, one file at a
  // time), so the per-record call carries only the record's offset:
  /** The origin (origin.ts) of its file. */
  origin: Buffer | null = null;
  /** Its ack group per output (none: records without acknowledgement). */
  private groups: readonly (AckGroup | null)[] = [];
  /** Per output: records starting before this offset were delivered to it before a restart. */
  private skip: readonly number[] = [];
  /** `sluice tap` subscribers of this pipeline (ops/tap.ts); one length test per record when none. */
  readonly tap: TapPoint;
  /** The namespace's records-per-second cap (rate-caps.ts): false drops the record. */
  private readonly rateCap: (() => boolean) | undefined;

  constructor(
    config: PipelineConfig,
    stats: PipelineStats,
    outputs: PipelineOutput[],
    tap: TapPoint = new TapPoint(),
    rateCap?: () => boolean,
  ) {
    this.tap = tap;
    this.rateCap = rateCap;
    this.id = config.id;
    this.config = config;
    this.stats = stats;
    this.parser = makeParser(config.parse);
    this.steps = compileFilters(config.filters ?? []);
    this.keepOriginal = config.parse?.keepOriginal === true;
    this.maxRecordBytes = config.parse?.maxRecordBytes ?? DEFAULTS.maxRecordBytes;
    const format = config.parse?.format ?? 'auto';
    this.spliceJson = format === 'auto' || format === 'json';
    this.fast = fastPath(config);
    this.outputs = outputs;
  }

  private reserve(n: number): void {
    if (this.arena.length - this.pos < n) {
      const old = this.current;
      old.active = false;
      if (old.refs === 0) this.pool.recycle(old);
      this.current = this.pool.take(n);
      this.arena = this.current.buf;
      this.pos = 0;
    }
  }

  /** A reader starts a chunk of a file. */
  beginChunk(origin: Buffer | null, groups: readonly (AckGroup | null)[], skip: readonly number[]): void {
    this.origin = origin;
    this.groups = groups;
    this.skip = skip;
  }

  /**
   * The byte path: one CRI/docker entry straight into an event (record/serialize.ts). False when
   * the body needs the string path (invalid UTF-8, or a JSON object with keys that collide with
   * the event's own).
   */
  acceptBytes(
    tsBuf: Buffer,
    tsS: number,
    tsE: number,
    stream: number,
    body: Buffer,
    source: RecordSource,
    offset: number,
  ): boolean {
    const frag = source.fragmentBytes();
    const blen = body.length;
    this.reserve(EVENT_BYTES_OVERHEAD + (tsE - tsS) + frag.length + blen * 6 + 1);
    const a = this.arena;
    const start = this.pos;
    const p = writeEventBytes(a, start, tsBuf, tsS, tsE, stream, frag, body, this.spliceJson);
    if (p < 0) return false;
    const stats = this.stats;
    stats.recordsIn++;
    stats.bytesIn += blen;
    // After the string-path check, so a record is charged once; the event written is discarded.
    if (this.rateCap !== undefined && !this.rateCap()) {
      stats.drop(DropReason.namespaceRateCap);
      return true;
    }
    a[p] = 0x0a; // a newline after each event, outside it (record/arena.ts)
    this.pos = p + 1;
    stats.recordsOut++;
    this.fanOut(a, start, p - start, this.origin, offset);
    return true;
  }

  /** The string path: parse, filters, serialize. */
  accept(r: LogRecord): void {
    const stats = this.stats;
    stats.recordsIn++;
    stats.bytesIn += r.message.length;
    if (this.rateCap !== undefined && !this.rateCap()) {
      stats.drop(DropReason.namespaceRateCap);
      return;
    }
    if (this.parser !== undefined) this.parser(r);
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if ('map' in s) s.map(r);
      else if (!s.test(r)) {
        stats.drop(s.reason);
        return;
      }
    }
    const line = serialize(r, this.keepOriginal);
    this.reserve(line.length * 3 + 1);
    const start = this.pos;
    const n = this.arena.write(line, start, 'utf8');
    this.arena[start + n] = 0x0a; // a newline after each event, outside it (record/arena.ts)
    this.pos += n + 1;
    stats.recordsOut++;
    this.fanOut(this.arena, start, n, r.origin, r.offset);
  }

  /** The event at buf[off, off + len) (in the current arena) to every output that still needs it. */
  private fanOut(buf: Buffer, off: number, len: number, origin: Buffer | null, offset: number): void {
    const tap = this.tap;
    if (tap.subs.length !== 0) tap.offer(buf, off, len);
    const outs = this.outputs;
    const groups = this.groups;
    const skip = this.skip;
    const arena: Arena = this.current;
    for (let i = 0; i < outs.length; i++) {
      if (skip.length !== 0 && offset < skip[i]) continue;
      const o = outs[i];
      const g = groups.length === 0 ? null : groups[i];
      if (g !== null) g.pending++;
      arena.refs++;
      const e = new OutEvent(buf, off, len, g, arena, origin, offset);
      o.stats.recordsIn++;
      if (!o.buffer.push(e)) {
        releaseEvent(e);
        o.stats.drop(o.fullReason ?? DropReason.bufferFull);
      }
    }
  }

  /** After each chunk: let buffers hand batches to their drivers. */
  endChunk(): void {
    for (let i = 0; i < this.outputs.length; i++) this.outputs[i].buffer.flushProducer();
  }

  /**
   * Reading goes on while any output has room: a full output (whenFull: block) sits the following
   * chunks out and catches up from the file later (files/reader.ts), so it holds back only itself.
   */
  get canRead(): boolean {
    for (let i = 0; i < this.outputs.length; i++) if (!this.outputs[i].buffer.full) return true;
    return this.outputs.length === 0;
  }

  /** `cb` once any output has room again. */
  waitForSpace(cb: () => void): void {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      cb();
    };
    for (const o of this.outputs) o.buffer.onSpace(once);
  }
}
