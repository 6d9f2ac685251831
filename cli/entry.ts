import { reexecWithAgentFlags } from './node-flags.ts';

// `sluice run` / `sluice agent` without the agent's V8 flags: restart in place with them, before
// loading anything else.
reexecWithAgentFlags();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
