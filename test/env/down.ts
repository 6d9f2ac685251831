// `down`: stop every process of the environment (process groups, SIGTERM then SIGKILL), including
// strays no state file knows of (any process whose command line names the run directory), delete
// the run directory, and leave a note of what ran for the leftover check (leftovers.ts). The real
// node goes first and in its own order (node/teardown.ts): its pods, mounts, cgroups, bridge and
// iptables rules are not processes of ours.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Say } from '../../tools/install/index.ts';
import { withLock } from '../../tools/lock.ts';
import { cleanNodeHost, stopNode } from './node/teardown.ts';
import { runDir, statePath } from './paths.ts';
import { type ProcRecord, stopProcesses } from './proc.ts';
import { readState, removeState } from './state.ts';

export function lastRunPath(): string {
  return `${runDir()}.last.json`;
}

/** This process and its ancestors: a shell that ran us may well name the run directory. */
function ancestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** Processes (other than us and our ancestors) whose command line mentions the run directory. */
export function strays(dir = runDir()): number[] {
  const out: number[] = [];
  const skip = ancestors();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || skip.has(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) out.push(pid);
    } catch {}
  }
  return out;
}

/** Stops everything of the environment; synchronous so signal handlers can use it. */
export function reap(say: Say = () => {}): ProcRecord[] {
  const state = readState();
  const procs = state?.processes ?? [];
  if (state?.node) {
    say('stopping the node');
    stopNode({ host: state.node, ...state.env, processes: procs }, say);
  }
  if (procs.length > 0) {
    say(`stopping ${procs.map((p) => p.name).join(', ')}`);
    stopProcesses(procs);
  }
  for (const pid of strays()) {
    say(`killing stray process ${pid}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  if (state?.node) for (const left of cleanNodeHost(state.node, runDir())) say(`could not remove ${left}`);
  if (state)
    writeFileSync(
      lastRunPath(),
      JSON.stringify({ processes: procs, runDir: runDir(), node: state.node }, null, 2),
    );
  removeState();
  rmSync(runDir(), { recursive: true, force: true });
  return procs;
}

export async function down(say: Say): Promise<void> {
  await withLock(`${runDir()}.lock`, async () => {
    if (!readState() && strays().length === 0) {
      say(`nothing running (${statePath()})`);
      rmSync(runDir(), { recursive: true, force: true });
      return;
    }
    reap(say);
    say('environment stopped');
  });
}
