// Server processes: each runs detached in its own session and process group (so one signal reaches
// it and everything it forked), with output in a log file. A record of pid + kernel start time
// identifies it later without trusting a recycled pid, so `down` and the next `up` can reap
// leftovers of a run that was killed before it could clean up.
import { type SpawnOptions, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { logPath } from './paths.ts';

export interface ProcRecord {
  name: string;
  pid: number;
  /** field 22 of /proc/<pid>/stat: clock ticks after boot, unique with the pid */
  startTime: string;
  ports: number[];
  log: string;
}

interface Stat {
  pgrp: number;
  session: number;
  startTime: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    if (f[0] === 'Z') return undefined; // a zombie is dead, only not yet reaped
    return { pgrp: Number(f[2]), session: Number(f[3]), startTime: f[19]! };
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  ports?: number[];
}

export function startProcess(name: string, cmd: string, args: string[], opts: StartOptions = {}): ProcRecord {
  const log = logPath(name);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  const options: SpawnOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true, // setsid(): own session and process group, survives our exit (`up` from the CLI)
    stdio: ['ignore', fd, fd],
    uid: opts.uid,
    gid: opts.gid,
  };
  const child = spawn(cmd, args, options);
  closeSync(fd);
  child.unref();
  child.on('error', () => {}); // surfaces as "exited" in the readiness wait, with the log tail
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  return { name, pid, startTime: stat(pid)?.startTime ?? '', ports: opts.ports ?? [], log };
}

/** The live processes of the record's process group (the leader and whatever it forked). */
export function members(rec: ProcRecord): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    // Our leader was started with setsid, so its session id is its pid; a survivor of a dead leader
    // keeps both ids. Match on both so a recycled pid in some other session is never signalled.
    if (s && s.pgrp === rec.pid && s.session === rec.pid) {
      if (pid !== rec.pid || s.startTime === rec.startTime) out.push(pid);
    }
  }
  return out;
}

export function isRunning(rec: ProcRecord): boolean {
  const s = stat(rec.pid);
  return s !== undefined && s.startTime === rec.startTime;
}

function signalGroup(rec: ProcRecord, sig: NodeJS.Signals): void {
  const pids = members(rec);
  if (pids.length === 0) return;
  try {
    process.kill(-rec.pid, sig);
  } catch {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {}
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** SIGTERM, then SIGKILL to whatever of the group is left after `graceMs`. */
function stopOne(rec: ProcRecord, graceMs: number): void {
  signalGroup(rec, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (members(rec).length > 0 && Date.now() < deadline) sleepSync(50);
  signalGroup(rec, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (members(rec).length > 0 && Date.now() < killDeadline) sleepSync(50);
}

/**
 * Stops process groups one by one in reverse start order, so clients go before their servers
 * (kwok and the controllers before the apiserver, the apiserver before etcd): stopped all at once,
 * the apiserver hangs in its graceful shutdown until killed. Synchronous on purpose, so it also
 * works from a signal handler or an exit hook.
 */
export function stopProcesses(recs: ProcRecord[], graceMs = 20_000): void {
  for (const r of [...recs].reverse()) stopOne(r, graceMs);
}
