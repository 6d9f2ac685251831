// Acknowledgement tracking for one (pipeline, file), one tracker per output of the pipeline
// (FileAcks): each output resumes from what it acknowledged itself, whatever its siblings do.
// Records are emitted in groups (one group per output per chunk the tailer processed); a group
// knows the offset from which the file can safely be re-read once all of its records — and those
// of every earlier group — are acknowledged by its output (or dropped on purpose). The committed
// offset is the safe offset of the last group of the longest fully-acknowledged prefix: the
// highest contiguous acknowledged offset. Acks may arrive in any order (retries, concurrent
// requests); nothing here allocates per record.

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
      // Never backwards: after a restart an output that was ahead of its siblings sees groups
      // from before its own position (their records skip it) complete.
      if (q[h].offset > this.committed) this.committed = q[h].offset;
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

/**
 * The trackers of one file, one per output of its pipeline (in the pipeline's output order), and
 * where each output resumes: records starting before an output's `skip` offset were acknowledged
 * by it before a restart and are not sent to it again.
 */
export class FileAcks {
  readonly trackers: AckTracker[];
  /** Per output: records whose first byte lies before this offset skip it (-1: none). */
  readonly skip: number[];
  /** Called when any output's committed offset moved forward. */
  onCommit: ((a: FileAcks) => void) | undefined;

  constructor(outputs: number, committed: number) {
    this.trackers = [];
    this.skip = [];
    for (let i = 0; i < outputs; i++) {
      const t = new AckTracker(committed);
      t.onCommit = () => this.onCommit?.(this);
      this.trackers.push(t);
      this.skip.push(-1);
    }
  }

  /**
   * Outputs that acknowledged further than the reading position before a restart: they resume
   * there (a position ahead of `from`, where reading starts).
   */
  resume(offsets: readonly number[], from: number): void {
    for (let i = 0; i < this.trackers.length; i++) {
      const o = offsets[i];
      if (o !== undefined && o > from) {
        this.trackers[i].committed = o;
        this.skip[i] = o;
      }
    }
  }

  /**
   * One open group per output for the next chunk; none (null) for an output that sits the chunk
   * out (`paused[i] >= 0`): its committed offset stays where its own records stand.
   */
  open(paused?: readonly number[]): (AckGroup | null)[] {
    const t = this.trackers;
    const groups = new Array<AckGroup | null>(t.length);
    for (let i = 0; i < t.length; i++)
      groups[i] = paused !== undefined && paused[i] >= 0 ? null : t[i].open();
    return groups;
  }

  seal(groups: (AckGroup | null)[], offset: number): void {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (g !== null) this.trackers[i].seal(g, offset);
    }
  }

  /** Output i's committed offset. */
  committed(i: number): number {
    return this.trackers[i].committed;
  }

  /** Where reading resumes after a restart: the least committed offset over the outputs. */
  get min(): number {
    let m = Number.POSITIVE_INFINITY;
    for (const t of this.trackers) if (t.committed < m) m = t.committed;
    return m === Number.POSITIVE_INFINITY ? 0 : m;
  }

  get inFlight(): number {
    let n = 0;
    for (const t of this.trackers) n += t.inFlight;
    return n;
  }

  cancel(): void {
    this.onCommit = undefined;
    for (const t of this.trackers) t.cancel();
  }

  reset(offset: number): void {
    for (let i = 0; i < this.trackers.length; i++) {
      this.skip[i] = -1;
      this.trackers[i].reset(offset);
    }
  }
}
