// One pipeline's reading of one host file: plain text lines (no CRI header) become records
// stamped with the time they were read, `stream: "file"` and the file's `host` object (source.ts)
// instead of `kubernetes`. Chunks, acknowledgements and positions work as for container files
// (files/reader.ts): a chunk's group commits the offset of the first byte not yet part of a
// complete line.
import { HOST_STREAM, LogRecord } from '../../record/record.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import { FileReader } from '../files/reader.ts';
import type { HostSource } from './source.ts';

export class HostFileReader extends FileReader {
  private readonly maxBytes: number;

  constructor(pipeline: Pipeline, source: HostSource, committed: number, maxRecordBytes: number) {
    super(pipeline, source, committed);
    this.maxBytes = maxRecordBytes;
  }

  line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    let end = e > s && buf[e - 1] === 0x0d ? e - 1 : e;
    let cut = extra;
    if (end - s > this.maxBytes) {
      cut += end - s - this.maxBytes;
      end = s + this.maxBytes;
    }
    let message = buf.toString('utf8', s, end);
    if (cut > 0) message = this.truncated(message, cut);
    const r = new LogRecord(
      new Date().toISOString(),
      HOST_STREAM,
      message,
      this.source,
      this.origin,
      lineStart,
    );
    r.cut = cut;
    this.pipeline.accept(r);
  }
}
