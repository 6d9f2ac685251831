// Bounds the number of open log files across all tailers (agent.maxOpenFiles). A tailer that
// cannot get a slot queues; idle tailers (at the end of their file) give theirs back when somebody
// queues, and reopen and re-verify their file's identity on the next write. Rotated files are
// never parked: once renamed away or deleted they might not be found again, so they keep their
// descriptor until read to the end (their queue wait is bounded by agent.rotateWaitMs).
export interface Parkable {
  /** Close the file and give the slot back; false when it cannot (busy or rotated). */
  park(): boolean;
}

export class FdLimiter {
  private used = 0;
  private readonly max: number;
  private waiters: (() => void)[] = [];
  private idle = new Set<Parkable>();
  /** Most slots held at once. */
  peak = 0;

  constructor(max: number) {
    this.max = max;
  }
  get open(): number {
    return this.used;
  }
  get limit(): number {
    return this.max;
  }
  get waiting(): number {
    return this.waiters.length;
  }

  tryAcquire(): boolean {
    if (this.used < this.max) {
      this.take();
      return true;
    }
    return false;
  }

  private take(): void {
    this.used++;
    if (this.used > this.peak) this.peak = this.used;
  }

  /** Queue for a slot: `cb` runs holding it. An idle tailer is asked to make room. */
  wait(cb: () => void): void {
    this.waiters.push(cb);
    for (const t of this.idle) {
      this.idle.delete(t);
      if (t.park()) break;
    }
  }

  release(): void {
    this.used--;
    const w = this.waiters.shift();
    if (w !== undefined) {
      this.take();
      w();
    }
  }

  /** A tailer reached the end of its file (idle) or starts reading again. */
  setIdle(t: Parkable, idle: boolean): void {
    if (!idle) this.idle.delete(t);
    else if (this.waiters.length === 0 || !t.park()) this.idle.add(t);
  }
}
