// One pipeline's set of tailers, whatever kind of file they follow (its FileSource says which
// scanned files the pipeline reads and gives each its reader): decides from each scan which files
// to follow and from where (checkpoint by device+inode with a verified head fingerprint, a
// copytruncate copy by fingerprint, a new active file from the head), keeps a directory's lines
// in order across rotations, persists committed offsets, hands a truncated file's position over
// to its copy, and forgets checkpoints of files that are gone.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checkpoint, CheckpointStore } from '../../checkpoint/store.ts';
import { UnreadReason } from '../../ops/catalogue.ts';
import type { AgentStats } from '../../ops/stats.ts';
import type { Pipeline } from '../../topology/pipeline.ts';
import { type FileInfo, isCompressing } from './discovery.ts';
import { FP_LEN, fingerprintFd, fingerprintPath, MIN_FP } from './fingerprint.ts';
import type { FdLimiter } from './limiter.ts';
import type { FileReader } from './reader.ts';
import { openSibling, Tailer, type TailerHost } from './tailer.ts';

/** The files a collector's pipeline reads among those scanned, and the reader of each. */
export interface FileSource<F extends FileInfo> {
  /** 'excluded': skipped because its pod asked to be (counted in `excludedFiles`). */
  select(f: F): 'read' | 'skip' | 'excluded';
  /** The reader of `f` from `offset`. */
  reader(f: F, offset: number): FileReader;
}

export interface CollectorOptions<F extends FileInfo> {
  files: FileSource<F>;
  readBufferBytes: number;
  rotateWaitMs: number;
  limiter: FdLimiter;
  store: CheckpointStore;
  stats: AgentStats;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /** Ask for a fresh scan soon (a file deferred for ordering may start now). */
  rescan?: () => void;
}

interface Successor {
  path: string;
  dev: number;
  ino: number;
}

interface Tracked {
  tailer: Tailer;
  reader: FileReader;
  cp: Checkpoint;
  size: number;
  mtimeMs: number;
  /** Started at an active name (not a rotated `N.log.<suffix>` one). */
  active: boolean;
}

const key = (dev: number, ino: number) => `${dev}:${ino}`;

/** This file (by identity) is still at `path` or at a rotated sibling name of it. */
function exists(path: string, dev: number, ino: number): boolean {
  const same = (p: string) => {
    try {
      const st = statSync(p);
      return st.dev === dev && st.ino === ino;
    } catch {
      return false;
    }
  };
  if (same(path)) return true;
  const prefix = `${basename(path)}.`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return false;
  }
  return names.some((n) => n.startsWith(prefix) && same(join(dirname(path), n)));
}

export class Collector<F extends FileInfo> implements TailerHost {
  readonly pipeline: Pipeline;
  readonly readBufferBytes: number;
  readonly maxLineBytes: number;
  readonly rotateWaitMs: number;
  readonly limiter: FdLimiter;
  private readonly opts: CollectorOptions<F>;
  private readonly tracked = new Map<string, Tracked>();
  private readonly byTailer = new Map<Tailer, Tracked>();
  private readonly misses = new Map<string, number>();
  private scans = 0;
  private stopped = false;
  /** Files truncated by copytruncate, restarted from the head once their copy is read to its end. */
  private readonly successors = new Map<Tailer, Successor[]>();
  private readonly waiting = new Set<string>();
  /** Rotated files (or copies) and the active files of their container they hold back. */
  private readonly holds = new Map<Tailer, Tailer[]>();
  /** A file was deferred behind an unfinished rotated one: rescan when that one reaches its end. */
  private blocked = false;
  private rescanPending = false;
  /** Files skipped at the last scan because their pod is annotated sluice.dev/exclude: "true". */
  excludedFiles = 0;

  constructor(pipeline: Pipeline, opts: CollectorOptions<F>) {
    this.pipeline = pipeline;
    this.opts = opts;
    this.readBufferBytes = opts.readBufferBytes;
    // A physical line carries the record plus a CRI header (or docker's JSON escaping).
    this.maxLineBytes = pipeline.maxRecordBytes + 4096;
    this.rotateWaitMs = opts.rotateWaitMs;
    this.limiter = opts.limiter;
  }

  // ---- TailerHost ----
  canRead(): boolean {
    return this.pipeline.canRead;
  }
  waitForSpace(cb: () => void): void {
    this.pipeline.waitForSpace(cb);
  }
  idle(t: Tailer): void {
    this.release(t);
    this.startSuccessors(t);
    if (this.blocked) {
      this.blocked = false;
      this.requestRescan();
    }
  }
  error(t: Tailer, e: Error): void {
    this.opts.log('error', 'tailer failed; it restarts from its checkpoint at the next scan', {
      path: t.path,
      err: e.message,
    });
    this.drop(t);
    this.release(t);
    this.startSuccessors(t);
    this.requestRescan();
  }
  closed(t: Tailer): void {
    this.opts.stats.rotations++;
    this.countUnread(t);
    this.drop(t);
    this.release(t);
    // Deleted: forget its checkpoint now. Its inode number may come back at once with a new file,
    // which must not inherit the old position (kept only while the file exists, as proof it was read).
    if (!exists(t.path, t.dev, t.ino)) {
      this.opts.store.delete(this.pipeline.id, t.dev, t.ino);
      this.opts.store.touch();
    }
    this.startSuccessors(t);
    this.requestRescan();
  }

  /**
   * A released file's bytes that never became records: what it held beyond the read position when
   * it was deleted without a descriptor (last size seen by the tailer or a scan), and a last line
   * without a newline. Bytes only: the lines went with the file.
   */
  private countUnread(t: Tailer): void {
    const tr = this.byTailer.get(t);
    const size = Math.max(t.sizeSeen, tr?.size ?? 0);
    const stats = this.pipeline.stats;
    stats.unread(UnreadReason.deleted, size - t.offset);
    stats.unread(UnreadReason.incompleteLine, t.unterminatedBytes);
    if (size > t.offset)
      this.opts.log('warn', 'file deleted before it was read to its end; its unread bytes are lost', {
        path: t.path,
        unreadBytes: size - t.offset,
      });
  }

  /** `t` (an older file) reached its end: the files it held back read on. */
  private release(t: Tailer): void {
    const list = this.holds.get(t);
    if (list === undefined) return;
    this.holds.delete(t);
    for (const h of list) {
      if ([...this.holds.values()].some((l) => l.includes(h))) continue;
      h.held = false;
      h.kick();
    }
  }

  /** A rotated file or copy starts: the active files of its container wait for its end. */
  private holdActive(older: Tailer): void {
    const dir = dirname(older.path);
    const list: Tailer[] = [];
    for (const [t, tr] of this.byTailer)
      if (t !== older && tr.active && !t.rotated && !t.closedFlag && dirname(t.path) === dir) {
        t.held = true;
        list.push(t);
      }
    if (list.length > 0) this.holds.set(older, list);
  }

  private requestRescan(): void {
    if (this.opts.rescan === undefined || this.stopped) return;
    this.rescanPending = true;
    this.opts.rescan();
  }

  /**
   * The copy `t` reads is done: its original (truncated, being rewritten) may start from the head.
   * It goes through a scan rather than starting here, so that copies made meanwhile (back-to-back
   * copytruncates the agent only finds as copies) are read before it, oldest first.
   */
  private startSuccessors(t: Tailer): void {
    const list = this.successors.get(t);
    if (list === undefined) return;
    this.successors.delete(t);
    for (const s of list) this.waiting.delete(key(s.dev, s.ino));
    this.requestRescan();
  }
  truncated(t: Tailer): void {
    const tr = this.byTailer.get(t);
    if (tr === undefined) return;
    this.opts.stats.truncations++;
    const copy = this.findCopy(t);
    if (copy !== undefined) {
      // copytruncate: continue the old position on the copy; the original restarts at 0.
      this.tracked.delete(key(t.dev, t.ino));
      this.opts.store.delete(this.pipeline.id, t.dev, t.ino);
      const oldPath = t.path;
      const { dev, ino } = { dev: t.dev, ino: t.ino };
      t.moveTo(copy.path, copy.fd, copy.dev, copy.ino);
      tr.cp.path = copy.path;
      tr.cp.dev = copy.dev;
      tr.cp.ino = copy.ino;
      this.opts.store.set(tr.cp);
      this.tracked.set(key(copy.dev, copy.ino), tr);
      // The original's new content is read from its head once the copy is finished, so the
      // container's lines stay in order across the rotation.
      const list = this.successors.get(t) ?? [];
      list.push({ path: oldPath, dev, ino });
      this.successors.set(t, list);
      this.waiting.add(key(dev, ino));
      t.kick();
      return;
    }
    tr.reader.reset();
    t.restartAtZero();
    tr.size = 0; // the size scanned before the truncation is not this content's
    tr.cp.offset = 0;
    tr.cp.fpLen = t.fpLen;
    tr.cp.fpCrc = t.fpCrc;
    this.opts.store.touch();
    t.kick();
  }

  private findCopy(t: Tailer): { path: string; fd: number; dev: number; ino: number } | undefined {
    if (t.fpLen === 0) return undefined;
    const copy = openSibling(
      t.path,
      (fd, st) => st.ino !== t.ino && st.size >= t.offset && fingerprintFd(fd, t.fpLen) === t.fpCrc,
      isCompressing,
    );
    return copy && { path: copy.path, fd: copy.fd, dev: copy.st.dev, ino: copy.st.ino };
  }

  private drop(t: Tailer): void {
    const tr = this.byTailer.get(t);
    t.stop();
    this.byTailer.delete(t);
    if (tr !== undefined && this.tracked.get(key(t.dev, t.ino)) === tr)
      this.tracked.delete(key(t.dev, t.ino));
  }

  // ---- scanning ----
  sync(files: F[]): void {
    if (this.stopped) return;
    this.rescanPending = false;
    this.blocked = false;
    const first = this.scans++ === 0;
    const seen = new Set<string>();
    const excluded = new Set<string>();
    const liveFps: { len: number; crc: number }[] = [];
    for (const tr of this.tracked.values())
      if (tr.tailer.fpLen > 0) liveFps.push({ len: tr.tailer.fpLen, crc: tr.tailer.fpCrc });
    // Rotated files first, oldest first: an active file (and a younger rotated one) of the same
    // container then waits behind them, so a container's lines stay in order across rotations.
    const ordered = files.filter((f) => !f.active).sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of files) if (f.active) ordered.push(f);
    for (const f of ordered) {
      const k = key(f.dev, f.ino);
      seen.add(k);
      const tr = this.tracked.get(k);
      if (tr !== undefined) {
        // Grown, shrunk (truncated: a copytruncate may leave less than was read) or rewritten.
        const changed = f.size !== tr.tailer.offset || f.mtimeMs !== tr.mtimeMs;
        tr.size = f.size;
        tr.mtimeMs = f.mtimeMs;
        if (changed || tr.tailer.rotated) tr.tailer.kick();
        continue;
      }
      if (this.waiting.has(k)) continue;
      const selected = this.opts.files.select(f);
      if (selected === 'excluded') excluded.add(f.path);
      if (selected !== 'read') continue;
      this.consider(f, first, liveFps);
    }
    this.excludedFiles = excluded.size;
    // Followed files no longer in the scan (a host file renamed to a name the globs do not match,
    // a deleted file): check them, they may have grown before they were rotated away.
    for (const [k, tr] of this.tracked) if (!seen.has(k)) tr.tailer.kick();
    // Forget checkpoints of files gone for two scans in a row.
    for (const cp of [...this.opts.store.entries.values()]) {
      if (cp.pipeline !== this.pipeline.id) continue;
      const k = key(cp.dev, cp.ino);
      if (seen.has(k) || this.tracked.has(k)) {
        this.misses.delete(k);
        continue;
      }
      const m = (this.misses.get(k) ?? 0) + 1;
      if (m >= 2) {
        this.opts.store.delete(this.pipeline.id, cp.dev, cp.ino);
        this.misses.delete(k);
        this.opts.store.touch();
      } else this.misses.set(k, m);
    }
  }

  private consider(f: F, firstScan: boolean, liveFps: { len: number; crc: number }[]): void {
    const store = this.opts.store;
    let cp = store.get(this.pipeline.id, f.dev, f.ino);
    if (cp !== undefined && cp.fpLen > 0 && fingerprintPath(f.path, cp.fpLen) !== cp.fpCrc) {
      // Same inode, different head: truncated and rewritten, or the inode was reused.
      store.delete(this.pipeline.id, f.dev, f.ino);
      cp = undefined;
    }
    if (cp !== undefined) {
      if (!f.active && cp.offset >= f.size) return; // fully read rotated file
      if (this.deferred(f)) return;
      this.start(f, cp.offset > f.size ? 0 : cp.offset, cp);
      return;
    }
    // A copy of a file being read (copytruncate in progress): its reader moves over on truncation.
    if (liveFps.some((l) => f.size >= l.len && fingerprintPath(f.path, l.len) === l.crc)) return;
    if (f.size >= MIN_FP) {
      const byFp = this.findCheckpointByHead(f);
      if (byFp !== undefined && !this.tracked.has(key(byFp.dev, byFp.ino))) {
        // A copy made while nobody watched (copytruncate during downtime): continue there.
        if (byFp.offset >= f.size && !f.active) return;
        if (this.deferred(f)) return;
        store.delete(this.pipeline.id, byFp.dev, byFp.ino);
        this.start(f, Math.min(byFp.offset, f.size), undefined, byFp);
        return;
      }
    }
    if (!f.active) {
      // A rotated file never seen: read it if it appeared while we run, or changed since our last save.
      const unseen = !firstScan || (store.previousSave > 0 && f.mtimeMs > store.previousSave);
      if (!unseen) return;
    }
    if (this.deferred(f)) return;
    this.start(f, 0);
  }

  /** Deferred behind an older file of its container; the scan after that one's end starts it. */
  private deferred(f: FileInfo): boolean {
    if (!this.behindRotated(f)) return false;
    this.blocked = true;
    return true;
  }

  /**
   * A new file waits while an older file of the same container is still being read: the file that
   * had this name before (renamed or deleted, its tailer may not know yet), a rotated file or a
   * copytruncate copy. Rotated files are read to their end one after the other, oldest first, and
   * the active file last, so lines stay in order.
   */
  private behindRotated(f: FileInfo): boolean {
    const dir = dirname(f.path);
    for (const [t, tr] of this.byTailer) {
      if (t.closedFlag || dirname(t.path) !== dir) continue;
      if (t.path === f.path) {
        // The previous file at this name: wait until it knows it was rotated and read its end.
        if (t.rotated && t.atEof) continue;
        t.kick();
        return true;
      }
      if ((t.rotated || !tr.active) && !t.atEof) return true;
    }
    for (const list of this.successors.values()) if (list.some((s) => dirname(s.path) === dir)) return true;
    return false;
  }

  /** A checkpoint of this pipeline whose head matches this file's (a copy made while we were down). */
  private findCheckpointByHead(f: FileInfo): Checkpoint | undefined {
    for (const cp of this.opts.store.entries.values()) {
      if (cp.pipeline !== this.pipeline.id || cp.fpLen === 0 || cp.fpLen > f.size) continue;
      if (cp.dev === f.dev && cp.ino === f.ino) continue;
      if (fingerprintPath(f.path, cp.fpLen) === cp.fpCrc) return cp;
    }
    return undefined;
  }

  /**
   * Follow `f` from `offset`, under its checkpoint `existing` if any; `resume` (that checkpoint,
   * or the one of the file this is a copy of) says where each output resumes.
   */
  private start(
    f: F,
    offset: number,
    existing?: Checkpoint,
    resume: Checkpoint | undefined = existing,
  ): void {
    const { path, dev, ino, size } = f;
    const reader = this.opts.files.reader(f, offset);
    const tailer = new Tailer(this, reader, path, dev, ino, offset);
    reader.bind(tailer);
    reader.onResume = () => tailer.kick();
    // The head is fingerprinted now, not at the first read: a file copytruncated before that read
    // is then recognised as truncated, and its copy as the content this tailer was to read first.
    if (size >= MIN_FP) {
      const len = Math.min(size, FP_LEN);
      const crc = fingerprintPath(path, len);
      if (crc >= 0) {
        tailer.fpLen = len;
        tailer.fpCrc = crc;
      }
    }
    const cp: Checkpoint = existing ?? {
      pipeline: this.pipeline.id,
      path,
      dev,
      ino,
      fpLen: 0,
      fpCrc: 0,
      offset,
      updated: Date.now(),
    };
    const outs = this.pipeline.outputs;
    // Outputs that acknowledged further than `offset` before (their own positions) resume there.
    // (Not when the file is read from elsewhere than that checkpoint's position: it shrank.)
    if (resume?.outputs !== undefined && resume.offset === offset)
      reader.acks.resume(
        outs.map((o) => Math.min(resume.outputs?.[o.id] ?? offset, size)),
        offset,
      );
    cp.offset = offset;
    cp.path = path;
    // Each output's own offset, kept only when there is more than one (else `offset` says it).
    const perOutput = () => {
      if (outs.length > 1)
        cp.outputs = Object.fromEntries(outs.map((o, i) => [o.id, reader.acks.committed(i)]));
      else delete cp.outputs;
    };
    perOutput();
    const store = this.opts.store;
    store.set(cp);
    reader.acks.onCommit = (a) => {
      cp.offset = a.min;
      perOutput();
      cp.updated = Date.now();
      if (tailer.fpLen > cp.fpLen) {
        cp.fpLen = tailer.fpLen;
        cp.fpCrc = tailer.fpCrc;
      }
      store.touch();
    };
    const active = f.active;
    const tr: Tracked = { tailer, reader, cp, size, mtimeMs: 0, active };
    this.tracked.set(key(dev, ino), tr);
    this.byTailer.set(tailer, tr);
    if (!active) this.holdActive(tailer);
    tailer.kick();
  }

  /** inotify: these files were written to (or renamed). */
  kickPaths(paths: Set<string>): void {
    for (const t of this.byTailer.keys()) if (paths.has(t.path)) t.kick();
  }

  flushMultiline(now: number, force: boolean): void {
    for (const tr of this.tracked.values()) tr.reader.flushStale(now, force);
  }

  /** Every followed file read to its end (for --once). */
  get quiet(): boolean {
    if (this.rescanPending || this.successors.size > 0 || this.blocked) return false;
    for (const tr of this.tracked.values())
      if ((!tr.tailer.atEof || tr.reader.behind) && !tr.tailer.closedFlag) return false;
    return true;
  }

  get inFlight(): number {
    let n = 0;
    for (const tr of this.tracked.values()) n += tr.reader.acks.inFlight;
    for (const tr of this.byTailer.values())
      if (!this.tracked.has(key(tr.tailer.dev, tr.tailer.ino))) n += tr.reader.acks.inFlight;
    return n;
  }

  get openTailers(): number {
    return this.byTailer.size;
  }

  lag(): { pipeline: string; path: string; bytes: number }[] {
    return [...this.tracked.values()].map((tr) => ({
      pipeline: this.pipeline.id,
      path: tr.tailer.path,
      bytes: Math.max(0, tr.size - tr.cp.offset),
    }));
  }

  /** Stop reading; in-flight records stay with their outputs. */
  stop(): void {
    this.stopped = true;
    for (const t of this.byTailer.keys()) t.stop();
  }

  /** Cancel every in-flight ack group (their records are skipped by drivers; re-read later). */
  cancelInFlight(): void {
    for (const tr of this.byTailer.values()) tr.reader.acks.cancel();
  }
}
