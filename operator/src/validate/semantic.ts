// Validation beyond the schema: everything the CEL rules say (so offline users get the same
// answer as the apiserver) plus what CEL cannot check — regexes compile, selectors are valid,
// sizes and durations parse within bounds, templates use known fields.
import { CONDITION_OPERATORS, FILTER_TYPES } from '../api/pipeline.ts';
import type {
  ClusterLogOutputSpec,
  ClusterLogPipelineSpec,
  LogOutputSpec,
  LogPipelineSpec,
} from '../api/types.generated.ts';
import { GiB, parseDuration } from '../api/units.ts';
import { DESTINATION_APIS, DESTINATION_TYPES, type DestinationType } from '../destinations/index.ts';
import type { Block } from '../destinations/types.ts';
import { INPUT_APIS, INPUT_TYPES } from '../inputs/index.ts';
import type { InputBlock } from '../inputs/types.ts';
import { checkDuration, checkQuantity, checkRegex, checkSelector, exactlyOne } from './checks.ts';
import { type Problem, problem } from './problem.ts';

type PipelineSpec = LogPipelineSpec | ClusterLogPipelineSpec;
type OutputSpec = LogOutputSpec | ClusterLogOutputSpec;

export function checkPipeline(spec: PipelineSpec, cluster: boolean): Problem[] {
  const out: Problem[] = [];
  const input = (spec.input ?? {}) as InputBlock;
  for (const t of INPUT_TYPES) out.push(...INPUT_APIS[t].check(input, cluster));
  if (cluster && !INPUT_TYPES.some((t) => INPUT_APIS[t].asked.test(input)))
    out.push(
      problem(
        'spec.input',
        'collects nothing',
        `set ${INPUT_TYPES.map((t) => INPUT_APIS[t].asked.hint).join(' and/or ')}`,
      ),
    );

  const parse = spec.parse ?? {};
  const format = parse.format ?? 'auto';
  if (format === 'regex' && parse.regex === undefined) {
    out.push(
      problem('spec.parse.regex', 'required for format regex', 'give a regular expression with named groups'),
    );
  }
  if (format !== 'regex' && parse.regex !== undefined) {
    out.push(
      problem(
        'spec.parse.regex',
        `only used with format regex, but format is ${format}`,
        'remove it or set format: regex',
      ),
    );
  }
  out.push(...checkRegex('spec.parse.regex', parse.regex, { namedGroups: true }));
  out.push(
    ...checkQuantity('spec.parse.maxRecordSize', parse.maxRecordSize, { min: 1024, max: 64 * 1024 * 1024 }),
  );
  const ml = parse.multiline;
  if (ml) {
    if (ml.type === 'custom' && ml.startPattern === undefined) {
      out.push(
        problem(
          'spec.parse.multiline.startPattern',
          'required for type custom',
          'give the regex that matches the first line of a record',
        ),
      );
    }
    if (ml.type !== 'custom' && (ml.startPattern !== undefined || ml.continuePattern !== undefined)) {
      out.push(
        problem(
          'spec.parse.multiline',
          `patterns are only used with type custom, but type is ${ml.type}`,
          'remove startPattern/continuePattern or set type: custom',
        ),
      );
    }
    out.push(...checkRegex('spec.parse.multiline.startPattern', ml.startPattern));
    out.push(...checkRegex('spec.parse.multiline.continuePattern', ml.continuePattern));
    out.push(
      ...checkDuration('spec.parse.multiline.flushTimeout', ml.flushTimeout, { minMs: 10, maxMs: 60_000 }),
    );
  }

  (spec.filters ?? []).forEach((f, i) => {
    const p = `spec.filters[${i}]`;
    const one = exactlyOne(p, f, FILTER_TYPES, 'filter type');
    out.push(...one);
    for (const kind of ['drop', 'keep'] as const) {
      const when = f[kind]?.when;
      if (!when) continue;
      const wp = `${p}.${kind}.when`;
      out.push(...exactlyOne(wp, when, CONDITION_OPERATORS, 'operator'));
      out.push(...checkRegex(`${wp}.matches`, when.matches));
    }
    (f.redact?.custom ?? []).forEach((c, j) => {
      out.push(...checkRegex(`${p}.redact.custom[${j}].regex`, c.regex));
    });
    if (f.redact && !f.redact.fields?.length && !f.redact.patterns?.length && !f.redact.custom?.length) {
      out.push(problem(`${p}.redact`, 'redacts nothing', 'list fields, patterns or custom regexes'));
    }
    f.rename?.fields.forEach((r, j) => {
      if (r.from === r.to) out.push(problem(`${p}.rename.fields[${j}]`, `renames "${r.from}" to itself`));
    });
  });

  const seen = new Set<string>();
  spec.outputs.forEach((o, i) => {
    const key = `${o.kind ?? (cluster ? 'ClusterLogOutput' : 'LogOutput')}/${o.name}`;
    if (seen.has(key))
      out.push(problem(`spec.outputs[${i}]`, `${key} is listed twice`, 'list each output once'));
    seen.add(key);
  });
  return out;
}

export function checkOutput(spec: OutputSpec, self: { kind: string; name: string }): Problem[] {
  const out: Problem[] = [];
  out.push(...exactlyOne('spec', spec, DESTINATION_TYPES, 'destination'));
  for (const type of DESTINATION_TYPES) {
    const block = spec[type] as Block<DestinationType> | undefined;
    if (block !== undefined)
      out.push(
        ...(DESTINATION_APIS[type].check as (b: typeof block, at: string) => Problem[])(
          block,
          `spec.${type}`,
        ),
      );
  }
  out.push(
    ...checkQuantity('spec.buffer.maxSize', spec.buffer?.maxSize, { min: 64 * 1024, max: 1024 * GiB }),
  );
  const r = spec.retry;
  if (r) {
    out.push(
      ...checkDuration('spec.retry.initialBackoff', r.initialBackoff, { minMs: 10, maxMs: 3_600_000 }),
    );
    out.push(...checkDuration('spec.retry.maxBackoff', r.maxBackoff, { minMs: 10, maxMs: 24 * 3_600_000 }));
    const a = r.initialBackoff ? parseDuration(r.initialBackoff) : undefined;
    const b = r.maxBackoff ? parseDuration(r.maxBackoff) : undefined;
    if (a !== undefined && b !== undefined && a > b) {
      out.push(
        problem(
          'spec.retry.initialBackoff',
          `${r.initialBackoff} is longer than maxBackoff ${r.maxBackoff}`,
          'make initialBackoff ≤ maxBackoff',
        ),
      );
    }
  }
  const dl = spec.deadLetter;
  if (dl && dl.name === self.name && (dl.kind ?? self.kind) === self.kind) {
    out.push(
      problem(
        'spec.deadLetter',
        'an output cannot be its own dead letter',
        'name another output, or remove deadLetter to count drops instead',
      ),
    );
  }
  if ('allowedNamespaces' in spec && spec.allowedNamespaces) {
    out.push(...checkSelector('spec.allowedNamespaces.selector', spec.allowedNamespaces.selector));
  }
  return out;
}
