// Pure: events → one NDJSON body (one write per batch), copying each event's bytes once.
import type { Event } from '../../../agent/src/record/record.ts';
import type { Encoder } from '../../../agent/src/sinks/types.ts';

export function encodeNdjson(events: Event[], scratch?: Buffer): Buffer {
  let total = 0;
  for (let i = 0; i < events.length; i++) total += events[i].len + 1;
  const out =
    scratch !== undefined && scratch.length >= total ? scratch.subarray(0, total) : Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    p += e.buf.copy(out, p, e.off, e.off + e.len);
    out[p++] = 0x0a;
  }
  return out;
}

export const ndjsonEncoder: Encoder<Buffer> = { encode: (events) => encodeNdjson(events) };

/**
 * An encoder reusing one buffer: each request is valid until the next encode, which the driver
 * (one request in flight per output) guarantees.
 */
export function reusingNdjsonEncoder(): Encoder<Buffer> {
  let scratch = Buffer.allocUnsafeSlow(0);
  return {
    encode(events) {
      let total = 0;
      for (let i = 0; i < events.length; i++) total += events[i].len + 1;
      if (scratch.length < total) scratch = Buffer.allocUnsafeSlow(Math.max(total, scratch.length * 2));
      return encodeNdjson(events, scratch);
    },
  };
}
