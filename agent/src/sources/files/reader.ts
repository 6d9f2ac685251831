// One pipeline's reading of one file, the part every kind of file shares (container logs, host
// files): each chunk the tailer hands over gets an ack group per output, sealed at the chunk's end
// with the offset a restart must read from (by default the first byte not yet part of a complete line),
// and the origin of the file's records (record positions, record/origin.ts). The kinds decide
// what a line becomes (`line`), and may hold bytes back across chunks (`safeOffset`).
import { type AckGroup, FileAcks } from '../../checkpoint/acks.ts';
import { type FileIdentity, OriginCache } from '../../record/origin.ts';
import type { RecordSource } from '../../record/record.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import type { LineSink } from './tailer.ts';

/** Appended to a record's text when `cut` bytes of it were dropped (maxRecordBytes). */
const truncationMarker = (cut: number): string => `…[truncated ${cut} bytes]`;

export abstract class FileReader implements LineSink {
  /** Per output of the pipeline: what it acknowledged, and where it resumes (checkpoint/acks.ts). */
  readonly acks: FileAcks;
  protected readonly pipeline: Pipeline;
  protected readonly source: RecordSource;
  /** The ack groups (one per output, null for one sitting it out) of the chunk being read. */
  private groups: (AckGroup | null)[] | null = null;
  /**
   * Per output: -1 while it takes this file's records; otherwise it sat out from this offset on
   * because its buffer was full (whenFull: block), and catches up from here once it has room.
   */
  private readonly paused: number[];
  /** An onSpace callback is registered for the paused output. */
  private readonly watching: boolean[];
  private anyPaused = false;
  /** The safe offset of the last sealed chunk: where the records of the next one start. */
  private lastSafe: number;
  /** Set by the collector: read again (a paused output has room). */
  onResume: () => void = () => {};
  /** The origin of the records of the current chunk (see origin.ts). */
  protected origin: Buffer | null = null;
  private readonly origins: OriginCache;

  constructor(pipeline: Pipeline, source: RecordSource, committed: number) {
    this.pipeline = pipeline;
    this.source = source;
    this.acks = new FileAcks(pipeline.outputs.length, committed);
    this.origins = new OriginCache(pipeline.id);
    this.paused = pipeline.outputs.map(() => -1);
    this.watching = pipeline.outputs.map(() => false);
    this.lastSafe = committed;
  }

  /** The file whose identity positions refer to (the tailer reading it). */
  bind(file: FileIdentity): void {
    this.origins.bind(file);
  }

  beginChunk(): void {
    const outs = this.pipeline.outputs;
    // Pausing is for reading on for the others: with no other output taking records (one output,
    // or all full — a shared buffer filled by another file while this read was in flight), the
    // chunk goes to every output as it is, and reading stops at the next check.
    let room = 0;
    for (let i = 0; i < outs.length; i++) if (this.paused[i] < 0 && !outs[i].buffer.full) room++;
    for (let i = 0; i < outs.length && room > 0; i++) {
      if (this.paused[i] >= 0 || !outs[i].buffer.full) continue;
      // A full output sits this chunk out: it resumes from here, re-read, once it has room.
      this.paused[i] = this.lastSafe;
      this.anyPaused = true;
      this.watch(i);
    }
    this.origin = this.origins.current();
    if (this.anyPaused) {
      this.groups = this.acks.open(this.paused);
      const skip = this.acks.skip.map((k, i) => (this.paused[i] >= 0 ? Number.POSITIVE_INFINITY : k));
      this.pipeline.beginChunk(this.origin, this.groups, skip);
    } else {
      this.groups = this.acks.open();
      this.pipeline.beginChunk(this.origin, this.groups, this.acks.skip);
    }
  }

  private watch(i: number): void {
    if (this.watching[i]) return;
    this.watching[i] = true;
    this.pipeline.outputs[i].buffer.onSpace(() => {
      this.watching[i] = false;
      this.onResume();
    });
  }

  /** Some output still needs records of this file from before the reading position. */
  get behind(): boolean {
    return this.anyPaused;
  }

  /**
   * Where the tailer reads next, when not where it stands (`undefined`): back to where a paused
   * output that has room again stopped (the others skip what they already have), or forward to
   * where the outputs still reading stand when the one catching up filled again. The reader's
   * partial state is dropped: reading restarts at a safe offset, where a restart would.
   */
  seekTo(): number | undefined {
    if (!this.anyPaused) return this.forward();
    const outs = this.pipeline.outputs;
    const skip = this.acks.skip;
    let back = Number.POSITIVE_INFINITY;
    for (let i = 0; i < outs.length; i++)
      if (this.paused[i] >= 0 && !outs[i].buffer.full && this.paused[i] < back) back = this.paused[i];
    if (back === Number.POSITIVE_INFINITY) return this.forward();
    const here = this.lastSafe;
    let still = false;
    for (let i = 0; i < outs.length; i++) {
      const p = this.paused[i];
      if (p < 0) {
        if (skip[i] < here) skip[i] = here; // has every record before here
      } else if (!outs[i].buffer.full) {
        if (skip[i] < p) skip[i] = p;
        this.paused[i] = -1;
      } else still = true;
    }
    this.anyPaused = still;
    if (back >= here) return undefined;
    return this.restartAt(back);
  }

  /** Every output still reading is ahead of the reading position: go there. */
  private forward(): number | undefined {
    const skip = this.acks.skip;
    let to = Number.POSITIVE_INFINITY;
    for (let i = 0; i < skip.length; i++) if (this.paused[i] < 0 && skip[i] < to) to = skip[i];
    if (to === Number.POSITIVE_INFINITY || to <= this.lastSafe) return undefined;
    return this.restartAt(to);
  }

  private restartAt(offset: number): number {
    this.lastSafe = offset;
    this.resetState(offset);
    return offset;
  }

  /** Forget partial records: reading restarts at `offset`, a safe offset. */
  protected resetState(_offset: number): void {}

  /** buf[s, e) is one line without '\n'; `extra` bytes of it were skipped after e. */
  abstract line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void;

  endChunk(lineStart: number): void {
    const g = this.groups!;
    this.groups = null;
    this.pipeline.endChunk();
    const safe = this.safeOffset(lineStart);
    this.lastSafe = safe;
    this.acks.seal(g, safe);
  }

  /** Where a restart reads from once this chunk's records are delivered. */
  protected safeOffset(lineStart: number): number {
    return lineStart;
  }

  /** `message` with the truncation marker, counted. */
  protected truncated(message: string, cut: number): string {
    this.pipeline.stats.truncated++;
    return message + truncationMarker(cut);
  }

  /** The file was truncated in place: forget in-flight records. */
  reset(): void {
    this.acks.reset(0);
    this.lastSafe = 0;
    this.paused.fill(-1);
    this.anyPaused = false;
  }

  /** Emit records held back longer than their timeout (all of them, with force). */
  flushStale(_now: number, _force: boolean): void {}
}
