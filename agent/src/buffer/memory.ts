// Bounded in-memory output buffer. Accounting is in serialized bytes; when full it either makes
// producers pause (block: the tailers stop reading, nothing is dropped) or drops the newest event
// (dropNewest, counted by the caller). Acknowledgement of a committed event releases its hold on
// the source's ack group; `barrier` then waits until the checkpoint store has persisted it, so a
// crash repeats at most the batch in flight.
import { type Event, releaseEvent } from '../record/record.ts';
import { Linger } from './linger.ts';
import type { OutputBuffer } from './types.ts';

export class MemoryBuffer implements OutputBuffer {
  private q: Event[] = [];
  private head = 0;
  private _bytes = 0;
  private readonly max: number;
  private readonly dropNewest: boolean;
  private readonly barrier: () => Promise<void>;
  private spaceWaiters: (() => void)[] = [];
  private reader:
    | { resolve: (e: Event[]) => void; maxRecords: number; maxBytes: number; maxAgeMs: number }
    | undefined;
  private readonly linger = new Linger(() => this.serveIfAny());
  private draining = false;
  private closed = false;
  readonly durable = false;

  constructor(maxBytes: number, whenFull: 'block' | 'dropNewest', barrier: () => Promise<void>) {
    this.max = maxBytes;
    this.dropNewest = whenFull === 'dropNewest';
    this.barrier = barrier;
  }

  get bytes(): number {
    return this._bytes;
  }
  get length(): number {
    return this.q.length - this.head;
  }
  get full(): boolean {
    return !this.dropNewest && this._bytes >= this.max;
  }

  push(e: Event): boolean {
    if (this.dropNewest && this._bytes + e.len > this.max) return false;
    if (this.q.length === this.head) this.linger.arrived();
    this.q.push(e);
    this._bytes += e.len;
    return true;
  }

  onSpace(cb: () => void): void {
    if (!this.full) cb();
    else this.spaceWaiters.push(cb);
  }

  flushProducer(): void {
    const r = this.reader;
    if (r === undefined) return;
    if (this.draining || this.length >= r.maxRecords || this._bytes >= r.maxBytes) this.serve();
    else if (this.length > 0) this.linger.arm(r.maxAgeMs);
  }

  read(maxRecords: number, maxBytes: number, maxAgeMs: number): Promise<Event[]> {
    return new Promise((resolve) => {
      this.reader = { resolve, maxRecords, maxBytes, maxAgeMs };
      if (this.draining || this.closed || this.length >= maxRecords || this._bytes >= maxBytes) this.serve();
      else if (this.length > 0) this.linger.arm(maxAgeMs);
      // else: the next flushProducer arms the linger
    });
  }

  private serveIfAny(): void {
    if (this.length > 0 || this.closed) this.serve();
  }

  private serve(): void {
    const r = this.reader;
    if (r === undefined) return;
    if (this.length === 0 && !this.closed) return; // draining with nothing yet: wait for data
    this.reader = undefined;
    let n = 0;
    let bytes = 0;
    const q = this.q;
    let i = this.head;
    while (i < q.length && n < r.maxRecords && (n === 0 || bytes + q[i].len <= r.maxBytes)) {
      bytes += q[i].len;
      i++;
      n++;
    }
    const out = q.slice(this.head, i);
    this.head = i;
    if (this.head > 4096 && this.head * 2 > q.length) {
      this.q = q.slice(this.head);
      this.head = 0;
    }
    this.linger.served(this.length > 0);
    r.resolve(out);
  }

  async commit(events: Event[]): Promise<void> {
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      bytes += e.len;
      releaseEvent(e);
    }
    this._bytes -= bytes;
    if (!this.full && this.spaceWaiters.length > 0) {
      const ws = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of ws) w();
    }
    await this.barrier();
  }

  drain(): void {
    this.draining = true;
    if (this.reader !== undefined && this.length > 0) this.serve();
  }

  /** Remove events matching `pred` that are not yet handed to the driver (reload cancellation). */
  discard(pred: (e: Event) => boolean): number {
    const keep: Event[] = [];
    let dropped = 0;
    for (let i = this.head; i < this.q.length; i++) {
      const e = this.q[i];
      if (pred(e)) {
        this._bytes -= e.len;
        releaseEvent(e);
        dropped++;
      } else keep.push(e);
    }
    this.q = keep;
    this.head = 0;
    if (!this.full) {
      const ws = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of ws) w();
    }
    return dropped;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.serve();
  }
}
