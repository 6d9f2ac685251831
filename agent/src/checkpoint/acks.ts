// Acknowledgement tracking for one (pipeline, file). Records are emitted in groups (one group per
// chunk the tailer processed); a group knows the offset from which the file can safely be re-read
// once all of its records — and those of every earlier group — are acknowledged by every output
// of the pipeline (or dropped on purpose). The committed offset is the safe offset of the last
// group of the longest fully-acknowledged prefix: the highest contiguous acknowledged offset.
// Acks may arrive in any order (retries, concurrent requests); nothing here allocates per record.

/** A group whose records no longer count (see isCancelled). */
export const CANCELLED = -1e9;
export const isCancelled = (g: AckGroup): boolean => g.pending < CANCELLED / 2;

export class AckGroup {
  pending = 0;
  /** Offset to resume from once this group and all earlier ones are done. */
  offset = 0;
  readonly tracker: AckTracker;
  constructor(tracker: AckTracker) {
    this.tracker = tracker;
  }
  /** One hold (one record × one output) is resolved. */
  release(): void {
    if (--this.pending === 0) this.tracker.advance();
  }
}

export class AckTracker {
  private queue: AckGroup[] = [];
  private head = 0;
  committed: number;
  /** Called when `committed` moved forward. */
  onCommit: ((t: AckTracker) => void) | undefined;

  constructor(committed: number) {
    this.committed = committed;
  }

  /** A new open group; `seal(offset)` it once the chunk is processed. */
  open(): AckGroup {
    const g = new AckGroup(this);
    g.pending = 1; // the seal hold
    this.queue.push(g);
    return g;
  }

  seal(g: AckGroup, offset: number): void {
    g.offset = offset;
    g.release();
  }

  /** Records emitted but not acknowledged (groups still open). */
  get inFlight(): number {
    return this.queue.length - this.head;
  }

  advance(): void {
    const q = this.queue;
    let h = this.head;
    let moved = false;
    while (h < q.length && q[h].pending === 0) {
      this.committed = q[h].offset;
      h++;
      moved = true;
    }
    if (h > 1024 && h * 2 > q.length) {
      this.queue = q.slice(h);
      h = 0;
    }
    this.head = h;
    if (moved && this.onCommit !== undefined) this.onCommit(this);
  }

  /** Give up on everything in flight (pipeline stopped by a reload): drivers skip those records. */
  cancel(): void {
    this.onCommit = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].pending = CANCELLED;
    this.queue = [];
    this.head = 0;
  }

  /** Forget everything in flight and restart at `offset` (file truncated). */
  reset(offset: number): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].pending = CANCELLED; // never completes
    this.queue = [];
    this.head = 0;
    this.committed = offset;
    if (this.onCommit !== undefined) this.onCommit(this);
  }
}
