// The check that `down` left nothing behind: no process of the last run (nor any whose command
// line names the run directory, nor any of the unprivileged OpenSearch user), no listening port
// the last run used, no run directory.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { OS_USER } from './components/opensearch.ts';
import { lastRunPath, strays } from './down.ts';
import { runDir } from './paths.ts';
import { listeningPorts } from './ports.ts';
import { members, type ProcRecord } from './proc.ts';

function uidOf(user: string): number | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}

function processesOf(uid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      // a zombie holds nothing but its pid until init reaps it; it is not a leftover
      if (m && Number(m[1]) === uid && !/^State:\s+Z/m.test(status)) out.push(Number(entry));
    } catch {}
  }
  return out;
}

export function leftovers(): string[] {
  const problems: string[] = [];
  let procs: ProcRecord[] = [];
  if (existsSync(lastRunPath())) procs = JSON.parse(readFileSync(lastRunPath(), 'utf8')).processes;
  const listening = listeningPorts();
  for (const p of procs) {
    const alive = members(p);
    if (alive.length > 0) problems.push(`${p.name}: process group ${p.pid} still has ${alive.join(', ')}`);
    for (const port of p.ports)
      if (listening.has(port)) problems.push(`${p.name}: port ${port} still listening`);
  }
  const stray = strays();
  if (stray.length > 0) problems.push(`processes naming ${runDir()}: ${stray.join(', ')}`);
  const uid = uidOf(OS_USER);
  const osProcs = uid === undefined ? [] : processesOf(uid);
  if (osProcs.length > 0) problems.push(`processes of user ${OS_USER}: ${osProcs.join(', ')}`);
  if (existsSync(runDir())) problems.push(`run directory ${runDir()} still exists`);
  return problems;
}
