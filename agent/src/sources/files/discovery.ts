// Finding container log files: a scan of /var/log/pods/<ns>_<pod>_<uid>/<container>/ for active
// (`N.log`) and rotated (`N.log.<suffix>`, not compressed) files, or of a /var/log/containers
// directory whose symlinks are resolved to their /var/log/pods targets. With `watch` on, every
// directory a scan visits (and the owner's extra ones, e.g. host files' directories) is watched
// through inotify (watch.ts): writes wake the tailers of those files at once, new and moved names
// trigger a quick rescan. The poll timer runs in both modes: alone it is the polling mode (writes
// noticed by size at the next scan), with inotify it is the safety net for missed events.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type PathMeta, parseContainerLinkName, parsePodLogPath } from '../kubernetes_logs/path.ts';
import { DirWatcher, type WatchFn } from './watch.ts';

export interface FileInfo {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  meta: PathMeta;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function info(path: string, meta: PathMeta): FileInfo | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    return { path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, meta };
  } catch {
    return undefined;
  }
}

/** The log files under `root`; `dirs` (if given) collects the directories worth watching. */
export function scanLogs(root: string, dirs?: Set<string>): FileInfo[] {
  const out: FileInfo[] = [];
  dirs?.add(root);
  for (const top of entries(root)) {
    const p = join(root, top);
    if (top.endsWith('.log')) {
      // /var/log/containers layout: a symlink into /var/log/pods.
      let real = p;
      try {
        real = realpathSync(p);
      } catch {
        continue;
      }
      let meta = parsePodLogPath(real);
      if (meta === undefined) {
        const l = parseContainerLinkName(top);
        if (l === undefined) continue;
        meta = { ...l, uid: '', restart: 0, active: true };
      }
      const i = info(real, meta);
      if (i !== undefined) {
        out.push(i);
        dirs?.add(dirname(real)); // writes land in the link's target directory
      }
      continue;
    }
    dirs?.add(p);
    for (const container of entries(p)) {
      const cdir = join(p, container);
      dirs?.add(cdir);
      for (const file of entries(cdir)) {
        const path = join(cdir, file);
        const meta = parsePodLogPath(path);
        if (meta === undefined) continue;
        const i = info(path, meta);
        if (i !== undefined) out.push(i);
      }
    }
  }
  return out;
}

export interface DiscoveryEvents {
  /** A full scan finished. */
  scanned(files: FileInfo[]): void;
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

export class Discovery {
  private readonly root: string;
  private readonly events: DiscoveryEvents;
  private readonly opts: DiscoveryOptions;
  private watcher: DirWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private changedPaths = new Set<string>();
  private flushing = false;
  /** More directories to watch (host files' directories), set by the owner. */
  extraDirs = new Set<string>();

  constructor(root: string, opts: DiscoveryOptions, events: DiscoveryEvents) {
    this.root = root;
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

  scan(): FileInfo[] {
    const dirs = this.watcher === undefined ? undefined : new Set<string>();
    const files = scanLogs(this.root, dirs);
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
