// When a partial batch is due: `maxAgeMs` after the oldest record waiting in the buffer arrived
// (Kafka's linger.ms), so no record waits longer than that for its batch to fill, whatever the
// time the previous send took. The buffer arms it when a reader waits and records are there (on
// read, and after each producer chunk); an idle buffer keeps no timer.

export class Linger {
  /** When the oldest unread record arrived; undefined while the buffer holds none. */
  private since: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private at = Number.POSITIVE_INFINITY;

  private readonly due: () => void;

  constructor(due: () => void) {
    this.due = due;
  }

  /** A record arrived in a buffer that held no unread record. */
  arrived(): void {
    this.since ??= Date.now();
  }

  /** A batch was handed out; `remaining` unread records stay (they count from now). */
  served(remaining: boolean): void {
    this.cancel();
    this.since = remaining ? Date.now() : undefined;
  }

  /** Call `due` once the oldest unread record is maxAgeMs old; an earlier armed time stands. */
  arm(maxAgeMs: number): void {
    const at = (this.since ?? Date.now()) + maxAgeMs;
    if (this.timer !== undefined && this.at <= at) return;
    this.cancel();
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Number.POSITIVE_INFINITY;
        this.due();
      },
      Math.max(0, at - Date.now()),
    );
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }
}
