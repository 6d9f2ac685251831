// Liveness from progress, not from the process answering HTTP: the agent's work is a chain of
// asynchronous steps (a file read, a checkpoint write, a config apply), and a step that never
// completes — a read on a hung NFS or FUSE mount, a write to a wedged disk, an apply waiting on
// something that will not come — stalls a pipeline while /healthz would still say "ok". Each such
// step registers here while in flight; /healthz fails, and the kubelet restarts the agent, once
// one has been in flight longer than its limit. A restart re-reads from the last checkpoint, so
// nothing is lost. Waiting for a slow or dead output is not a stall: outputs retry on their own
// schedule and a restart would not help them, so they are not watched here.

export interface Stalled {
  what: string;
  /** How long it has been in flight. */
  ms: number;
}

export class Watchdog {
  private next = 0;
  private readonly inFlight = new Map<number, { what: string; since: number }>();

  /** How long a step may take before the agent counts as wedged. */
  readonly limitMs: number;
  private readonly now: () => number;

  constructor(limitMs = 120_000, now: () => number = Date.now) {
    this.limitMs = limitMs;
    this.now = now;
  }

  /** Runs `step`, registered as in flight until it settles. */
  track<T>(what: string, step: Promise<T>): Promise<T> {
    const id = this.next++;
    this.inFlight.set(id, { what, since: this.now() });
    const done = () => this.inFlight.delete(id);
    step.then(done, done);
    return step;
  }

  /** Steps in flight for longer than the limit, oldest first. */
  stalled(): Stalled[] {
    const now = this.now();
    const out: Stalled[] = [];
    // A Map iterates in insertion order: the oldest entries come first.
    for (const { what, since } of this.inFlight.values()) {
      if (now - since <= this.limitMs) break;
      out.push({ what, ms: now - since });
    }
    return out;
  }
}

/** The agent process's watchdog: one per process, like the event loop it watches. */
export const watchdog = new Watchdog();
