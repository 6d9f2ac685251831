// Outage tests: stop one server process of the running environment for a while and start it
// again exactly as it ran (command line, environment, working directory and user read from /proc
// before stopping it), on the same ports and data. The state file is updated so `down` still
// reaps the new process.
import { readFileSync, readlinkSync } from 'node:fs';
import { type ProcRecord, startProcess, stopProcesses } from './proc.ts';
import { readState, writeState } from './state.ts';

export interface StoppedProcess {
  /** Start it again; resolves once the process is spawned (wait for readiness yourself). */
  start(): ProcRecord;
}

function captured(pid: number) {
  const split = (s: string) => s.split('\0').filter((x) => x !== '');
  const [cmd, ...args] = split(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  const env: NodeJS.ProcessEnv = {};
  for (const kv of split(readFileSync(`/proc/${pid}/environ`, 'utf8'))) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
  return { cmd: cmd!, args, env, cwd: readlinkSync(`/proc/${pid}/cwd`), uid, gid };
}

/** Stops the named process of the environment (e.g. `opensearch`, `minio`) and returns how to restart it. */
export function stopComponentProcess(name: string): StoppedProcess {
  const state = readState();
  const rec = state?.processes.find((p) => p.name === name);
  if (state === undefined || rec === undefined)
    throw new Error(`no running process '${name}' in the test environment`);
  const how = captured(rec.pid);
  stopProcesses([rec], 20_000);
  return {
    start() {
      const asUser = process.getuid?.() === 0 && how.uid !== 0 ? { uid: how.uid, gid: how.gid } : {};
      const next = startProcess(name, how.cmd, how.args, {
        env: how.env,
        cwd: how.cwd,
        ports: rec.ports,
        ...asUser,
      });
      const s = readState();
      if (s !== undefined) {
        s.processes = s.processes.map((p) => (p.name === name ? next : p));
        writeState(s);
      }
      return next;
    },
  };
}
