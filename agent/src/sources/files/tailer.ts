// Follows one file (one pipeline's view of it): reads chunks into a reusable buffer, hands
// complete lines to a LineSink, keeps the unfinished tail for the next read, and notices when the
// file is truncated (size below the read position, or a new head fingerprint) or no longer at
// its path (renamed or deleted: read to the end, then released after `rotateWaitMs` without
// growth). Over-long physical lines keep their head and skip the rest, never stalling the file.
import {
  closeSync,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readdirSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { watchdog } from '../../ops/watchdog.ts';
import { FP_LEN, fingerprintFd, headIdFd, MIN_FP } from './fingerprint.ts';
import type { FdLimiter } from './limiter.ts';

export interface LineSink {
  beginChunk(): void;
  /** buf[s, e) is one line without '\n'; `extra` bytes of it were skipped after e. */
  line(buf: Buffer, s: number, e: number, lineStart: number, extra: number): void;
  /** `lineStart`: first byte not yet part of a complete line. */
  endChunk(lineStart: number): void;
  /** Read next from this offset instead (an output catching up, files/reader.ts). */
  seekTo?(): number | undefined;
  /** Some output still needs bytes before the reading position: keep the file open. */
  readonly behind?: boolean;
}

export interface TailerHost {
  readonly readBufferBytes: number;
  readonly maxLineBytes: number;
  readonly rotateWaitMs: number;
  readonly limiter: FdLimiter;
  /** False while the pipeline's outputs are full: the tailer pauses. */
  canRead(): boolean;
  waitForSpace(cb: () => void): void;
  truncated(t: Tailer): void;
  closed(t: Tailer): void;
  idle(t: Tailer): void;
  error(t: Tailer, e: Error): void;
}

const NL = 0x0a;
const fsRead = (fd: number, buf: Buffer, off: number, len: number, pos: number) =>
  watchdog.track(
    'file read',
    new Promise<number>((resolve, reject) =>
      read(fd, buf, off, len, pos, (e, n) => (e ? reject(e) : resolve(n))),
    ),
  );

export class Tailer {
  path: string;
  dev: number;
  ino: number;
  /** Next byte to read. */
  offset: number;
  /** The largest size this file was seen at (fstat here, scans via the host): bytes beyond offset are unread. */
  sizeSeen = 0;
  fpLen = 0;
  fpCrc = 0;
  /** Head id (fingerprint.ts headIdFd): with dev+ino, the file identity record positions refer to. */
  headId = -1;
  /** No longer the file at `path` (rotated or deleted): read to the end, then release. */
  rotated = false;
  /**
   * Read to the end of the file (as of the last read). Only new bytes clear it, not a kick: a
   * rotated file at its end does not hold back its successor while it re-checks for growth.
   */
  atEof = false;
  closedFlag = false;
  /**
   * Held back while an older file of the same container (a rotated file or copy found only now)
   * is read to its end: its lines come first. The file may be parked meanwhile.
   */
  held = false;
  private fd = -1;
  private buf: Buffer;
  private carry = 0;
  private skipping = false;
  private skipHead: Buffer | undefined;
  private skipStart = 0;
  private skipExtra = 0;
  private running = false;
  private again = false;
  private stopped = false;
  private lastGrowth = Date.now();
  private readonly host: TailerHost;
  readonly sink: LineSink;

  constructor(host: TailerHost, sink: LineSink, path: string, dev: number, ino: number, offset: number) {
    this.host = host;
    this.sink = sink;
    this.path = path;
    this.dev = dev;
    this.ino = ino;
    this.offset = offset;
    this.buf = Buffer.allocUnsafeSlow(host.readBufferBytes);
  }

  /** Bytes read but not yet a complete line (a last line still without its newline). */
  get unterminatedBytes(): number {
    return this.skipping ? 0 : this.carry;
  }

  /** First byte not yet part of a complete line. */
  get lineStart(): number {
    return this.skipping ? this.skipStart : this.offset - this.carry;
  }

  /** Read whatever is there (called on watch events, poll ticks and when space frees up). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    this.pump().then(
      () => {
        this.running = false;
        if (this.again && !this.stopped) this.kick();
      },
      (e: Error) => {
        this.running = false;
        this.host.error(this, e);
      },
    );
  }

  private async ensureOpen(): Promise<boolean> {
    if (this.fd >= 0) return true;
    if (this.queued) return false; // already waiting for a slot (kicks meanwhile change nothing)
    if (!this.host.limiter.tryAcquire()) {
      this.queued = true;
      this.host.limiter.wait(() => {
        this.queued = false;
        if (this.stopped) {
          this.host.limiter.release();
          return;
        }
        this.slot = true;
        this.kick();
      });
      return false;
    }
    this.slot = true;
    return this.openFd();
  }
  /** Holds one of the limiter's slots (an open file, or about to open one). */
  private slot = false;
  /** Waiting in the limiter's queue. */
  private queued = false;
  /** Idle at the end of the file, no read in progress: park() may close it. */
  private parkable = false;

  private async openFd(): Promise<boolean> {
    let fd: number;
    try {
      fd = await new Promise<number>((res, rej) => open(this.path, 'r', (e, f) => (e ? rej(e) : res(f))));
    } catch {
      // Gone from its path while it had no descriptor (parked to make room): renamed away, and the
      // new file not created yet, or deleted.
      return !this.stopped && this.openMoved();
    }
    if (this.stopped) {
      closeSync(fd); // stopped while opening: the slot is given back already
      return false;
    }
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch {
      closeSync(fd);
      return this.openMoved();
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      closeSync(fd); // before the sibling is opened: never two files for one slot
      return this.openMoved();
    }
    this.fd = fd;
    if (this.fpLen === 0) this.computeFingerprint();
    return true;
  }

  /**
   * The file was rotated while parked: it moved to a sibling name (`0.log.1`, `0.log.<date>`);
   * continue there, as a rotated file read to its end. Not found: deleted, released.
   */
  private openMoved(): boolean {
    const moved = findSibling(this.path, this.dev, this.ino);
    if (moved === undefined) {
      this.giveBack();
      this.finish();
      return false;
    }
    this.path = moved.path;
    this.rotated = true;
    this.fd = moved.fd;
    return true;
  }

  private giveBack(): void {
    if (this.slot) {
      this.slot = false;
      this.host.limiter.release();
    }
  }

  /**
   * Fingerprint the head: FP_LEN bytes, or as many as there are once past MIN_FP (a CRI line's
   * nanosecond timestamp makes even a short head distinctive); upgraded to FP_LEN later.
   */
  private computeFingerprint(): void {
    const size = fstatSync(this.fd).size;
    const len = Math.min(size, FP_LEN);
    if (len < MIN_FP || len <= this.fpLen) return;
    if (this.fpLen > 0 && this.headChanged()) return; // leave it to the truncation check
    const crc = fingerprintFd(this.fd, len);
    if (crc >= 0) {
      this.fpLen = len;
      this.fpCrc = crc;
    }
  }

  private headChanged(): boolean {
    return this.fpLen > 0 && fingerprintFd(this.fd, this.fpLen) !== this.fpCrc;
  }

  private async pump(): Promise<void> {
    this.parkable = false;
    if (!this.slot && this.fd < 0 && !(await this.ensureOpen())) return;
    if (this.fd < 0 && !(await this.openFd())) return;
    this.host.limiter.setIdle(this, false);
    for (;;) {
      if (this.stopped) return;
      if (this.held) {
        this.parkable = true;
        this.host.limiter.setIdle(this, true);
        return;
      }
      if (!this.host.canRead()) {
        this.host.waitForSpace(() => this.kick());
        return;
      }
      const to = this.sink.seekTo?.();
      if (to !== undefined) this.seek(to);
      if (this.fpLen > 0 && this.headChanged()) {
        this.host.truncated(this);
        return;
      }
      if (this.carry === this.buf.length) this.grow();
      const n = await fsRead(this.fd, this.buf, this.carry, this.buf.length - this.carry, this.offset);
      if (this.stopped) return;
      if (n === 0) break;
      // The file may have been truncated and rewritten while the read was in flight (copytruncate):
      // then these bytes belong to the new content. Keep them only if the head is still ours.
      if (this.fpLen > 0 && this.headChanged()) {
        this.host.truncated(this);
        return;
      }
      if (!this.host.canRead()) {
        // The outputs filled while this read was in flight (other files' chunks went first): wait
        // with the bytes rather than push them past the buffer's bound (with every file of a pipeline
        // reading at once, that overshoot was most of a second buffer's worth of arenas). Woken
        // with the others when space frees, it looks again: the first chunks may fill it anew.
        // Nothing is consumed yet: held back or truncated meanwhile, this offset is read again.
        while (!this.host.canRead()) {
          await new Promise<void>((r) => this.host.waitForSpace(r));
          if (this.stopped) return;
        }
        if (this.held || (this.fpLen > 0 && this.headChanged())) continue;
      }
      this.atEof = false;
      this.offset += n;
      this.lastGrowth = Date.now();
      this.process(this.carry + n);
      if (this.fpLen < FP_LEN) this.computeFingerprint();
    }
    // End of file: truncated? moved away? idle.
    const size = await new Promise<number>((res, rej) =>
      fstat(this.fd, (e, s) => (e ? rej(e) : res(s.size))),
    );
    if (size < this.offset || this.headChanged()) {
      this.host.truncated(this);
      return;
    }
    if (size > this.sizeSeen) this.sizeSeen = size;
    if (size > this.offset) {
      this.again = true;
      return;
    }
    if (!this.rotated) {
      try {
        const st = statSync(this.path);
        if (st.ino !== this.ino || st.dev !== this.dev) this.rotated = true;
      } catch {
        this.rotated = true;
      }
    }
    if (this.rotated && Date.now() - this.lastGrowth >= this.host.rotateWaitMs && !this.sink.behind) {
      this.finish();
      return;
    }
    this.atEof = true;
    this.host.idle(this);
    // Last step of the pump: from here until the next kick the file may be closed to make room.
    this.parkable = true;
    this.host.limiter.setIdle(this, true);
  }

  private grow(): void {
    const max = this.host.maxLineBytes + this.host.readBufferBytes;
    const next = Buffer.allocUnsafeSlow(Math.min(max, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.carry);
    this.buf = next;
  }

  private process(end: number): void {
    const buf = this.buf;
    const sink = this.sink;
    let base = this.offset - end; // file offset of buf[0]
    let s = 0;
    if (this.headId < 0) this.headId = headIdFd(this.fd);
    sink.beginChunk();
    if (this.skipping) {
      const nl = buf.indexOf(NL, 0);
      if (nl < 0 || nl >= end) {
        this.skipExtra += end;
        this.carry = 0;
        sink.endChunk(this.lineStart);
        return;
      }
      const head = this.skipHead!;
      this.skipping = false;
      this.skipHead = undefined;
      sink.line(head, 0, head.length, this.skipStart, this.skipExtra + nl);
      s = nl + 1;
    }
    let nl = buf.indexOf(NL, s);
    while (nl >= 0 && nl < end) {
      sink.line(buf, s, nl, base + s, 0);
      s = nl + 1;
      nl = buf.indexOf(NL, s);
    }
    const rest = end - s;
    if (rest >= this.host.maxLineBytes) {
      this.skipping = true;
      this.skipHead = Buffer.from(buf.subarray(s, s + this.host.maxLineBytes));
      this.skipStart = base + s;
      this.skipExtra = rest - this.host.maxLineBytes;
      this.carry = 0;
    } else {
      if (s > 0 && rest > 0) buf.copyWithin(0, s, end);
      this.carry = rest;
      if (this.buf.length > this.host.readBufferBytes && rest < this.host.readBufferBytes / 2) {
        const small = Buffer.allocUnsafeSlow(this.host.readBufferBytes);
        buf.copy(small, 0, 0, rest);
        this.buf = small;
      }
    }
    base = 0;
    sink.endChunk(this.lineStart);
  }

  /** Read on from `offset` (a line start), dropping what is buffered. */
  private seek(offset: number): void {
    this.offset = offset;
    this.carry = 0;
    this.skipping = false;
    this.skipHead = undefined;
    this.atEof = false;
  }

  /** Restart from the beginning of the same file (it was truncated in place). */
  restartAtZero(): void {
    this.atEof = false;
    this.offset = 0;
    this.sizeSeen = 0;
    this.carry = 0;
    this.skipping = false;
    this.skipHead = undefined;
    this.fpLen = 0;
    this.fpCrc = 0;
    this.headId = -1;
    this.computeFingerprint();
  }

  /**
   * Continue on another file (the copy made by copytruncate) at the same position; this tailer
   * then reads the copy to its end and is released.
   */
  moveTo(path: string, fd: number, dev: number, ino: number): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = fd;
    this.path = path;
    this.dev = dev;
    this.ino = ino;
    this.rotated = true;
    this.atEof = false;
    this.sizeSeen = this.offset;
  }

  /**
   * Close the file and give back the slot; the file is reopened on the next kick. A rotated file
   * keeps its descriptor: once deleted it could not be reopened, and it is released soon anyway.
   */
  park(): boolean {
    if (!this.parkable || this.fd < 0 || this.rotated || this.stopped) return false;
    this.parkable = false;
    // Closed synchronously: the slot goes to another tailer right away.
    closeSync(this.fd);
    this.fd = -1;
    this.giveBack();
    return true;
  }

  private finish(): void {
    if (this.closedFlag) return;
    this.stop();
    this.host.closed(this);
  }

  /** Stop reading and close the file (state stays for inspection). */
  stop(): void {
    this.stopped = true;
    this.closedFlag = true;
    this.host.limiter.setIdle(this, false);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.giveBack();
  }
}

/**
 * The first of `path`'s siblings named `<name>.*` (rotated copies) that `accept` takes, opened;
 * `skip` rules a name out before anything is opened. Siblings that vanish meanwhile are passed over.
 */
export function openSibling(
  path: string,
  accept: (fd: number, st: Stats) => boolean,
  skip?: (siblingPath: string) => boolean,
): { path: string; fd: number; st: Stats } | undefined {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const p = join(dir, n);
    let fd: number | undefined;
    try {
      if (skip?.(p)) continue;
      fd = openSync(p, 'r');
      const st = fstatSync(fd);
      if (accept(fd, st)) return { path: p, fd, st };
      closeSync(fd);
    } catch {
      // raced with another rotation; keep looking
      if (fd !== undefined) closeSync(fd);
    }
  }
  return undefined;
}

/** The file with this identity among `path`'s siblings (a rename rotation), opened. */
export function findSibling(
  path: string,
  dev: number,
  ino: number,
): { path: string; fd: number } | undefined {
  const same = (st: { dev: number; ino: number }) => st.ino === ino && st.dev === dev;
  return openSibling(
    path,
    (_fd, st) => same(st),
    (p) => !same(statSync(p)),
  );
}
