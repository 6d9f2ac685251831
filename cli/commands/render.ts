// `sluice render -f FILES`: every object the operator would apply for these resources, as YAML,
// for reviews and GitOps previews. Rejected resources are listed on stderr with their reasons.
import { parseArgs } from 'node:util';
import * as yaml from 'js-yaml';
import { compileResources, configSecretRefs } from '../../operator/src/compile/index.ts';
import { agentSettingsFor, defaultSettings, renderAll } from '../../operator/src/render/index.ts';
import { readDocuments, readStdin } from '../../operator/src/validate/documents.ts';
import { type Command, EXIT } from '../command.ts';

const HELP = `usage: sluice render -f FILE|DIR|- [-f ...] [--namespace NS] [--agent-image IMAGE]

Prints, as multi-document YAML, every object the operator would apply for the given
LogPipeline / ClusterLogPipeline / LogOutput / ClusterLogOutput resources: the agent
DaemonSet, its ConfigMap (the compiled pipelines), RBAC, PodDisruptionBudget, NetworkPolicy
and metrics Service. Resources the operator would reject are reported on stderr.

options:
  -f, --filename      a file, a directory or - for stdin
  -n, --namespace     namespace of the agent (default sluice-system)
      --agent-image   agent image (default the release image)
  -h, --help          show this help

exit status: 0 everything accepted, 1 some resources rejected, 2 usage error
`;

export const command: Command = {
  summary: 'print the objects the operator would apply',
  async run(argv) {
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          filename: { type: 'string', short: 'f', multiple: true },
          namespace: { type: 'string', short: 'n' },
          'agent-image': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: true,
      });
    } catch (err) {
      process.stderr.write(`sluice render: ${(err as Error).message}\n\n${HELP}`);
      return EXIT.usage;
    }
    const v = parsed.values as {
      filename?: string[];
      namespace?: string;
      'agent-image'?: string;
      help?: boolean;
    };
    if (v.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const paths = [...(v.filename ?? []), ...parsed.positionals];
    if (paths.length === 0) {
      process.stderr.write(`sluice render: no input; give -f FILE, -f DIR or -f -\n\n${HELP}`);
      return EXIT.usage;
    }
    const docs = await readDocuments(paths, readStdin);
    for (const d of docs.filter((x) => x.error)) process.stderr.write(`${d.file}:${d.index}: ${d.error}\n`);
    const settings = defaultSettings({
      ...(v.namespace ? { namespace: v.namespace } : {}),
      ...(v['agent-image'] ? { agentImage: v['agent-image'] } : {}),
    });
    const { config, resolution, problems } = compileResources(
      docs.filter((d) => !d.error).map((d) => d.value),
      { agent: agentSettingsFor(settings) },
    );
    const refs = configSecretRefs({ config, resolution });
    const objects = renderAll({ settings, config, secretRefs: refs });
    process.stdout.write(objects.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n'));
    for (const p of problems) process.stderr.write(`${p.id}: ${p.reason}: ${p.message}\n`);
    return problems.length || docs.some((d) => d.error) ? EXIT.invalid : EXIT.ok;
  },
};
