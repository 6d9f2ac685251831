// The one loop that drives every sink: read a batch from the output's buffer, encode it, send it,
// and act on the answer — ok: commit; retry: back off (capped exponential with full jitter) and
// send the same events again, forever (records wait in the buffer, producers feel backpressure);
// fatal: hand the events to the dead-letter output or count them as dropped. Partial answers are
// split per event: the ok ones are done, the retry ones are re-encoded and re-sent, the fatal ones
// dead-lettered. One batch in flight per output keeps acknowledgements in order.
import type { OutputBuffer } from '../buffer/types.ts';
import { isCancelled } from '../checkpoint/acks.ts';
import { DropReason } from '../ops/catalogue.ts';
import type { OutputStats } from '../ops/stats.ts';
import type { Event } from '../record/record.ts';
import type { SendResult, SendStatus, Sink } from './types.ts';

export interface DriverOptions {
  maxRecords: number;
  maxBytes: number;
  maxAgeMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Receives unrecoverable events with the error of each; returns false when it cannot take them
   * (then they are dropped).
   */
  deadLetter?: (events: Event[], errors: string[]) => boolean;
  onError?: (message: string, code: string | undefined) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function backoff(attempt: number, initial: number, max: number, random: () => number): number {
  const cap = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.floor(cap / 2 + (random() * cap) / 2));
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class SinkDriver {
  private running = true;
  private done: Promise<void> | undefined;
  private readonly buffer: OutputBuffer;
  private readonly sink: Sink;
  private readonly opts: DriverOptions;
  private readonly stats: OutputStats;
  /** Set while waiting in a retry backoff (for /status). */
  retrying = false;
  private wakeUp: (() => void) | undefined;

  constructor(buffer: OutputBuffer, sink: Sink, opts: DriverOptions, stats: OutputStats) {
    this.buffer = buffer;
    this.sink = sink;
    this.opts = opts;
    this.stats = stats;
    sink.service.onRecover?.(() => this.wakeUp?.());
  }

  start(): void {
    this.done ??= this.loop();
  }

  /**
   * Stop reading new batches: a memory buffer is delivered to its end first, a durable one
   * stops after the batch in flight. The caller closes the buffer to end the last wait.
   */
  stop(): Promise<void> {
    this.running = false;
    this.buffer.drain();
    return this.done ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    const { maxRecords, maxBytes, maxAgeMs } = this.opts;
    while (this.running || (this.buffer.length > 0 && !this.buffer.durable)) {
      const batch = await this.buffer.read(maxRecords, maxBytes, maxAgeMs);
      if (batch.length === 0) {
        if (!this.running) break;
        continue;
      }
      const live = batch.filter(isLive);
      if (live.length > 0) await this.deliver(live);
      await this.buffer.commit(batch);
    }
  }

  /** Resolves once every event is delivered, dead-lettered or dropped. */
  private async deliver(events: Event[]): Promise<void> {
    let pending = events;
    let attempt = 0;
    const random = this.opts.random ?? Math.random;
    const sleep = this.opts.sleep ?? defaultSleep;
    while (pending.length > 0) {
      let result: SendResult;
      try {
        result = await this.sink.service.send(this.sink.encoder.encode(pending));
      } catch (e) {
        result = { status: 'retry', error: (e as Error).message };
      }
      const statuses: SendStatus[] | undefined = result.status === 'partial' ? result.results : undefined;
      const errors = result.status === 'partial' ? result.errors : undefined;
      const retry: Event[] = [];
      const fatal: Event[] = [];
      const fatalErrors: string[] = [];
      let ok = 0;
      let okBytes = 0;
      for (let i = 0; i < pending.length; i++) {
        const s = statuses === undefined ? result.status : (statuses[i] ?? 'retry');
        if (s === 'ok') {
          ok++;
          okBytes += pending[i].len + 1;
        } else if (s === 'retry') retry.push(pending[i]);
        else {
          fatal.push(pending[i]);
          fatalErrors.push(errors?.[i] ?? result.error ?? 'rejected by the destination');
        }
      }
      this.stats.recordsOut += ok;
      this.stats.bytesOut += okBytes;
      if (result.error !== undefined) {
        this.stats.lastError = result.error;
        this.stats.lastErrorAt = Date.now();
        if (result.code !== undefined) this.stats.error(result.code);
        this.opts.onError?.(result.error, result.code);
      }
      if (fatal.length > 0) {
        if (this.opts.deadLetter?.(fatal, fatalErrors)) this.stats.deadLettered += fatal.length;
        else this.stats.drop(DropReason.rejected, fatal.length);
      }
      pending = retry;
      if (pending.length > 0) {
        this.stats.retries++;
        this.retrying = true;
        const delay = backoff(attempt++, this.opts.initialBackoffMs, this.opts.maxBackoffMs, random);
        await Promise.race([
          sleep(delay),
          new Promise<void>((r) => {
            this.wakeUp = r;
          }),
        ]);
        this.wakeUp = undefined;
        this.retrying = false;
      }
    }
  }
}

/** Events of a pipeline cancelled by a reload are skipped (they are re-read from the checkpoint). */
function isLive(e: Event): boolean {
  return e.group === null || !isCancelled(e.group);
}
