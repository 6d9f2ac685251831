// inotify through fs.watch, one watch per directory (not per file): a directory watch reports
// writes to every file in it ('change') as well as names appearing, vanishing or moving
// ('rename'), so a few thousand containers cost a few thousand watches, not one per file plus
// stat calls as fs.watch's own recursive mode does. When a watch cannot be set up (ENOSPC once
// fs.inotify.max_user_watches is used up, EMFILE past max_user_instances, no inotify at all) or
// fails later, every watch is closed and the owner falls back to polling: `failed` reports it once.
import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';

/** fs.watch's shape, injectable so tests can make watching fail. */
export type WatchFn = (
  dir: string,
  listener: (type: string, name: string | Buffer | null) => void,
) => FSWatcher;

export const fsWatch: WatchFn = (dir, listener) => watch(dir, { persistent: false }, listener);

export interface DirWatcherEvents {
  /** A file in a watched directory was written to (or renamed: then `renamed` follows). */
  changed(path: string): void;
  /** A name appeared, vanished or moved in a watched directory (or events were lost). */
  renamed(path: string | undefined): void;
  /** Watching is impossible or broke; every watch is closed. Called once. */
  failed(err: NodeJS.ErrnoException): void;
}

/** Errors that concern one directory only (it vanished between the scan and the watch). */
const GONE = new Set(['ENOENT', 'ENOTDIR']);

export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly watchFn: WatchFn;
  private readonly events: DirWatcherEvents;
  failed = false;

  constructor(events: DirWatcherEvents, watchFn: WatchFn = fsWatch) {
    this.events = events;
    this.watchFn = watchFn;
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Watch exactly these directories: new ones are added, vanished ones closed. */
  sync(dirs: Set<string>): void {
    if (this.failed) return;
    for (const [dir, w] of this.watchers)
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      if (!this.add(dir)) return;
    }
  }

  private add(dir: string): boolean {
    let w: FSWatcher;
    try {
      w = this.watchFn(dir, (type, name) => {
        if (name === null) {
          this.events.renamed(undefined);
          return;
        }
        const path = join(dir, name.toString());
        this.events.changed(path);
        if (type === 'rename') this.events.renamed(path);
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (GONE.has(err.code ?? '')) return true;
      this.fail(err);
      return false;
    }
    w.on('error', (e: NodeJS.ErrnoException) => {
      if (GONE.has(e.code ?? '')) {
        w.close();
        if (this.watchers.get(dir) === w) this.watchers.delete(dir);
        this.events.renamed(dir);
      } else this.fail(e);
    });
    this.watchers.set(dir, w);
    return true;
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    this.close();
    this.events.failed(err);
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
