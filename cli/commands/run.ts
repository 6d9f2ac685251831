// `sluice run`: the agent on this machine without a cluster.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, EXIT } from '../command.ts';

const help = `usage: sluice run [-f RESOURCES]... --logs DIR [--output FILE] [--once]

Run the agent locally. Without -f, one default pipeline reads every container log under DIR
(laid out like /var/log/pods, or /var/log/containers symlinks), parses JSON bodies, adds the
metadata the paths tell (plus --metadata) and appends NDJSON to --output. With -f, the
LogPipeline/ClusterLogPipeline/LogOutput/ClusterLogOutput resources of the files run instead:
a file output writes to <data-dir>/files/<namespace or _cluster>/<path>, a stdout output to
stdout. The agent's own logs (JSON) go to stderr.

options:
  -f, --file FILE       LogPipeline/LogOutput resources (YAML); repeatable
      --logs DIR        pod logs directory (required)
  -o, --output FILE     NDJSON output for the default pipeline (default ./sluice-out.ndjson)
      --data-dir DIR    checkpoints and disk buffers (default ./.sluice)
      --metadata FILE   static pod metadata (PodList / Pods / Namespaces, YAML or JSON)
      --secrets-dir DIR Secrets the outputs reference, as files DIR/<namespace>/<name>/<key>
                        (re-read every 10 s: editing a file rotates the credential)
      --once            process what exists, deliver, checkpoint and exit
      --http-port N     serve /metrics /status /healthz and /tap on 127.0.0.1 (default off);
                        \`sluice tap --agent http://127.0.0.1:N PIPELINE\` then shows live records
  -h, --help            show this help
`;

export const command: Command = {
  summary: 'run the agent on this machine without a cluster (local logs, local output)',
  async run(argv) {
    let values: {
      file?: string[];
      logs?: string;
      output?: string;
      'data-dir'?: string;
      metadata?: string;
      'secrets-dir'?: string;
      once?: boolean;
      'http-port'?: string;
      help?: boolean;
    };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          file: { type: 'string', short: 'f', multiple: true },
          logs: { type: 'string' },
          output: { type: 'string', short: 'o' },
          'data-dir': { type: 'string' },
          metadata: { type: 'string' },
          'secrets-dir': { type: 'string' },
          once: { type: 'boolean' },
          'http-port': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      process.stderr.write(`sluice run: ${(e as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    if (values.help) {
      process.stdout.write(help);
      return EXIT.ok;
    }
    if (values.logs === undefined) {
      process.stderr.write(`sluice run: --logs is required\n\n${help}`);
      return EXIT.usage;
    }
    if (!existsSync(values.logs)) {
      process.stderr.write(`sluice run: logs directory ${values.logs} does not exist\n`);
      return EXIT.invalid;
    }
    const { defaultRunConfig, validateAgentConfig } = await import('../../agent/src/config/index.ts');
    const { configHash } = await import('../../contract/agent-config/hash.ts');
    let config = defaultRunConfig({
      logsDir: values.logs,
      outputFile: values.output ?? './sluice-out.ndjson',
      dataDir: values['data-dir'],
    });
    if (values.file !== undefined && values.file.length > 0) {
      // Beside the sources in a checkout (.ts), beside the compiled CLI in dist/ (.js).
      const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
      const compiler = new URL(`../../operator/src/compile/index${ext}`, import.meta.url);
      if (!existsSync(compiler)) {
        process.stderr.write(
          'sluice run: -f is not available in this build (the resource compiler is missing)\n',
        );
        return EXIT.usage;
      }
      const { loadAll } = await import('js-yaml');
      const docs: unknown[] = [];
      for (const f of values.file) docs.push(...loadAll(await readFile(f, 'utf8')));
      const mod = (await import(compiler.href)) as {
        compileResources(
          docs: unknown[],
          opts: { agent: { dataDir: string } },
        ): { config: typeof config; problems: { id: string; reason: string; message: string }[] };
      };
      // File outputs land under the local data directory, not the node's /var/lib/sluice.
      const dataDir = resolve(values['data-dir'] ?? '.sluice');
      const r = mod.compileResources(docs, { agent: { dataDir } });
      if (r.problems.length > 0) {
        for (const p of r.problems) process.stderr.write(`sluice run: ${p.id}: ${p.reason}: ${p.message}\n`);
        return EXIT.invalid;
      }
      config = { ...r.config, agent: { ...config.agent, ...r.config.agent, podLogsDir: values.logs } };
      if (config.pipelines.length === 0) {
        process.stderr.write(
          'sluice run: the files define no pipeline that can run (a LogPipeline and its outputs)\n',
        );
        return EXIT.invalid;
      }
      for (const o of config.outputs)
        if (o.type === 'file')
          process.stderr.write(`sluice run: ${o.id} writes to ${String(o.options?.path)}\n`);
    }
    if (values.metadata !== undefined)
      config.agent = {
        ...config.agent,
        enrichment: { ...config.agent?.enrichment, metadataFile: values.metadata },
      };
    if (values['secrets-dir'] !== undefined)
      config.agent = {
        ...config.agent,
        secrets: { ...config.agent?.secrets, directory: values['secrets-dir'] },
      };
    const v = validateAgentConfig(config);
    if (!v.ok) {
      for (const p of v.problems) process.stderr.write(`sluice run: ${p.path}: ${p.message}\n`);
      return EXIT.invalid;
    }
    const port = values['http-port'] !== undefined ? Number(values['http-port']) : 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write('sluice run: --http-port must be a port number\n');
      return EXIT.usage;
    }
    const { runAgent } = await import('../../agent/src/main.ts');
    // Loopback only, and no tap authorisation: only users of this machine reach it, and they can
    // read the log directory and the output file themselves (docs/security.md).
    return runAgent({
      config,
      hash: configHash(config),
      once: values.once,
      httpPort: port,
      httpHost: '127.0.0.1',
      tapAuth: 'local',
    });
  },
};
