// One pipeline's reading of one container log file: bytes → lines (tailer) → entries (decoder,
// partials joined) → logical records (multiline) → the pipeline, straight from the read buffer
// to bytes (the pipeline's byte path) when nothing needs the text. A chunk's safe offset is the
// earliest byte still needed: the unfinished line, a pending partial, or an open multiline group
// — so a restart from the committed offset never loses part of a record.

import type { MultilineConfig } from '../../../../contract/agent-config/types.ts';
import { LogRecord, type RecordSource, STREAM_NAMES } from '../../record/record.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import { MlGroup, type MultilineRule, multilineRule } from '../../transforms/multiline.ts';
import { FileReader } from '../files/reader.ts';
import { type EntrySink, LogDecoder } from './decode.ts';

export class ContainerReader extends FileReader implements EntrySink {
  readonly decoder: LogDecoder;
  private readonly streams: number;
  private readonly rule: MultilineRule | undefined;
  private readonly mlFlushMs: number;
  private readonly maxBytes: number;
  private readonly ml: (MlGroup | null)[] = [null, null];
  private lastLineStart = 0;
  private readonly fast: boolean;

  constructor(
    pipeline: Pipeline,
    source: RecordSource,
    committed: number,
    opts: { maxRecordBytes: number; multiline?: MultilineConfig; streams: number; mlFlushMs: number },
  ) {
    super(pipeline, source, committed);
    this.lastLineStart = committed;
    this.decoder = new LogDecoder(opts.maxRecordBytes, this);
    this.streams = opts.streams;
    this.maxBytes = opts.maxRecordBytes;
    this.rule = opts.multiline === undefined ? undefined : multilineRule(opts.multiline);
    this.mlFlushMs = opts.mlFlushMs;
    this.fast = pipeline.fast;
  }

  line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    this.decoder.line(buf, s, e, lineStart, extra);
  }

  override endChunk(lineStart: number): void {
    this.lastLineStart = lineStart;
    super.endChunk(lineStart);
  }

  protected override safeOffset(): number {
    let safe = Math.min(this.lastLineStart, this.decoder.pendingStart());
    for (const m of this.ml) if (m !== null && m.start < safe) safe = m.start;
    return safe;
  }

  malformed(): void {
    this.pipeline.stats.malformed++;
  }

  entry(
    tsBuf: Buffer,
    tsS: number,
    tsE: number,
    stream: number,
    body: Buffer,
    cut: number,
    start: number,
  ): void {
    if ((this.streams & (1 << stream)) === 0) return;
    if (
      this.fast &&
      cut === 0 &&
      this.pipeline.acceptBytes(tsBuf, tsS, tsE, stream, body, this.source, start)
    )
      return;
    const ts = tsBuf.toString('latin1', tsS, tsE);
    let message = body.toString('utf8');
    if (cut > 0) message = this.truncated(message, cut);
    if (this.rule === undefined) {
      this.emit(ts, stream, message, cut, start);
      return;
    }
    let g = this.ml[stream];
    const cont = this.rule.continues(message, (g ?? this.mlState(stream)).state);
    if (g !== null && cont && g.lines.length > 0) {
      if (g.bytes + message.length + 1 <= this.maxBytes) {
        g.lines.push(message);
        g.bytes += message.length + 1;
      } else g.cut += message.length + 1;
      g.touched = Date.now();
      return;
    }
    if (g !== null && g.lines.length > 0) this.emitGroup(stream, g);
    g = this.ml[stream] ?? this.mlState(stream);
    g.ts = ts;
    g.lines = [message];
    g.bytes = message.length;
    g.cut = cut;
    g.start = start;
    g.touched = Date.now();
  }

  private mlState(stream: number): MlGroup {
    const g = new MlGroup();
    this.ml[stream] = g;
    return g;
  }

  private emitGroup(stream: number, g: MlGroup): void {
    let msg = g.lines.length === 1 ? g.lines[0] : g.lines.join('\n');
    if (g.cut > 0 && g.lines.length > 1) msg = this.truncated(msg, g.cut);
    const start = g.start;
    g.lines = [];
    g.start = -1;
    this.emit(g.ts, stream, msg, g.cut, start);
  }

  private emit(ts: string, stream: number, message: string, cut: number, start: number): void {
    const r = new LogRecord(
      ts,
      STREAM_NAMES[stream],
      message,
      this.source,
      start < 0 ? null : this.origin,
      start,
    );
    r.cut = cut;
    this.pipeline.accept(r);
  }

  /** Emit multiline groups idle for longer than the flush timeout (or all, with force). */
  override flushStale(now: number, force: boolean): void {
    if (this.rule === undefined) return;
    for (let s = 0; s < 2; s++) {
      const g = this.ml[s];
      if (g === null || g.lines.length === 0) continue;
      if (!force && now - g.touched < this.mlFlushMs) continue;
      this.beginChunk();
      this.emitGroup(s, g);
      this.endChunk(this.lastLineStart);
    }
  }

  /** The file was truncated in place: forget partial state and in-flight records. */
  override reset(): void {
    this.resetState(0);
    super.reset();
  }

  protected override resetState(offset: number): void {
    this.decoder.reset();
    this.ml[0] = null;
    this.ml[1] = null;
    this.lastLineStart = offset;
  }

  get hasPending(): boolean {
    return this.ml.some((g) => g !== null && g.lines.length > 0);
  }
}
