// `sluice run` and `sluice agent` run with the agent's V8 flags and environment
// (contract/node-flags.ts) however they are started: the image and the DaemonSet set them; a plain
// `npx sluice run` does not, and without them V8 grows its young generation to tens of MB under a
// burst of records (a newcomer's first run peaked at 174 MB instead of ~95 MB on the benchmark
// workload). So the entry point re-executes Node in place (process.execve: same pid, same stdio,
// no second process) with the flags and variables this process lacks. What the user gave (command
// line, NODE_OPTIONS, their own MALLOC_ARENA_MAX) is kept.
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../contract/node-flags.ts';

/** The commands that run the agent. */
export const AGENT_COMMANDS: ReadonlySet<string> = new Set(['run', 'agent']);

const flagName = (f: string) => f.split('=')[0]!.replaceAll('_', '-');

/** The agent flags that neither `execArgv` nor NODE_OPTIONS set (a user's own value wins). */
export function missingAgentFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = new Set(
    [...execArgv, ...nodeOptions.split(/\s+/)].filter((f) => f.startsWith('--')).map(flagName),
  );
  return AGENT_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
}

/** The variables of AGENT_ENV that the environment does not set (a user's own value wins). */
export function missingAgentEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(AGENT_ENV).filter(([k]) => env[k] === undefined));
}

/**
 * For an agent command started without the agent's flags or environment: replace this process
 * with Node running the same script and arguments plus what is missing. Returns when there is
 * nothing to do, or where process.execve does not exist (Windows); SLUICE_NODE_FLAGS=off turns it
 * off.
 */
export function reexecWithAgentFlags(): void {
  const command = process.argv[2];
  if (command === undefined || !AGENT_COMMANDS.has(command)) return;
  if (process.env.SLUICE_NODE_FLAGS === 'off' || typeof process.execve !== 'function') return;
  const missing = missingAgentFlags(process.execArgv, process.env.NODE_OPTIONS);
  const env = missingAgentEnv(process.env);
  if (missing.length === 0 && Object.keys(env).length === 0) return;
  process.execve(
    process.execPath,
    [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...env },
  );
}
