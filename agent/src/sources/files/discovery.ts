// Finding the files to follow, again and again: a scan (the owner's: container logs, see
// kubernetes_logs/scan.ts) at every poll, and with `watch` on, every directory a scan visits (and
// the owner's extra ones, e.g. host files' directories) watched through inotify (watch.ts):
// writes wake the tailers of those files at once, new and moved names trigger a quick rescan. The
// poll timer runs in both modes: alone it is the polling mode (writes noticed by size at the next
// scan), with inotify it is the safety net for missed events.
import { DirWatcher, type WatchFn } from './watch.ts';

/** A file found by a scan: its identity (device+inode), size and whether it is an active name. */
export interface FileInfo {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /**
   * False for a rotated name (`0.log.20240101-120000`): rotated files are read first, oldest
   * first, and the active file of their directory waits for them.
   */
  active: boolean;
}

/**
 * The kubelet compresses a rotated log by writing `<name>.tmp` (gzip), renaming it `<name>.gz`
 * and deleting `<name>`: neither holds lines. Read as a rotated log, the `.tmp` file (it exists
 * for a moment after every rotation of a busy container) shipped gzip bytes as records.
 */
export const isCompressing = (file: string): boolean => file.endsWith('.gz') || file.endsWith('.tmp');

/** Lists the files to follow; `dirs` (if given) collects the directories worth watching. */
export type Scan<F extends FileInfo> = (dirs?: Set<string>) => F[];

export interface DiscoveryEvents<F extends FileInfo> {
  /** A full scan finished. */
  scanned(files: F[]): void;
  /** Files written to or renamed (inotify), collected over one event-loop turn. */
  changed(paths: Set<string>): void;
  /** inotify could not be used or broke: polling continues alone. Called once. */
  watchFailed(err: NodeJS.ErrnoException): void;
}

export interface DiscoveryOptions {
  pollMs: number;
  /** Use inotify besides polling. */
  watch: boolean;
  /** fs.watch, injectable for tests. */
  watchFn?: WatchFn;
}

export class Discovery<F extends FileInfo> {
  private readonly scanFiles: Scan<F>;
  private readonly events: DiscoveryEvents<F>;
  private readonly opts: DiscoveryOptions;
  private watcher: DirWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private changedPaths = new Set<string>();
  private flushing = false;
  /** More directories to watch (host files' directories), set by the owner. */
  extraDirs = new Set<string>();

  constructor(scan: Scan<F>, opts: DiscoveryOptions, events: DiscoveryEvents<F>) {
    this.scanFiles = scan;
    this.opts = opts;
    this.events = events;
  }

  /** inotify is in use (false in polling mode, and after watching failed). */
  get watching(): boolean {
    return this.watcher !== undefined && !this.watcher.failed;
  }

  /** Directories watched. */
  get watched(): number {
    return this.watcher?.size ?? 0;
  }

  start(): void {
    if (this.opts.watch) {
      this.watcher = new DirWatcher(
        {
          changed: (path) => this.changed(path),
          renamed: () => this.soon(),
          failed: (err) => this.events.watchFailed(err),
        },
        this.opts.watchFn,
      );
    }
    this.scan();
    this.timer = setInterval(() => this.scan(), this.opts.pollMs);
  }

  private changed(path: string): void {
    this.changedPaths.add(path);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const paths = this.changedPaths;
      this.changedPaths = new Set();
      this.events.changed(paths);
    });
  }

  /** Debounced rescan after names changed (new files, renames, deletes). */
  private soon(): void {
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.scan();
    }, 25);
  }

  scan(): F[] {
    const dirs = this.watcher === undefined ? undefined : new Set<string>();
    const files = this.scanFiles(dirs);
    this.events.scanned(files);
    if (dirs !== undefined) {
      for (const d of this.extraDirs) dirs.add(d);
      this.watcher!.sync(dirs);
    }
    return files;
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.pending !== undefined) clearTimeout(this.pending);
  }
}
