// Bounds the number of open log files across all tailers. A tailer that cannot get a slot waits;
// idle tailers give theirs back when somebody waits (they reopen and re-verify identity later).
export class FdLimiter {
  private used = 0;
  private readonly max: number;
  private waiters: (() => void)[] = [];
  private idle = new Set<{ park(): void }>();

  constructor(max: number) {
    this.max = max;
  }
  get open(): number {
    return this.used;
  }
  get waiting(): number {
    return this.waiters.length;
  }

  tryAcquire(): boolean {
    if (this.used < this.max) {
      this.used++;
      return true;
    }
    return false;
  }

  wait(cb: () => void): void {
    this.waiters.push(cb);
    const first = this.idle.values().next();
    if (!first.done) {
      this.idle.delete(first.value);
      first.value.park();
    }
  }

  release(): void {
    this.used--;
    const w = this.waiters.shift();
    if (w !== undefined) {
      this.used++;
      w();
    }
  }

  /** An idle tailer offers to close its file if somebody is waiting. */
  setIdle(t: { park(): void }, idle: boolean): void {
    if (!idle) this.idle.delete(t);
    else if (this.waiters.length > 0) t.park();
    else this.idle.add(t);
  }
}
