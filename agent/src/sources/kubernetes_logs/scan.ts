// Container log files: a scan of /var/log/pods/<ns>_<pod>_<uid>/<container>/ for active
// (`N.log`) and rotated (`N.log.<suffix>`, not compressed) files, or of a /var/log/containers
// directory whose symlinks are resolved to their /var/log/pods targets. What the path tells of
// the container (path.ts) travels with each file to the pipelines' selection and enrichment.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileInfo } from '../files/discovery.ts';
import { type PathMeta, parseContainerLinkName, parsePodLogPath } from './path.ts';

/** A container log file and what its path tells. */
export interface ContainerFile extends FileInfo {
  meta: PathMeta;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function info(path: string, meta: PathMeta): ContainerFile | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    return { path, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, active: meta.active, meta };
  } catch {
    return undefined;
  }
}

/** The log files under `root`; `dirs` (if given) collects the directories worth watching. */
export function scanLogs(root: string, dirs?: Set<string>): ContainerFile[] {
  const out: ContainerFile[] = [];
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
