// The contract of a sink, shared by every destination: a pure encoder (events → request) and a
// service doing the I/O that answers ok | retry | fatal, optionally per event. The shared driver
// (driver.ts) owns batching, retries with capped exponential backoff, acknowledgement and
// dead-letter routing; a sink never retries by itself.
import type { DestinationOptions } from '../../../contract/agent-config/types.ts';
import type { DestinationType } from '../../../destinations/index.ts';
import type { Event } from '../record/record.ts';
import type { SecretStore } from '../secrets/types.ts';

export type SendStatus = 'ok' | 'retry' | 'fatal';

export type SendResult =
  | { status: SendStatus; error?: string; code?: string }
  /** Per event of the request, in order (OpenSearch bulk items, Kafka partitions). */
  | {
      status: 'partial';
      results: SendStatus[];
      /** Per event: why it failed (attached to dead-lettered records). */
      errors?: (string | undefined)[];
      error?: string;
      code?: string;
    };

export interface Encoder<Req> {
  encode(events: Event[]): Req;
}

export interface Service<Req> {
  send(request: Req): Promise<SendResult>;
  /** Release connections and files. */
  close(): Promise<void>;
  /**
   * Optional: the service calls `wake` when a retry may now succeed before the backoff ends
   * (a rotated credential), so the driver retries at once.
   */
  onRecover?(wake: () => void): void;
}

export interface Sink<Req = unknown> {
  readonly encoder: Encoder<Req>;
  readonly service: Service<Req>;
  /** Batch limits of this sink when the output sets none (S3 objects are larger and older). */
  readonly batch?: { maxRecords?: number; maxBytes?: number; maxAgeMs?: number };
}

/** Why a sink tore down a live connection to build a new one. */
export type ReconnectReason = 'secret' | 'error';

/** What a sink factory gets besides its options: the secret store and the agent log. */
export interface SinkContext {
  secrets: SecretStore;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /**
   * Called when the sink drops a live connection to rebuild it: `secret` — a Secret its options
   * reference changed (the new connection re-reads it); `error` — the connection failed.
   */
  reconnected?: (reason: ReconnectReason) => void;
}

/** Builds the sink of one destination type from its options (destinations/<type>/sink/index.ts). */
export type SinkFactory<K extends DestinationType> = (
  options: DestinationOptions[K],
  ctx: SinkContext,
) => Sink;
