// One pipeline's reading of one file, the part every kind of file shares (container logs, host
// files): each chunk the tailer hands over gets an ack group, sealed at the chunk's end with the
// offset a restart must read from (by default the first byte not yet part of a complete line),
// and the origin of the file's records (record positions, record/origin.ts). The kinds decide
// what a line becomes (`line`), and may hold bytes back across chunks (`safeOffset`).
import { type AckGroup, AckTracker } from '../../checkpoint/acks.ts';
import { type FileIdentity, OriginCache } from '../../record/origin.ts';
import type { RecordSource } from '../../record/record.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import type { LineSink } from './tailer.ts';

/** Appended to a record's text when `cut` bytes of it were dropped (maxRecordBytes). */
const truncationMarker = (cut: number): string => `…[truncated ${cut} bytes]`;

export abstract class FileReader implements LineSink {
  readonly tracker: AckTracker;
  protected readonly pipeline: Pipeline;
  protected readonly source: RecordSource;
  /** The ack group of the chunk being read. */
  protected group: AckGroup | null = null;
  /** The origin of the records of the current chunk (see origin.ts). */
  protected origin: Buffer | null = null;
  private readonly origins: OriginCache;

  constructor(pipeline: Pipeline, source: RecordSource, committed: number) {
    this.pipeline = pipeline;
    this.source = source;
    this.tracker = new AckTracker(committed);
    this.origins = new OriginCache(pipeline.id);
  }

  /** The file whose identity positions refer to (the tailer reading it). */
  bind(file: FileIdentity): void {
    this.origins.bind(file);
  }

  beginChunk(): void {
    this.group = this.tracker.open();
    this.origin = this.origins.current();
    this.pipeline.origin = this.origin;
  }

  /** buf[s, e) is one line without '\n'; `extra` bytes of it were skipped after e. */
  abstract line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void;

  endChunk(lineStart: number): void {
    const g = this.group!;
    this.group = null;
    this.pipeline.endChunk();
    this.tracker.seal(g, this.safeOffset(lineStart));
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
    this.tracker.reset(0);
  }

  /** Emit records held back longer than their timeout (all of them, with force). */
  flushStale(_now: number, _force: boolean): void {}
}
