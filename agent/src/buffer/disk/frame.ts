// WAL framing: [u32 LE payload length][u32 LE CRC32 of payload][payload]. Pure functions.
//
// Two payload kinds, told apart by the top bit of the length (lengths stay below 2^31):
// - plain (bit clear, the format before record positions existed): the event's NDJSON bytes;
// - positioned (bit set): [u8 kind = 1][origin, ORIGIN_LEN bytes][u48 LE offset][NDJSON bytes],
//   the record's source position (record/origin.ts) so sinks derive the same ids after a restart.
// The CRC covers the whole payload. Segments written before positions existed read as plain
// frames (events without a position), so an upgrade needs no migration; an older agent reading
// positioned frames would see impossible lengths and cut them as corrupted (downgrade: drain the
// buffer first).
import { crc32 } from 'node:zlib';
import { ORIGIN_LEN } from '../../record/origin.ts';
import type { Event } from '../../record/record.ts';

export const HEADER = 8;
/** Bytes of a positioned frame's prefix before the event. */
export const POSITION = 1 + ORIGIN_LEN + 6;
export const POSITIONED = 0x80000000;
const KIND_FILE = 1;

/** Bytes the event takes in the WAL. */
export const frameSize = (e: Event): number => HEADER + e.len + (e.origin === null ? 0 : POSITION);

export function encodeFrames(events: Event[]): Buffer {
  let size = 0;
  for (const e of events) size += frameSize(e);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const e of events) {
    let p = o + HEADER;
    let len = e.len;
    if (e.origin !== null) {
      out[p] = KIND_FILE;
      e.origin.copy(out, p + 1, 0, ORIGIN_LEN);
      out.writeUIntLE(e.offset, p + 1 + ORIGIN_LEN, 6);
      p += POSITION;
      len += POSITION;
    }
    e.buf.copy(out, p, e.off, e.off + e.len);
    out.writeUInt32LE(e.origin === null ? len : (len | POSITIONED) >>> 0, o);
    out.writeUInt32LE(crc32(out.subarray(o + HEADER, o + HEADER + len)), o + 4);
    o += HEADER + len;
  }
  return out;
}

/** Payload length and kind of the frame header at buf[o]. */
export function frameLength(buf: Buffer, o: number): { len: number; positioned: boolean } {
  const raw = buf.readUInt32LE(o);
  return { len: raw & 0x7fffffff, positioned: raw >= POSITIONED };
}

export interface Decoded {
  /**
   * Per frame three numbers: offset and length of the event's bytes in buf, and the offset of
   * its position (kind byte) or -1 for a plain frame.
   */
  frames: number[];
  /** Bytes of buf consumed by complete, valid frames. */
  used: number;
  /** A frame failed its checksum or has an impossible length. */
  corrupt: boolean;
}

export function decodeFrames(buf: Buffer, maxRecords: number, maxLen: number): Decoded {
  const frames: number[] = [];
  let o = 0;
  while (frames.length < maxRecords * 3 && o + HEADER <= buf.length) {
    const { len, positioned } = frameLength(buf, o);
    if (len > maxLen + (positioned ? POSITION : 0) || (positioned && len < POSITION))
      return { frames, used: o, corrupt: true };
    if (o + HEADER + len > buf.length) break;
    const body = buf.subarray(o + HEADER, o + HEADER + len);
    if (crc32(body) !== buf.readUInt32LE(o + 4)) return { frames, used: o, corrupt: true };
    if (positioned) {
      if (body[0] !== KIND_FILE) return { frames, used: o, corrupt: true };
      frames.push(o + HEADER + POSITION, len - POSITION, o + HEADER);
    } else frames.push(o + HEADER, len, -1);
    o += HEADER + len;
  }
  return { frames, used: o, corrupt: false };
}

/** The origin and offset of a positioned frame whose position starts at buf[p]. */
export function readPosition(buf: Buffer, p: number): { origin: Buffer; offset: number } {
  return {
    origin: buf.subarray(p + 1, p + 1 + ORIGIN_LEN),
    offset: buf.readUIntLE(p + 1 + ORIGIN_LEN, 6),
  };
}
