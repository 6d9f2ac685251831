// Finding container log files: a scan of /var/log/pods/<ns>_<pod>_<uid>/<container>/ for active
// (`N.log`) and rotated (`N.log.<suffix>`, not compressed) files, or of a /var/log/containers
// directory whose symlinks are resolved to their /var/log/pods targets. inotify (fs.watch,
// recursive) triggers quick rescans and wakes tailers; a poll timer is the fallback and the
// safety net for missed events.
import { type FSWatcher, readdirSync, realpathSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { type PathMeta, parseContainerLinkName, parsePodLogPath } from './path.ts';

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

export function scanLogs(root: string): FileInfo[] {
  const out: FileInfo[] = [];
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
      if (i !== undefined) out.push(i);
      continue;
    }
    for (const container of entries(p)) {
      const cdir = join(p, container);
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
  /** Something changed at this path (write, create, rename). */
  changed(path: string): void;
}

export class Discovery {
  private readonly root: string;
  private readonly events: DiscoveryEvents;
  private readonly pollMs: number;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  watching = false;

  constructor(root: string, pollMs: number, events: DiscoveryEvents) {
    this.root = root;
    this.pollMs = pollMs;
    this.events = events;
  }

  start(useWatch: boolean): void {
    if (useWatch) {
      try {
        this.watcher = watch(this.root, { recursive: true }, (_type, name) => {
          if (name !== null) this.events.changed(join(this.root, name.toString()));
          this.soon();
        });
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = undefined;
          this.watching = false;
        });
        this.watching = true;
      } catch {
        this.watching = false; // inotify limits or unsupported: polling only
      }
    }
    this.scan();
    this.timer = setInterval(() => this.scan(), this.pollMs);
  }

  /** Debounced rescan after watch events (new files, renames). */
  private soon(): void {
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.scan();
    }, 25);
  }

  scan(): FileInfo[] {
    const files = scanLogs(this.root);
    this.events.scanned(files);
    return files;
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.pending !== undefined) clearTimeout(this.pending);
  }
}
