// What the pipelines (producers) and the sink driver (consumer) see of an output buffer.
import type { Event } from '../record/record.ts';

export interface OutputBuffer {
  /**
   * Accept an event. False when it was dropped (whenFull: dropNewest); the caller counts it. A disk
   * buffer whose writes fail may drop it itself with whenFull: dropNewest (counted there, reason
   * buffer_write_failed) and return true.
   */
  push(e: Event): boolean;
  /** Producers pause while true (whenFull: block) and wait for `onSpace`. */
  readonly full: boolean;
  onSpace(cb: () => void): void;
  /** Make pushed events durable/visible; called once after each chunk a producer processed. */
  flushProducer(): void;
  /**
   * Next batch: resolves once maxRecords or maxBytes are reached, maxAgeMs passed since the
   * oldest waiting event, or `drain()` was called; [] once closed and empty.
   */
  read(maxRecords: number, maxBytes: number, maxAgeMs: number): Promise<Event[]>;
  /** The events of the last read are done (delivered, dead-lettered or counted as dropped). */
  commit(events: Event[]): Promise<void>;
  /** Stop waiting for more: serve whatever is there now (shutdown, --once). */
  drain(): void;
  readonly bytes: number;
  readonly length: number;
  /** Survives a restart: on shutdown the driver stops after the batch in flight. */
  readonly durable: boolean;
  close(): Promise<void>;
}
