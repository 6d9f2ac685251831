// Disk buffer: a segmented write-ahead log per output. Producers' events are framed (length +
// CRC32) and appended in one write per chunk; after the fsync policy is met their ack holds are
// released — the record is durable here, the source may commit past it. The driver reads frames
// from a cursor that is persisted (temp + fsync + rename) after each delivered batch, so a crash
// repeats at most that batch. Recovery truncates a torn or corrupted tail, counts what was lost,
// and never refuses to start.
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { type FileHandle, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DropReason, ErrorCode } from '../../ops/catalogue.ts';
import type { OutputStats } from '../../ops/stats.ts';
import { type Event, OutEvent, releaseEvent } from '../../record/record.ts';
import { Linger } from '../linger.ts';
import type { OutputBuffer } from '../types.ts';
import {
  decodeFrames,
  encodeFrames,
  frameLength,
  frameSize,
  HEADER,
  POSITION,
  readPosition,
} from './frame.ts';
import { type Recovery, recoverSegments, type Segment, segName } from './recover.ts';

export { recoverSegments };

export interface DiskBufferOptions {
  dir: string;
  maxBytes: number;
  whenFull: 'block' | 'dropNewest';
  fsync: 'always' | 'interval';
  fsyncIntervalMs: number;
  segmentBytes?: number;
  maxRecordBytes?: number;
  stats: OutputStats;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /**
   * A failed write (ENOSPC, EIO…) is retried after minMs, doubling up to maxMs, for as long as it
   * fails. whenFull block: reading pauses meanwhile. whenFull dropNewest: the records waiting are
   * dropped (counted, reason buffer_write_failed) after `attempts` failed attempts in a row.
   */
  writeRetry?: { minMs?: number; maxMs?: number; attempts?: number };
}

/** The `reason` label of sluice_buffer_write_errors_total. */
export function writeErrorReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOSPC':
      return 'no_space';
    case 'EDQUOT':
      return 'quota';
    case 'EIO':
      return 'io';
    case 'EROFS':
      return 'read_only';
    case 'ENOENT':
      return 'missing';
    default:
      return 'other';
  }
}

export class DiskBuffer implements OutputBuffer {
  private readonly o: DiskBufferOptions;
  private readonly segBytes: number;
  private readonly maxLen: number;
  private segments: Segment[];
  private cursor: { seg: number; off: number };
  /** Read position of the batch handed out (committed on commit()). */
  private readPos: { seg: number; off: number };
  private fh: FileHandle | undefined;
  private pendingEvents: Event[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> | undefined;
  private lastSync = 0;
  private spaceWaiters: (() => void)[] = [];
  private draining = false;
  private reader:
    | { resolve: (e: Event[]) => void; maxRecords: number; maxBytes: number; maxAgeMs: number }
    | undefined;
  private readonly linger = new Linger(() => this.lingered());
  private closed = false;
  /** Set while writes fail; cleared by the first write that succeeds. */
  private failing: { since: number; attempts: number; delay: number } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A failed write left bytes that could not be cut: the next write starts a new segment. */
  private sealed = false;
  private readonly retryMin: number;
  private readonly retryMax: number;
  private readonly writeAttempts: number;
  private readonly maxPendingWhileFailing: number;
  readonly durable = true;

  constructor(o: DiskBufferOptions) {
    this.o = o;
    this.segBytes = o.segmentBytes ?? Math.max(1 << 20, Math.min(64 << 20, Math.floor(o.maxBytes / 8)));
    this.maxLen = o.maxRecordBytes ?? 64 << 20;
    this.retryMin = o.writeRetry?.minMs ?? 100;
    this.retryMax = Math.max(this.retryMin, o.writeRetry?.maxMs ?? 5000);
    this.writeAttempts = Math.max(1, o.writeRetry?.attempts ?? 5);
    this.maxPendingWhileFailing = Math.min(o.maxBytes, 8 << 20);
    let r: Recovery;
    try {
      r = recoverSegments(o.dir, this.maxLen);
    } catch (e) {
      // Unusable directory content: move it aside and start empty rather than crash-loop.
      const aside = `${o.dir}.broken-${Date.now()}`;
      o.log('error', 'disk buffer unreadable; moved aside, starting empty', {
        dir: o.dir,
        aside,
        err: (e as Error).message,
      });
      try {
        renameSync(o.dir, aside);
      } catch {
        rmSync(o.dir, { recursive: true, force: true });
      }
      r = recoverSegments(o.dir, this.maxLen);
    }
    if (r.corruptRegions > 0) {
      // Acknowledged records are gone: at least one per damaged region, and their bytes.
      o.stats.drop(DropReason.bufferCorrupted, r.corruptRegions);
      o.stats.corruptedBytes += r.lostBytes;
      o.log('error', 'disk buffer recovered: cut out damaged frames, kept the rest', {
        code: 'SLUICE_BUFFER_CORRUPTED',
        dir: o.dir,
        lostBytes: r.lostBytes,
        regions: r.corruptRegions,
      });
    }
    if (r.tornBytes > 0)
      o.log(
        'warn',
        'disk buffer recovered: cut a torn last write (its records are re-read from their files)',
        {
          dir: o.dir,
          tornBytes: r.tornBytes,
        },
      );
    this.segments = r.segments.length > 0 ? r.segments : [{ id: r.cursor.seg, size: 0 }];
    this.cursor = r.cursor;
    this.readPos = { ...r.cursor };
  }

  get bytes(): number {
    let b = 0;
    for (const s of this.segments) b += s.size;
    const first = this.segments.find((s) => s.id === this.cursor.seg);
    return b - (first !== undefined ? this.cursor.off : 0) + this.pendingBytes;
  }
  get length(): number {
    return this.unread() ? 1 : 0;
  }
  /** whenFull block: full at maxBytes, and while writes fail (reading pauses until one succeeds). */
  get full(): boolean {
    return this.o.whenFull === 'block' && (this.failing !== undefined || this.bytes >= this.o.maxBytes);
  }

  /** Writes are failing (since when, attempts): see writeFailed. */
  get writeFailing(): boolean {
    return this.failing !== undefined;
  }

  private unread(): boolean {
    const last = this.segments[this.segments.length - 1];
    return this.readPos.seg < last.id || this.readPos.off < last.size;
  }

  /** Bytes written to the segments and not yet handed to the reader. */
  private unreadBytes(): number {
    let n = 0;
    for (const s of this.segments) {
      if (s.id > this.readPos.seg) n += s.size;
      else if (s.id === this.readPos.seg) n += s.size - this.readPos.off;
    }
    return n;
  }

  /** Like the memory buffer: a batch goes out when it is full, on age, or when draining/closing. */
  private serveIfFull(): void {
    const r = this.reader;
    if (r === undefined) return;
    if (this.draining || this.closed || this.unreadBytes() >= r.maxBytes) this.serveIfReady();
    else if (this.unread()) this.linger.arm(r.maxAgeMs);
  }

  push(e: Event): boolean {
    const size = frameSize(e);
    if (this.o.whenFull === 'dropNewest') {
      if (this.bytes + size > this.o.maxBytes) return false;
      if (this.failing !== undefined && this.pendingBytes + size > this.maxPendingWhileFailing) {
        // Writes failing: hold at most this much in memory for the retries; drop the rest, counted.
        releaseEvent(e);
        this.o.stats.drop(DropReason.bufferWriteFailed);
        return true;
      }
    }
    this.pendingEvents.push(e);
    this.pendingBytes += size;
    return true;
  }

  onSpace(cb: () => void): void {
    if (!this.full) cb();
    else this.spaceWaiters.push(cb);
  }

  flushProducer(): void {
    if (this.writing === undefined && this.retryTimer === undefined && this.pendingEvents.length > 0)
      this.writing = this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.pendingEvents.length > 0) {
        const events = this.pendingEvents;
        this.pendingEvents = [];
        const frames = encodeFrames(events);
        const hadUnread = this.unread();
        this.pendingBytes -= frames.length;
        if (this.pendingBytes < 0) this.pendingBytes = 0;
        try {
          await this.append(frames);
        } catch (e) {
          // Not durable: the records keep their holds (nothing is acknowledged) and wait in order.
          this.pendingEvents = events.concat(this.pendingEvents);
          this.pendingBytes += frames.length;
          this.writeFailed(e as NodeJS.ErrnoException);
          return;
        }
        for (const e of events) releaseEvent(e);
        if (!hadUnread) this.linger.arrived();
        if (this.failing !== undefined) this.writeRecovered();
        this.o.stats.bufferBytes = this.bytes;
        this.serveIfFull();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /**
   * Append frames to the last segment, all or nothing: a failed or partial write (ENOSPC half way,
   * a failed fsync whose pages the kernel may have dropped) is cut off again, so the segment holds
   * exactly the frames counted in its size and a retry appends right after them.
   */
  private async append(frames: Buffer): Promise<void> {
    let seg = this.segments[this.segments.length - 1];
    if (this.fh === undefined && this.sealed) {
      // The last segment may end in bytes a failed write left behind: continue in a new one.
      this.sealed = false;
      if (seg.size > 0) {
        seg = { id: seg.id + 1, size: 0 };
        this.segments.push(seg);
      }
    }
    if (seg.size > 0 && seg.size + frames.length > this.segBytes) {
      await this.fh?.sync();
      await this.fh?.close();
      this.fh = undefined;
      const next = { id: seg.id + 1, size: 0 };
      this.fh = await open(join(this.o.dir, segName(next.id)), 'a');
      this.segments.push(next);
      seg = next;
    }
    this.fh ??= await open(join(this.o.dir, segName(seg.id)), 'a');
    const fh = this.fh;
    try {
      let n = 0;
      while (n < frames.length) n += (await fh.write(frames, n, frames.length - n)).bytesWritten;
      const now = Date.now();
      if (this.o.fsync === 'always' || now - this.lastSync >= this.o.fsyncIntervalMs) {
        await fh.sync();
        this.lastSync = now;
      }
    } catch (e) {
      try {
        await fh.truncate(seg.size);
      } catch {
        // Cannot cut what the failed write left: never append after it.
        this.sealed = true;
        this.fh = undefined;
        await fh.close().catch(() => {});
      }
      throw e;
    }
    seg.size += frames.length;
  }

  /** A write failed: count it, tell status, retry with backoff; per whenFull block or drop. */
  private writeFailed(e: NodeJS.ErrnoException): void {
    const reason = writeErrorReason(e);
    const s = this.o.stats;
    s.bufferWriteErrors.set(reason, (s.bufferWriteErrors.get(reason) ?? 0) + 1);
    const block = this.o.whenFull === 'block';
    const f = this.failing ?? { since: Date.now(), attempts: 0, delay: this.retryMin };
    const first = this.failing === undefined;
    this.failing = f;
    f.attempts++;
    s.lastError = `disk buffer write failed (${e.code ?? e.message}): ${
      block
        ? 'this output takes no new records (it catches up from the files), retrying'
        : 'retrying, then records are dropped (whenFull: dropNewest)'
    }; free space on the buffer volume or raise its size`;
    s.lastErrorAt = Date.now();
    if (first)
      this.o.log('error', 'disk buffer write failed; records stay unacknowledged and are retried', {
        code: ErrorCode.bufferWrite,
        dir: this.o.dir,
        reason,
        err: e.message,
        whenFull: this.o.whenFull,
      });
    if (!block && f.attempts >= this.writeAttempts) {
      // dropNewest: the records that waited through every attempt are dropped, counted.
      const n = this.pendingEvents.length;
      for (const ev of this.pendingEvents) releaseEvent(ev);
      this.pendingEvents = [];
      this.pendingBytes = 0;
      s.drop(DropReason.bufferWriteFailed, n);
      f.attempts = 0;
      this.o.log('error', 'disk buffer write still failing; dropped the records that waited', {
        code: ErrorCode.bufferWrite,
        dir: this.o.dir,
        records: n,
      });
    }
    if (this.closed) return; // close() leaves them unacknowledged: re-read from their files
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flushProducer();
    }, f.delay);
    f.delay = Math.min(this.retryMax, f.delay * 2);
  }

  private writeRecovered(): void {
    const f = this.failing!;
    this.failing = undefined;
    this.o.log('info', 'disk buffer writes again', {
      dir: this.o.dir,
      failedForMs: Date.now() - f.since,
    });
    this.wakeProducers();
  }

  private wakeProducers(): void {
    if (!this.full && this.spaceWaiters.length > 0) {
      const ws = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of ws) w();
    }
  }

  read(maxRecords: number, maxBytes: number, maxAgeMs: number): Promise<Event[]> {
    return new Promise((resolve) => {
      this.reader = { resolve, maxRecords, maxBytes, maxAgeMs };
      this.serveIfFull();
      // else serveIfFull armed the linger, or the next write will
    });
  }

  private lingered(): void {
    this.serveIfReady();
  }

  private serveIfReady(): void {
    const r = this.reader;
    if (r === undefined) return;
    if (!this.unread()) {
      if (this.closed) {
        this.reader = undefined;
        r.resolve([]);
      }
      return;
    }
    this.reader = undefined;
    const batch = this.readBatch(r.maxRecords, r.maxBytes);
    this.linger.served(this.unread());
    r.resolve(batch);
  }

  private readBatch(maxRecords: number, maxBytes: number): Event[] {
    const out: Event[] = [];
    while (out.length < maxRecords) {
      const seg = this.segments.find((s) => s.id === this.readPos.seg);
      if (seg === undefined) break;
      if (this.readPos.off >= seg.size) {
        const next = this.segments.find((s) => s.id > seg.id);
        if (next === undefined) break;
        this.readPos = { seg: next.id, off: 0 };
        continue;
      }
      const left = seg.size - this.readPos.off;
      let buf = Buffer.allocUnsafe(Math.min(left, Math.max(maxBytes, 64 * 1024)));
      let n: number;
      const fd = openSync(join(this.o.dir, segName(seg.id)), 'r');
      try {
        n = readSyncFull(fd, buf, this.readPos.off);
        // A frame larger than the read: read exactly that frame.
        const need = n >= HEADER ? HEADER + frameLength(buf, 0).len : 0;
        if (need > n && need <= left && need <= this.maxLen + HEADER + POSITION) {
          buf = Buffer.allocUnsafe(need);
          n = readSyncFull(fd, buf, this.readPos.off);
        }
      } finally {
        closeSync(fd);
      }
      const d = decodeFrames(buf.subarray(0, n), maxRecords - out.length, this.maxLen);
      const f = d.frames;
      for (let k = 0; k < f.length; k += 3) {
        if (f[k + 2] < 0) out.push(new OutEvent(buf, f[k], f[k + 1], null));
        else {
          const { origin, offset } = readPosition(buf, f[k + 2]);
          out.push(new OutEvent(buf, f[k], f[k + 1], null, null, origin, offset));
        }
      }
      this.readPos = { seg: seg.id, off: this.readPos.off + d.used };
      if (d.corrupt) {
        // Damaged after recovery (disk error): skip the rest of this segment, count it.
        this.o.stats.drop(DropReason.bufferCorrupted);
        this.o.log('error', 'corrupted disk buffer frame; skipping the rest of the segment', { seg: seg.id });
        this.readPos = { seg: seg.id, off: seg.size };
      }
      if (d.frames.length === 0 && !d.corrupt) break; // a frame not fully written yet
      if (out.length > 0) break;
    }
    return out;
  }

  async commit(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    this.cursor = { ...this.readPos };
    const tmp = join(this.o.dir, 'cursor.json.tmp');
    await writeFile(tmp, JSON.stringify(this.cursor));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, join(this.o.dir, 'cursor.json'));
    while (this.segments.length > 1 && this.segments[0].id < this.cursor.seg) {
      const s = this.segments.shift()!;
      await rm(join(this.o.dir, segName(s.id)), { force: true });
    }
    this.o.stats.bufferBytes = this.bytes;
    this.wakeProducers();
  }

  drain(): void {
    // From now on a batch goes out as soon as anything is unread.
    this.draining = true;
    this.serveIfReady();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    while (this.writing !== undefined) await this.writing;
    if (this.pendingEvents.length > 0)
      // Never written, never acknowledged: their files are read again from the checkpoint.
      this.o.log(
        'warn',
        'disk buffer closed with records it could not write; they are re-read from their files',
        {
          dir: this.o.dir,
          records: this.pendingEvents.length,
        },
      );
    await this.fh?.sync().catch(() => {});
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    this.serveIfReady();
    this.linger.cancel();
  }
}

function readSyncFull(fd: number, buf: Buffer, pos: number): number {
  let n = 0;
  while (n < buf.length) {
    const r = readSync(fd, buf, n, buf.length - n, pos + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}
