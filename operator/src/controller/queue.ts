// A de-duplicating work queue keyed by object: a key waiting is queued once however often it is
// added; a key being processed is never processed twice at once, and is re-queued once if it was
// added meanwhile. Failures retry with capped exponential backoff per key; `concurrency` workers.
export interface QueueOptions {
  concurrency: number;
  /**
   * Keys served before all others (e.g. the one that rolls out config). They also have a lane of
   * their own: a priority key starts at once even when `concurrency` workers are busy, so a config
   * change never waits for a slow status write to finish.
   */
  priority?: (key: string) => boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onDepth?: (depth: number) => void;
}

export type Handler = (key: string) => Promise<void>;

export class WorkQueue {
  private readonly opts: Required<Omit<QueueOptions, 'onDepth' | 'priority'>> &
    Pick<QueueOptions, 'onDepth' | 'priority'>;
  private readonly queue: string[] = [];
  /** Priority keys waiting (served first, outside the concurrency limit). */
  private readonly urgent: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private handler: Handler | undefined;
  private running = 0;
  private runningUrgent = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(opts: QueueOptions) {
    this.opts = { baseDelayMs: 200, maxDelayMs: 60_000, ...opts };
  }

  get depth(): number {
    return this.queue.length + this.urgent.length;
  }

  start(handler: Handler): void {
    this.handler = handler;
    this.pump();
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const d = this.delayed.get(key);
    if (d) {
      // an explicit add overrides a pending retry: the world changed
      clearTimeout(d.timer);
      this.delayed.delete(key);
    }
    this.queued.add(key);
    if (this.opts.priority?.(key)) this.urgent.push(key);
    else this.queue.push(key);
    this.opts.onDepth?.(this.depth);
    this.pump();
  }

  /** Add after a delay (e.g. a time-based condition such as a stale agent report); the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    const d = this.delayed.get(key);
    if (d) {
      if (d.at <= at) return;
      clearTimeout(d.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { timer, at });
  }

  private retry(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, retryDelay(n, this.opts.baseDelayMs, this.opts.maxDelayMs));
  }

  private pump(): void {
    if (!this.handler || this.stopped) return;
    while (this.urgent.length > 0) this.run(this.urgent.shift()!, true);
    while (this.running < this.opts.concurrency && this.queue.length > 0)
      this.run(this.queue.shift()!, false);
    if (this.running + this.runningUrgent === 0 && this.depth === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }

  private run(key: string, urgent: boolean): void {
    this.queued.delete(key);
    this.active.add(key);
    if (urgent) this.runningUrgent++;
    else this.running++;
    this.opts.onDepth?.(this.depth);
    void this.handler!(key).then(
      () => this.done(key, true, urgent),
      () => this.done(key, false, urgent),
    );
  }

  private done(key: string, ok: boolean, urgent: boolean): void {
    this.active.delete(key);
    if (urgent) this.runningUrgent--;
    else this.running--;
    if (ok) this.failures.delete(key);
    if (this.dirty.delete(key)) this.add(key);
    else if (!ok) this.retry(key);
    this.pump();
  }

  /** Resolves when nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.running + this.runningUrgent === 0 && this.depth === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
  }

  /** Wait for the running handlers to finish (graceful shutdown). */
  async drain(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.running + this.runningUrgent > 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
  }
}

/** The delay before retry number `failures` (1-based): doubling from `baseMs`, capped at `maxMs`. */
export function retryDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** (failures - 1), maxMs);
}
