// Output arenas: events are serialized back to back into 256 KiB buffers. An arena counts the
// holds on its events (one per event per output buffer); when the last is released and the
// writer has moved on, the arena goes back to its pool and is reused — steady state allocates
// nothing, and the memory held is what the output buffers hold, not what the GC has yet to free.
// Each event is followed by a newline byte that is not part of it (its len leaves it out):
// consecutive events of an arena are then NDJSON as they lie, and the file sink writes them from
// here without copying (destinations/file/sink/encode.ts).
export const ARENA_SIZE = 256 * 1024;

export class Arena {
  readonly buf: Buffer;
  refs = 0;
  /** Still being written (not reusable even at zero refs). */
  active = true;
  private readonly pool: ArenaPool;
  constructor(pool: ArenaPool, size: number) {
    this.pool = pool;
    this.buf = Buffer.allocUnsafeSlow(size);
  }
  release(): void {
    if (--this.refs === 0 && !this.active) this.pool.recycle(this);
  }
}

export class ArenaPool {
  private free: Arena[] = [];
  private readonly max: number;
  constructor(maxFree = 64) {
    // Enough to hold what a full output buffer pins: arenas dropped to the GC instead of reused
    // made the external memory balloon between collections (+25 MB peak RSS in the benchmark).
    this.max = maxFree;
  }
  take(size: number): Arena {
    if (size <= ARENA_SIZE) {
      const a = this.free.pop();
      if (a !== undefined) {
        a.active = true;
        return a;
      }
      return new Arena(this, ARENA_SIZE);
    }
    return new Arena(this, size);
  }
  recycle(a: Arena): void {
    if (a.buf.length === ARENA_SIZE && this.free.length < this.max) this.free.push(a);
  }
}
