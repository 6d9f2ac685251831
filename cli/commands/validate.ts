// `sluice validate -f FILES`: the operator's validation, offline. One line per problem,
// `FILE:DOC KIND/NAME: spec.path: message`, exit 0 when everything is valid, 1 otherwise.
import { parseArgs } from 'node:util';
import { readDocuments, readStdin, type SourceDoc } from '../../operator/src/validate/documents.ts';
import { formatProblem, type Problem, validateObject } from '../../operator/src/validate/index.ts';
import { type Command, EXIT } from '../command.ts';

const HELP = `usage: sluice validate -f FILE|DIR|- [-f ...] [--output text|json] [--quiet]

Validates LogPipeline, ClusterLogPipeline, LogOutput and ClusterLogOutput resources offline,
exactly as the operator does: the schema, the rules the apiserver enforces, and the checks
beyond them (regexes compile, selectors are valid, sizes and durations parse, templates use
known fields). Other kinds in the same files (Secrets, Namespaces...) are skipped.

options:
  -f, --filename   a file, a directory (recursively: *.yaml, *.yml, *.json) or - for stdin
  -o, --output     text (default): one line per problem; json: a machine-readable report
  -q, --quiet      print problems only, no summary
  -h, --help       show this help

exit status: 0 all valid, 1 problems found, 2 usage error
`;

interface Finding {
  file: string;
  document: number;
  line: number;
  kind: string;
  name: string;
  problems: Problem[];
}

function expandLists(docs: SourceDoc[]): SourceDoc[] {
  return docs.flatMap((d) => {
    const v = d.value as { kind?: unknown; items?: unknown } | undefined;
    if (v && typeof v === 'object' && v.kind === 'List' && Array.isArray(v.items)) {
      return v.items.map((item) => ({ ...d, value: item }));
    }
    return [d];
  });
}

export const command: Command = {
  summary: 'validate resources offline',
  async run(argv) {
    let args: ReturnType<typeof parse>;
    function parse() {
      return parseArgs({
        args: argv,
        options: {
          filename: { type: 'string', short: 'f', multiple: true },
          output: { type: 'string', short: 'o', default: 'text' },
          quiet: { type: 'boolean', short: 'q', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: true,
      });
    }
    try {
      args = parse();
    } catch (err) {
      process.stderr.write(`sluice validate: ${(err as Error).message}\n\n${HELP}`);
      return EXIT.usage;
    }
    const { values, positionals } = args;
    if (values.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const paths = [...(values.filename ?? []), ...positionals];
    if (paths.length === 0) {
      process.stderr.write(`sluice validate: no input; give -f FILE, -f DIR or -f -\n\n${HELP}`);
      return EXIT.usage;
    }
    if (values.output !== 'text' && values.output !== 'json') {
      process.stderr.write(`sluice validate: --output must be text or json, not "${values.output}"\n`);
      return EXIT.usage;
    }
    const docs = expandLists(await readDocuments(paths, readStdin));
    const findings: Finding[] = [];
    const seen = new Map<string, string>();
    let valid = 0;
    let ignored = 0;
    for (const d of docs) {
      const where = { file: d.file, document: d.index, line: d.line };
      if (d.error !== undefined) {
        findings.push({
          ...where,
          kind: '?',
          name: '?',
          problems: [{ path: '(document)', message: d.error }],
        });
        continue;
      }
      const r = validateObject(d.value);
      if (r.status === 'ignored') {
        ignored++;
        continue;
      }
      if (r.status === 'invalid') {
        findings.push({ ...where, kind: r.kind, name: r.name, problems: r.problems });
        continue;
      }
      const ns = r.resource.metadata.namespace ?? '';
      const id = `${r.kind}/${ns}/${r.name}`;
      const first = seen.get(id);
      if (first) {
        findings.push({
          ...where,
          kind: r.kind,
          name: r.name,
          problems: [
            {
              path: 'metadata.name',
              message: `duplicate of ${first}`,
              hint: 'each resource may be defined once',
            },
          ],
        });
        continue;
      }
      seen.set(id, `${d.file}:${d.index}`);
      valid++;
    }
    const problems = findings.reduce((n, f) => n + f.problems.length, 0);
    if (values.output === 'json') {
      process.stdout.write(
        `${JSON.stringify({ valid, invalid: findings.length, ignored, findings }, null, 2)}\n`,
      );
    } else {
      for (const f of findings) {
        for (const p of f.problems)
          process.stdout.write(`${f.file}:${f.document} ${f.kind}/${f.name}: ${formatProblem(p)}\n`);
      }
      if (!values.quiet) {
        const tail = ignored ? `, ${ignored} other object${ignored === 1 ? '' : 's'} skipped` : '';
        process.stderr.write(
          problems === 0
            ? `${valid} resource${valid === 1 ? '' : 's'} valid${tail}\n`
            : `${problems} problem${problems === 1 ? '' : 's'} in ${findings.length} document${findings.length === 1 ? '' : 's'}; ${valid} valid${tail}\n`,
        );
      }
    }
    return findings.length ? EXIT.invalid : EXIT.ok;
  },
};
