// Pure: events → NDJSON. `encodeNdjson` copies them into one body (the stdout sink);
// `ndjsonSlices` (the file sink) copies nothing: it returns the runs of bytes to write as they lie
// in their buffers.
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

const NL = Buffer.from('\n');

/**
 * The NDJSON of `events` as slices of the buffers they lie in, for one writev. An event followed
 * by a newline byte in its buffer (the pipeline writes one after each event in its arenas,
 * record/arena.ts) takes it along, and runs of such events back to back in one buffer are one
 * slice: a batch from the memory buffer is a few slices per arena. Others get a shared "\n".
 * The slices are valid while the events are (until the batch is committed).
 */
export function ndjsonSlices(events: Event[]): Buffer[] {
  const out: Buffer[] = [];
  let buf: Buffer | undefined;
  let start = 0;
  let end = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const b = e.buf;
    const stop = e.off + e.len;
    const nl = stop < b.length && b[stop] === 0x0a;
    if (b === buf && e.off === end) end = nl ? stop + 1 : stop;
    else {
      if (buf !== undefined) out.push(buf.subarray(start, end));
      buf = b;
      start = e.off;
      end = nl ? stop + 1 : stop;
    }
    if (!nl) {
      out.push(b.subarray(start, end), NL);
      buf = undefined;
    }
  }
  if (buf !== undefined) out.push(buf.subarray(start, end));
  return out;
}

export const ndjsonSliceEncoder: Encoder<Buffer[]> = { encode: ndjsonSlices };
