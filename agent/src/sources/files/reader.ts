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
  /** The ack groups (one per output) of the chunk being read. */
  private groups: AckGroup[] | null = null;
  /** The origin of the records of the current chunk (see origin.ts). */
  protected origin: Buffer | null = null;
  private readonly origins: OriginCache;

  constructor(pipeline: Pipeline, source: RecordSource, committed: number) {
    this.pipeline = pipeline;
    this.source = source;
    this.acks = new FileAcks(pipeline.outputs.length, committed);
    this.origins = new OriginCache(pipeline.id);
  }

  /** The file whose identity positions refer to (the tailer reading it). */
  bind(file: FileIdentity): void {
    this.origins.bind(file);
  }

  beginChunk(): void {
    this.groups = this.acks.open();
    this.origin = this.origins.current();
    this.pipeline.beginChunk(this.origin, this.groups, this.acks.skip);
  }

  /** buf[s, e) is one line without '\n'; `extra` bytes of it were skipped after e. */
  abstract line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void;

  endChunk(lineStart: number): void {
    const g = this.groups!;
    this.groups = null;
    this.pipeline.endChunk();
    this.acks.seal(g, this.safeOffset(lineStart));
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
  }

  /** Emit records held back longer than their timeout (all of them, with force). */
  flushStale(_now: number, _force: boolean): void {}
}
