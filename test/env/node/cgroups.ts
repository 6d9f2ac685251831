// The node's cgroup root (the kubelet's `cgroupRoot`): one directory per cgroup v1 hierarchy, made
// before the kubelet starts (it expects its root to exist in every controller it uses; cpuset needs
// cpus and mems copied from the parent before anything can join it). runc also mirrors pod cgroups
// into the cgroup2 `unified` hierarchy of a hybrid host, so teardown walks every hierarchy.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** Mount points of every cgroup hierarchy (v1 controllers, name=systemd, and unified v2). */
export function cgroupMounts(): { path: string; v2: boolean }[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' - '))
    .filter(([, rest]) => rest?.startsWith('cgroup ') || rest?.startsWith('cgroup2 '))
    .map(([pre, rest]) => ({ path: pre!.split(' ')[4]!, v2: rest!.startsWith('cgroup2 ') }));
}

export function createCgroupRoot(root: string): void {
  for (const m of cgroupMounts()) {
    if (m.v2) continue;
    const dir = join(m.path, root);
    mkdirSync(dir, { recursive: true });
    for (const f of ['cpuset.cpus', 'cpuset.mems'])
      if (existsSync(join(m.path, f))) copyFileSync(join(m.path, f), join(dir, f));
  }
}

/** Every existing directory of the cgroup root in every hierarchy, deepest first. */
export function cgroupDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    out.push(dir);
  };
  for (const m of cgroupMounts()) {
    const dir = join(m.path, root);
    if (existsSync(dir)) walk(dir);
  }
  return out;
}

/** Pids of every process in the cgroup root (pods whose shim is gone are found only this way). */
export function cgroupProcs(root: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(root)) {
    try {
      for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n'))
        if (p.trim()) pids.add(Number(p));
    } catch {}
  }
  return [...pids];
}

/** rmdir depth-first; a cgroup directory with a live process in it stays (and is reported). */
export function removeCgroupRoot(root: string): string[] {
  const left: string[] = [];
  for (const dir of cgroupDirs(root)) {
    try {
      rmdirSync(dir);
    } catch {
      left.push(dir);
    }
  }
  return left;
}
