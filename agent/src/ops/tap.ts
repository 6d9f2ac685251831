// `sluice tap`, agent side: copies of one pipeline's records after its filters (so redacted values
// never leave) handed to a few subscribers without ever slowing the pipeline.
//
// - Zero cost when nobody taps: the pipeline holds its TapPoint and tests `subs.length` per record.
// - A record is copied once (the arena it lives in is recycled) and shared by the subscribers.
// - Each subscriber has a bounded queue (records and bytes); when its reader is slow the newest
//   records are dropped and counted (`sluice_tap_records_dropped_total{reason="slow_reader"}`),
//   and the reader is told how many it missed, inline and in the final line.
// - The number of subscribers per agent is capped (a tap is a debugging tool, not an output).

export const TAP_DEFAULTS = {
  /** Concurrent subscribers per agent. */
  maxSubscribers: 8,
  /** Per-subscriber queue bounds. */
  queueRecords: 1000,
  queueBytes: 1024 * 1024,
} as const;

export const TapDropReason = { slowReader: 'slow_reader' } as const;

/** Counters read by /metrics. */
export class TapStats {
  subscribers = 0;
  /** Records sent to subscribers, by pipeline. */
  readonly sent = new Map<string, number>();
  /** Records a subscriber missed, by pipeline (reason slow_reader). */
  readonly dropped = new Map<string, number>();
  /** Tap requests by outcome: ok, unauthenticated, forbidden, not_found, bad_request, busy, error. */
  readonly requests = new Map<string, number>();

  request(outcome: string): void {
    this.requests.set(outcome, (this.requests.get(outcome) ?? 0) + 1);
  }
}

export interface TapSink {
  /** Write bytes; false when the reader is behind (like stream.write). */
  write(b: Buffer): boolean;
  /** Called once the writer can take more after write returned false. */
  onDrain(cb: () => void): void;
  end(b: Buffer): void;
}

export type TapEnd = 'limit' | 'closed' | 'shutdown';

const NL = 0x0a;

export class Subscriber {
  readonly pipeline: string;
  private readonly limit: number;
  private readonly every: number;
  private readonly sink: TapSink;
  private readonly stats: TapStats;
  private readonly onEnd: (s: Subscriber) => void;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private seen = 0;
  /** Records accepted into the queue (counted against the limit). */
  accepted = 0;
  sent = 0;
  missed = 0;
  private missedReported = 0;
  private scheduled = false;
  private waiting = false;
  ended = false;

  constructor(opts: {
    pipeline: string;
    /** Stop after this many records (0: until closed). */
    limit: number;
    /** Keep one record in `every` (1: all). */
    every: number;
    sink: TapSink;
    stats: TapStats;
    onEnd: (s: Subscriber) => void;
    queueRecords?: number;
    queueBytes?: number;
  }) {
    this.pipeline = opts.pipeline;
    this.limit = opts.limit;
    this.every = Math.max(1, opts.every);
    this.sink = opts.sink;
    this.stats = opts.stats;
    this.onEnd = opts.onEnd;
    this.maxRecords = opts.queueRecords ?? TAP_DEFAULTS.queueRecords;
    this.maxBytes = opts.queueBytes ?? TAP_DEFAULTS.queueBytes;
  }

  /** Would this subscriber take the next record? (Decides sampling before any copy is made.) */
  wants(): boolean {
    if (this.ended) return false;
    return this.seen++ % this.every === 0;
  }

  /** A record (already copied, newline-terminated): queue it, or drop and count it. */
  offer(line: Buffer): void {
    if (this.ended) return;
    if (this.queue.length >= this.maxRecords || this.queuedBytes + line.length > this.maxBytes) {
      this.missed++;
      const d = this.stats.dropped;
      d.set(this.pipeline, (d.get(this.pipeline) ?? 0) + 1);
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.accepted++;
    if (this.limit > 0 && this.accepted >= this.limit) this.detach();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.waiting) return;
    this.scheduled = true;
    // Off the pipeline's synchronous path: the writes happen after the current chunk.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private detached = false;
  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.onEnd(this);
  }

  private flush(): void {
    if (this.ended) return;
    while (this.queue.length > 0) {
      const parts = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      if (this.missed > this.missedReported) {
        parts.unshift(notice({ missed: this.missed - this.missedReported }));
        this.missedReported = this.missed;
      }
      const n = parts.length;
      const ok = this.sink.write(n === 1 ? parts[0] : Buffer.concat(parts));
      this.sent += n;
      const s = this.stats.sent;
      s.set(this.pipeline, (s.get(this.pipeline) ?? 0) + n);
      if (!ok) {
        this.waiting = true;
        this.sink.onDrain(() => {
          this.waiting = false;
          this.flush();
        });
        return;
      }
    }
    if (this.limit > 0 && this.accepted >= this.limit) this.finish('limit');
  }

  /** End the stream with a final line saying why and how many records were sent and missed. */
  finish(why: TapEnd): void {
    if (this.ended) return;
    this.detach();
    if (why === 'limit' && (this.queue.length > 0 || this.waiting)) return; // flush() finishes
    this.ended = true;
    const rest = this.queue;
    this.queue = [];
    this.sink.end(
      Buffer.concat([...rest, notice({ end: why, records: this.accepted, missed: this.missed })]),
    );
  }
}

/** A control line, told apart from records by its single `sluice_tap` key. */
function notice(o: object): Buffer {
  return Buffer.from(`${JSON.stringify({ sluice_tap: o })}\n`);
}

/** One per pipeline id, stable across reloads: the pipeline's view of its subscribers. */
export class TapPoint {
  subs: Subscriber[] = [];

  /** Called by the pipeline for each record it passes to its outputs, only when subs is non-empty. */
  offer(buf: Buffer, off: number, len: number): void {
    let copy: Buffer | undefined;
    const subs = this.subs;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (!s.wants()) continue;
      if (copy === undefined) {
        copy = Buffer.allocUnsafe(len + 1);
        buf.copy(copy, 0, off, off + len);
        copy[len] = NL;
      }
      s.offer(copy);
    }
  }
}

export class TapHub {
  readonly stats: TapStats;
  readonly maxSubscribers: number;
  private readonly points = new Map<string, TapPoint>();
  private readonly all = new Set<Subscriber>();

  constructor(stats: TapStats = new TapStats(), maxSubscribers: number = TAP_DEFAULTS.maxSubscribers) {
    this.stats = stats;
    this.maxSubscribers = maxSubscribers;
  }

  point(pipeline: string): TapPoint {
    let p = this.points.get(pipeline);
    if (p === undefined) {
      p = new TapPoint();
      this.points.set(pipeline, p);
    }
    return p;
  }

  get full(): boolean {
    return this.all.size >= this.maxSubscribers;
  }

  /** Undefined when the cap is reached. */
  subscribe(opts: {
    pipeline: string;
    limit: number;
    every: number;
    sink: TapSink;
    queueRecords?: number;
    queueBytes?: number;
  }): Subscriber | undefined {
    if (this.full) return undefined;
    const point = this.point(opts.pipeline);
    const sub = new Subscriber({
      ...opts,
      stats: this.stats,
      onEnd: (s) => {
        // A new array: the pipeline may be iterating the old one.
        point.subs = point.subs.filter((x) => x !== s);
        if (this.all.delete(s)) this.stats.subscribers = this.all.size;
      },
    });
    point.subs = [...point.subs, sub];
    this.all.add(sub);
    this.stats.subscribers = this.all.size;
    return sub;
  }

  /** Shutdown: end every stream with a final line. */
  close(): void {
    for (const s of [...this.all]) s.finish('shutdown');
  }
}
