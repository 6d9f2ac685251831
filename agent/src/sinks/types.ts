// The contract of a sink, shared by every destination: a pure encoder (events → request) and a
// service doing the I/O that answers ok | retry | fatal, optionally per event. The shared driver
// (driver.ts) owns batching, retries with capped exponential backoff, acknowledgement and
// dead-letter routing; a sink never retries by itself.
import type { Event } from '../engine/record.ts';

export type SendStatus = 'ok' | 'retry' | 'fatal';

export type SendResult =
  | { status: SendStatus; error?: string }
  /** Per event of the request, in order (OpenSearch bulk items, Kafka partitions). */
  | { status: 'partial'; results: SendStatus[]; error?: string };

export interface Encoder<Req> {
  encode(events: Event[]): Req;
}

export interface Service<Req> {
  send(request: Req): Promise<SendResult>;
  /** Release connections and files. */
  close(): Promise<void>;
}

export interface Sink<Req = unknown> {
  readonly encoder: Encoder<Req>;
  readonly service: Service<Req>;
}
