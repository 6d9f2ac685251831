// `sluice agent --config FILE`: the node agent as it runs in the DaemonSet.
import { parseArgs } from 'node:util';
import { type Command, EXIT } from '../command.ts';

const help = `usage: sluice agent --config FILE

Run the node agent: tail container logs under the configured podLogsDir, enrich, filter and
deliver them to the configured outputs at-least-once. The config (YAML or JSON, see
agent/src/config/) is reloaded on change and on SIGHUP; SIGTERM flushes and exits.

options:
  -c, --config FILE   agent config file (required)
      --once          process what exists, deliver, checkpoint and exit
  -h, --help          show this help
`;

export const command: Command = {
  summary: 'run the node agent (inside the DaemonSet)',
  async run(argv) {
    let values: { config?: string; once?: boolean; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          config: { type: 'string', short: 'c' },
          once: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      process.stderr.write(`sluice agent: ${(e as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    if (values.help) {
      process.stdout.write(help);
      return EXIT.ok;
    }
    if (values.config === undefined) {
      process.stderr.write(`sluice agent: --config is required\n\n${help}`);
      return EXIT.usage;
    }
    const { loadConfigFile } = await import('../../agent/src/config/load.ts');
    const r = await loadConfigFile(values.config);
    if (!r.ok) {
      for (const p of r.problems) process.stderr.write(`${values.config}: ${p.path}: ${p.message}\n`);
      return EXIT.invalid;
    }
    const { runAgent } = await import('../../agent/src/main.ts');
    return runAgent({ config: r.config, hash: r.hash, configFile: values.config, once: values.once });
  },
};
