// The check that `down` left nothing behind: no process of the last run (nor any whose command
// line names the run directory, which every server's does), no listening port the last run used,
// no run directory; of the real node: no mount, cgroup, bridge, iptables rule or shim, and
// ip_forward as it was. (Processes of the OpenSearch user are not counted as such: another checkout's
// environment may be running.) And nothing of an image build (images/buildah.ts): no build
// container, no temp file, none of the files buildah writes outside its root by default.
import { existsSync, readFileSync } from 'node:fs';
import { lastRunPath, strays } from './down.ts';
import { imageLeftovers } from './images/buildah.ts';
import type { NodeHost } from './node/host.ts';
import { nodeLeftovers } from './node/teardown.ts';
import { runDir } from './paths.ts';
import { listeningPorts } from './ports.ts';
import { members, type ProcRecord } from './proc.ts';

export function leftovers(): string[] {
  const problems: string[] = [];
  let procs: ProcRecord[] = [];
  let node: NodeHost | undefined;
  if (existsSync(lastRunPath()))
    ({ processes: procs, node } = JSON.parse(readFileSync(lastRunPath(), 'utf8')));
  if (node) problems.push(...nodeLeftovers(node, runDir()).map((p) => `node: ${p}`));
  const listening = listeningPorts();
  for (const p of procs) {
    const alive = members(p);
    if (alive.length > 0) problems.push(`${p.name}: process group ${p.pid} still has ${alive.join(', ')}`);
    for (const port of p.ports)
      if (listening.has(port)) problems.push(`${p.name}: port ${port} still listening`);
  }
  const stray = strays();
  if (stray.length > 0) problems.push(`processes naming ${runDir()}: ${stray.join(', ')}`);
  if (existsSync(runDir())) problems.push(`run directory ${runDir()} still exists`);
  problems.push(...imageLeftovers());
  return problems;
}
