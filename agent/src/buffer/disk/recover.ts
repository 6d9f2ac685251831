// Disk buffer recovery at start: validate every segment from the cursor on. A damaged frame
// (checksum or impossible length) is cut out together with everything up to the next valid frame,
// and the frames after it are kept (the segment is rewritten: temp + fsync + rename); an
// incomplete frame at the very end (a torn write, never acknowledged, so never a loss) is cut.
// Never throws on content; the caller counts what was lost.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeFrames, frameLength, HEADER, POSITION } from './frame.ts';

export interface Segment {
  id: number;
  size: number;
}

export interface Recovery {
  segments: Segment[];
  cursor: { seg: number; off: number };
  /** Bytes cut out of damaged regions (acknowledged records that are gone). */
  lostBytes: number;
  /** Damaged regions cut out; each held at least one record. */
  corruptRegions: number;
  /** Bytes of torn tails (unacknowledged writes, re-read from their source). */
  tornBytes: number;
}

export const segName = (id: number) => `${String(id).padStart(10, '0')}.wal`;

/** The next offset ≥ from where a whole valid frame (plain or positioned) starts, or -1. Events are JSON objects. */
export function resync(buf: Buffer, from: number, maxLen: number): number {
  for (let p = from; p + HEADER < buf.length; p++) {
    const { len, positioned } = frameLength(buf, p);
    const end = p + HEADER + len;
    const pre = positioned ? POSITION : 0;
    if (len <= pre || len > maxLen + pre || end > buf.length) continue;
    if (buf[p + HEADER + pre] !== 0x7b || buf[end - 1] !== 0x7d) continue;
    if (crc32(buf.subarray(p + HEADER, end)) === buf.readUInt32LE(p + 4)) return p;
  }
  return -1;
}

/** Valid byte ranges of one segment's content, and what was cut. */
export function scanSegment(
  buf: Buffer,
  maxLen: number,
): { keep: [number, number][]; lost: [number, number][]; torn: number } {
  const keep: [number, number][] = [];
  const lost: [number, number][] = [];
  let start = 0;
  let o = 0;
  for (;;) {
    const d = decodeFrames(buf.subarray(o), 65536, maxLen);
    o += d.used;
    if (d.corrupt) {
      if (o > start) keep.push([start, o]);
      const next = resync(buf, o + 1, maxLen);
      const end = next < 0 ? buf.length : next;
      lost.push([o, end]);
      o = end;
      start = end;
      if (next < 0) break;
      continue;
    }
    if (d.frames.length === 0) break;
  }
  if (o > start) keep.push([start, o]);
  return { keep, lost, torn: buf.length - o };
}

export function recoverSegments(dir: string, maxLen: number): Recovery {
  mkdirSync(dir, { recursive: true });
  const ids = readdirSync(dir)
    .filter((n) => /^\d{10}\.wal$/.test(n))
    .map((n) => Number(n.slice(0, 10)))
    .sort((a, b) => a - b);
  let cursor = { seg: ids[0] ?? 1, off: 0 };
  try {
    const c = JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as { seg: number; off: number };
    if (Number.isInteger(c.seg) && Number.isInteger(c.off)) cursor = c;
  } catch {
    // no cursor yet (or unreadable: start at the oldest segment; duplicates beat loss)
  }
  const r: Recovery = { segments: [], cursor, lostBytes: 0, corruptRegions: 0, tornBytes: 0 };
  for (const id of ids) {
    const path = join(dir, segName(id));
    if (id < cursor.seg) {
      rmSync(path, { force: true });
      continue;
    }
    const buf = readFileSync(path);
    const s = scanSegment(buf, maxLen);
    r.tornBytes += s.torn;
    for (const [a, b] of s.lost) r.lostBytes += b - a;
    r.corruptRegions += s.lost.length;
    let size = buf.length;
    if (s.lost.length > 0 || s.torn > 0) {
      size = rewrite(path, buf, s.keep);
      if (id === cursor.seg) cursor = { seg: id, off: mapOffset(cursor.off, s.keep) };
    }
    r.segments.push({ id, size });
  }
  if (r.segments.length === 0 || r.segments[0].id > cursor.seg)
    cursor = { seg: r.segments[0]?.id ?? cursor.seg, off: 0 };
  const first = r.segments.find((s) => s.id === cursor.seg);
  if (first !== undefined && cursor.off > first.size) cursor.off = first.size;
  r.cursor = cursor;
  return r;
}

/** Where an old offset lands once only `keep` ranges remain (inside a cut range: its start). */
function mapOffset(off: number, keep: [number, number][]): number {
  let n = 0;
  for (const [a, b] of keep) {
    if (off <= a) return n;
    if (off <= b) return n + (off - a);
    n += b - a;
  }
  return n;
}

function rewrite(path: string, buf: Buffer, keep: [number, number][]): number {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let size = 0;
  try {
    for (const [a, b] of keep) {
      let o = a;
      while (o < b) o += writeSync(fd, buf, o, b - o);
      size += b - a;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return size;
}
