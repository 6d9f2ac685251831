// Host files of cluster pipelines (e.g. /var/log/syslog): the configured glob patterns, resolved
// at every scan (new files appear, rotated ones are followed by their tailers). Paths are
// absolute on the node; `hostRoot` prefixes them where the host's /var/log is mounted elsewhere.
import { globSync, statSync } from 'node:fs';
import { dirname, matchesGlob } from 'node:path';
import type { FileInfo } from '../files/discovery.ts';

/** A host file of a cluster pipeline (its path under hostRoot). */
export interface HostFile extends FileInfo {
  host: true;
}

export function scanHostFiles(paths: string[], exclude: string[] = [], hostRoot = ''): HostFile[] {
  const out: HostFile[] = [];
  const seen = new Set<string>();
  const excluded = (p: string) => exclude.some((x) => matchesGlob(p, hostRoot + x));
  for (const pattern of paths) {
    let matches: string[];
    try {
      matches = globSync(hostRoot + pattern);
    } catch {
      continue;
    }
    for (const path of matches) {
      if (seen.has(path) || excluded(path)) continue;
      seen.add(path);
      try {
        const st = statSync(path);
        if (!st.isFile()) continue;
        out.push({
          path,
          dev: st.dev,
          ino: st.ino,
          size: st.size,
          mtimeMs: st.mtimeMs,
          active: true,
          host: true,
        });
      } catch {
        // gone between glob and stat
      }
    }
  }
  return out;
}

/**
 * The directories to watch for these patterns: each pattern's directory before its first glob
 * character (new files appear there) and each matched file's own directory (`**` patterns).
 */
export function hostWatchDirs(paths: string[], files: FileInfo[], hostRoot = ''): string[] {
  const dirs = new Set<string>();
  for (const pattern of paths) {
    const parts = (hostRoot + pattern).split('/');
    const glob = parts.findIndex((s) => /[*?[{]/.test(s));
    const base = glob < 0 ? dirname(hostRoot + pattern) : parts.slice(0, glob).join('/');
    if (base !== '') dirs.add(base);
  }
  for (const f of files) dirs.add(dirname(f.path));
  return [...dirs];
}
