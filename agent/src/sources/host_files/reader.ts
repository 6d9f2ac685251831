// One pipeline's reading of one host file: plain text lines (no CRI header) become records
// stamped with the time they were read, `stream: "file"` and a `host` object instead of
// `kubernetes`. Acknowledgement works as for container files: a chunk's group commits the offset
// of the first byte not yet part of a complete line.
import { type AckGroup, AckTracker } from '../../checkpoint/acks.ts';
import { type FileIdentity, OriginCache } from '../../record/origin.ts';
import { LogRecord, type RecordSource } from '../../record/record.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import type { LineSink } from '../files/tailer.ts';

export class HostSource implements RecordSource {
  readonly namespace = '';
  readonly pod = '';
  readonly podKey: string;
  readonly pipeline: string;
  private readonly frag: string;
  private readonly fragBuf: Buffer;
  private readonly obj: Record<string, unknown>;

  constructor(path: string, nodeName: string | undefined, pipeline: string) {
    this.podKey = `host:${path}`;
    this.pipeline = pipeline;
    this.obj = nodeName === undefined ? { path } : { path, node: nodeName };
    this.frag = `"pipeline":${JSON.stringify(pipeline)},"host":${JSON.stringify(this.obj)}`;
    this.fragBuf = Buffer.from(this.frag, 'utf8');
  }
  fragment(): string {
    return this.frag;
  }
  fragmentBytes(): Buffer {
    return this.fragBuf;
  }
  labels(): undefined {
    return undefined;
  }
  kubernetes(): Record<string, unknown> {
    return {};
  }
  host(): Record<string, unknown> {
    return this.obj;
  }
}

export class HostFileReader implements LineSink {
  readonly tracker: AckTracker;
  private group: AckGroup | null = null;
  private readonly pipeline: Pipeline;
  private readonly source: HostSource;
  private readonly maxBytes: number;
  private readonly origins: OriginCache;
  private origin: Buffer | null = null;

  constructor(pipeline: Pipeline, source: HostSource, committed: number, maxRecordBytes: number) {
    this.pipeline = pipeline;
    this.source = source;
    this.tracker = new AckTracker(committed);
    this.maxBytes = maxRecordBytes;
    this.origins = new OriginCache(pipeline.id);
  }

  /** The file whose identity positions refer to (the tailer reading it). */
  bind(file: FileIdentity): void {
    this.origins.bind(file);
  }

  beginChunk(): void {
    this.group = this.tracker.open();
    this.origin = this.origins.current();
  }

  line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    let end = e > s && buf[e - 1] === 0x0d ? e - 1 : e;
    let cut = extra;
    if (end - s > this.maxBytes) {
      cut += end - s - this.maxBytes;
      end = s + this.maxBytes;
    }
    let message = buf.toString('utf8', s, end);
    if (cut > 0) {
      this.pipeline.stats.truncated++;
      message += `…[truncated ${cut} bytes]`;
    }
    const r = new LogRecord(
      new Date().toISOString(),
      'file',
      message,
      this.source,
      this.group,
      this.origin,
      lineStart,
    );
    r.cut = cut;
    this.pipeline.accept(r);
  }

  endChunk(lineStart: number): void {
    const g = this.group!;
    this.group = null;
    this.pipeline.endChunk();
    this.tracker.seal(g, lineStart);
  }

  reset(): void {
    this.tracker.reset(0);
  }

  flushStale(): void {}
}
