// The `sluice` command: a thin dispatcher. Each subcommand lives in cli/commands/<name>.ts and
// exports `command: Command`; modules load lazily so `sluice validate` never pays for the agent.
import { existsSync } from 'node:fs';
import type { Command } from './command.ts';
import { version } from './version.ts';

// `.ts` when Node runs the sources (type stripping), `.js` in the compiled build (dist/).
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const commandUrl = (name: string) => new URL(`./commands/${name}${EXT}`, import.meta.url);

const commands: Record<string, string> = {
  validate: 'validate offline the resources the operator would accept',
  render: 'print every object the operator would apply for the given resources',
  run: 'run the agent on this machine without a cluster (local logs, local output)',
  agent: 'run the node agent (inside the DaemonSet)',
  operator: 'run the operator (inside the cluster)',
  generate: 'write CRI-format container logs at a given rate (load generator)',
  tap: 'watch live records of a pipeline',
  version: 'print the version',
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands)
    .filter(([name]) => name === 'version' || existsSync(commandUrl(name)))
    .map(([name, help]) => `  ${name.padEnd(width)}  ${help}`);
  return `sluice ${version}: Kubernetes log pipelines\n\nusage: sluice <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'sluice <command> --help' for the options of a command.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version') {
    process.stdout.write(`sluice ${version}\n`);
    return 0;
  }
  if (!(name in commands) || !existsSync(commandUrl(name))) {
    process.stderr.write(`sluice: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(commandUrl(name).href)) as { command: Command };
  return mod.command.run(rest);
}
