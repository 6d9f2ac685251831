// WAL framing: [u32 LE payload length][u32 LE CRC32 of payload][payload]. Pure functions.
import { crc32 } from 'node:zlib';
import type { Event } from '../../engine/record.ts';

export const HEADER = 8;

export function encodeFrames(events: Event[]): Buffer {
  let size = 0;
  for (const e of events) size += HEADER + e.len;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const e of events) {
    out.writeUInt32LE(e.len, o);
    e.buf.copy(out, o + HEADER, e.off, e.off + e.len);
    out.writeUInt32LE(crc32(out.subarray(o + HEADER, o + HEADER + e.len)), o + 4);
    o += HEADER + e.len;
  }
  return out;
}

export interface Decoded {
  /** [offset, length] of each payload in buf. */
  frames: number[];
  /** Bytes of buf consumed by complete, valid frames. */
  used: number;
  /** A frame failed its checksum or has an impossible length. */
  corrupt: boolean;
}

export function decodeFrames(buf: Buffer, maxRecords: number, maxLen: number): Decoded {
  const frames: number[] = [];
  let o = 0;
  while (frames.length < maxRecords * 2 && o + HEADER <= buf.length) {
    const len = buf.readUInt32LE(o);
    if (len > maxLen) return { frames, used: o, corrupt: true };
    if (o + HEADER + len > buf.length) break;
    const body = buf.subarray(o + HEADER, o + HEADER + len);
    if (crc32(body) !== buf.readUInt32LE(o + 4)) return { frames, used: o, corrupt: true };
    frames.push(o + HEADER, len);
    o += HEADER + len;
  }
  return { frames, used: o, corrupt: false };
}
