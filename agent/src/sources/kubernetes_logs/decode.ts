// Container runtime log formats → log entries, with partial lines joined byte-exact.
//   CRI:    `<RFC3339Nano> <stdout|stderr> <P|F>[:tags] <content>`; P = partial, F = full (last part)
//   docker: `{"log":"<content>[\n]","stream":"stdout","time":"<RFC3339Nano>"}`; a `log` without a
//           trailing newline is a 16 KiB split to be joined with the next one of the same stream.
// The format is detected per file from the first line. Partials are tracked per stream (stdout
// and stderr parts interleave). Records past maxRecordBytes keep their head (cut at a UTF-8
// boundary) and report how many bytes were cut; they never stop the file.

/** Stream numbers: indexes of the record's stream names (STREAM_NAMES, record/record.ts). */
export const STDOUT = 0;
export const STDERR = 1;

export interface EntrySink {
  /**
   * One complete entry; its timestamp is tsBuf[tsS, tsE). `body` and `tsBuf` may alias the read
   * buffer: consume or copy them before returning.
   */
  entry(
    tsBuf: Buffer,
    tsS: number,
    tsE: number,
    stream: number,
    body: Buffer,
    truncatedBytes: number,
    startOffset: number,
  ): void;
  /** A line that is not in the file's format; kept as a raw stdout record. */
  malformed(): void;
}

const FORMAT_UNKNOWN = 0;
const FORMAT_CRI = 1;
const FORMAT_DOCKER = 2;
const SPACE = 0x20;
const CR = 0x0d;

/** Largest index <= max that does not split a UTF-8 sequence in buf. */
export function utf8Boundary(buf: Buffer, max: number): number {
  if (max >= buf.length) return buf.length;
  let i = max;
  // Step back over continuation bytes (10xxxxxx) to the lead byte, then exclude it.
  let back = 0;
  while (i > 0 && back < 4 && (buf[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  return back === 0 ? max : i;
}

/** RFC 3339 characters only (the timestamp is copied into JSON unescaped). */
function validTimestamp(buf: Buffer, s: number, e: number): boolean {
  if (e - s < 10 || e - s > 40) return false;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    // 0-9 : - + . T Z
    if (!((c >= 0x30 && c <= 0x3a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x54 || c === 0x5a))
      return false;
  }
  return true;
}

const TS_OK = /^[0-9T:.+\-Z]{10,40}$/;

/** A record being assembled from partial lines, in a buffer reused from record to record. */
class Partial {
  buf: Buffer = Buffer.allocUnsafeSlow(0);
  length = 0;
  cut = 0;
  start = -1;
  append(b: Buffer, s: number, e: number): void {
    const need = this.length + (e - s);
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2, 4096));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    this.length += b.copy(this.buf, this.length, s, e);
  }
  clear(): void {
    this.length = 0;
    this.cut = 0;
    this.start = -1;
    if (this.buf.length > 256 * 1024) this.buf = Buffer.allocUnsafeSlow(0);
  }
}

export class LogDecoder {
  private format = FORMAT_UNKNOWN;
  private readonly partials = [new Partial(), new Partial()];
  private readonly max: number;
  private readonly sink: EntrySink;

  constructor(maxRecordBytes: number, sink: EntrySink) {
    this.max = maxRecordBytes;
    this.sink = sink;
  }

  /** Lowest file offset still needed by a pending partial record (Infinity if none). */
  pendingStart(): number {
    const a = this.partials[0].start;
    const b = this.partials[1].start;
    if (a < 0) return b < 0 ? Infinity : b;
    return b < 0 ? a : Math.min(a, b);
  }

  /** Drop pending partials (file truncated or replaced). */
  reset(): void {
    this.partials[0] = new Partial();
    this.partials[1] = new Partial();
  }

  /**
   * One physical line buf[s, e) without its '\n', starting at file offset `lineStart`.
   * `extra` > 0 when the tailer cut an over-long physical line after buf[e).
   */
  line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    if (this.format === FORMAT_UNKNOWN) {
      if (e === s) return;
      this.format = buf[s] === 0x7b ? FORMAT_DOCKER : FORMAT_CRI;
    }
    if (this.format === FORMAT_CRI) this.cri(buf, s, e, lineStart, extra);
    else this.docker(buf, s, e, lineStart, extra);
  }

  private cri(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    const sp1 = buf.indexOf(SPACE, s);
    const sp2 = sp1 + 7;
    // `stdout` and `stderr` differ in their 4th letter; then one space and the tag.
    if (sp1 < 0 || sp2 + 2 > e || buf[sp2] !== SPACE || buf[sp1 + 1] !== 0x73) {
      this.raw(buf, s, e, lineStart, extra);
      return;
    }
    const c = buf[sp1 + 4];
    const stream = c === 0x6f ? STDOUT : c === 0x65 ? STDERR : -1;
    let sp3 = buf.indexOf(SPACE, sp2 + 1);
    if (stream < 0 || sp3 < 0 || sp3 > e) {
      // `ts stdout F` with an empty body and no trailing space is still a valid empty line.
      if (stream >= 0 && sp3 < 0 && e - sp2 === 2) sp3 = e - 1;
      else {
        this.raw(buf, s, e, lineStart, extra);
        return;
      }
    }
    if (!validTimestamp(buf, s, sp1)) {
      this.raw(buf, s, e, lineStart, extra);
      return;
    }
    const partial = buf[sp2 + 1] === 0x50; // 'P'
    this.piece(buf, s, sp1, stream, buf.subarray(Math.min(sp3 + 1, e), e), partial, lineStart, extra);
  }

  private docker(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    let obj: { log?: unknown; stream?: unknown; time?: unknown };
    try {
      if (extra > 0) throw new Error('cut');
      obj = JSON.parse(buf.toString('utf8', s, e));
    } catch {
      this.raw(buf, s, e, lineStart, extra);
      return;
    }
    if (typeof obj.log !== 'string') {
      this.raw(buf, s, e, lineStart, extra);
      return;
    }
    const stream = obj.stream === 'stderr' ? STDERR : STDOUT;
    const ts = typeof obj.time === 'string' && TS_OK.test(obj.time) ? obj.time : new Date().toISOString();
    const log = obj.log;
    const complete = log.endsWith('\n');
    const body = Buffer.from(complete ? log.slice(0, -1) : log, 'utf8');
    const tsBuf = Buffer.from(ts, 'latin1');
    this.piece(tsBuf, 0, tsBuf.length, stream, body, !complete, lineStart, 0);
  }

  private raw(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void {
    if (e === s && extra === 0) return;
    this.sink.malformed();
    const now = Buffer.from(new Date().toISOString(), 'latin1');
    this.piece(now, 0, now.length, STDOUT, buf.subarray(s, e), false, lineStart, extra);
  }

  private piece(
    tsBuf: Buffer,
    tsS: number,
    tsE: number,
    stream: number,
    body: Buffer,
    partial: boolean,
    lineStart: number,
    extra: number,
  ): void {
    const p = this.partials[stream];
    if (partial) {
      if (p.start < 0) p.start = lineStart;
      const room = this.max - p.length;
      if (room >= body.length) p.append(body, 0, body.length);
      else {
        const keep = room > 0 ? utf8Boundary(body, room) : 0;
        if (keep > 0) p.append(body, 0, keep);
        p.cut += body.length - keep;
      }
      p.cut += extra;
      return;
    }
    let whole = body;
    let cut = extra;
    let start = lineStart;
    let assembled = false;
    if (p.start >= 0) {
      start = p.start;
      cut += p.cut;
      const room = this.max - p.length;
      let keep = body.length;
      if (room < body.length) {
        keep = room > 0 ? utf8Boundary(body, room) : 0;
        cut += body.length - keep;
      }
      p.append(body, 0, keep);
      whole = p.buf.subarray(0, p.length);
      assembled = true;
    } else if (body.length > this.max) {
      const keep = utf8Boundary(body, this.max);
      cut += body.length - keep;
      whole = body.subarray(0, keep);
    }
    if (cut === 0 && whole.length > 0 && whole[whole.length - 1] === CR)
      whole = whole.subarray(0, whole.length - 1);
    this.sink.entry(tsBuf, tsS, tsE, stream, whole, cut, start);
    if (assembled) p.clear();
  }
}
