// Validation of an AgentConfig: the JSON Schema (compiled once), then the checks a schema cannot
// express — unique ids, references between pipelines and outputs, regexes that the linear-time engine runs, and the
// type-specific output options. Problems carry a JSON pointer and a message that says what to do.
import type { AgentConfig, Condition, FilterConfig } from '../../../contract/agent-config/types.ts';
import { patternRejection } from '../../../contract/patterns.ts';
import * as generated from './validators.generated.ts';

export interface ConfigProblem {
  path: string;
  message: string;
}

interface SchemaError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}
type Validator = ((doc: unknown) => boolean) & { errors?: SchemaError[] | null };

// Precompiled from contract/agent-config/schema.ts and the destination table by `npm run
// generate` (verified by `generate --check`): the agent never loads ajv's compiler.
const validateSchema = generated.validateAgentConfigSchema as Validator;
const optionValidators = new Map<string, Validator>(
  Object.entries(generated.generatedOptionValidators as Record<string, Validator>),
);

// A tenant pattern must run on the linear-time engine (contract/patterns.ts), the same rule the
// operator applies.
function checkRegex(source: string, path: string, problems: ConfigProblem[]): void {
  const rejected = patternRejection(source);
  if (rejected !== undefined)
    problems.push({ path, message: `regular expression ${rejected.reason}: ${rejected.fix}` });
}

function checkCondition(c: Condition, path: string, problems: ConfigProblem[]): void {
  if ('all' in c)
    c.all.forEach((x, i) => {
      checkCondition(x, `${path}/all/${i}`, problems);
    });
  else if ('any' in c)
    c.any.forEach((x, i) => {
      checkCondition(x, `${path}/any/${i}`, problems);
    });
  else if ('not' in c) checkCondition(c.not, `${path}/not`, problems);
  else if (c.matches !== undefined) checkRegex(c.matches, `${path}/matches`, problems);
}

function checkFilter(f: FilterConfig, path: string, problems: ConfigProblem[]): void {
  if ('drop' in f) checkCondition(f.drop.when, `${path}/drop/when`, problems);
  else if ('keep' in f) checkCondition(f.keep.when, `${path}/keep/when`, problems);
  else if ('redact' in f)
    (f.redact.custom ?? []).forEach((c, i) => {
      checkRegex(c.regex, `${path}/redact/custom/${i}/regex`, problems);
    });
}

/** Validates a parsed document; returns the typed config or the list of problems. */
export function validateAgentConfig(
  doc: unknown,
  /** Output ids defined in another document (a shard's pipelines use the base's ClusterLogOutputs). */
  external: (id: string) => boolean = () => false,
): { ok: true; config: AgentConfig } | { ok: false; problems: ConfigProblem[] } {
  if (!validateSchema(doc)) {
    const problems = (validateSchema.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? `: '${String(e.params.additionalProperty)}'` : ''}`,
    }));
    return { ok: false, problems };
  }
  const config = doc as unknown as AgentConfig;
  const problems: ConfigProblem[] = [];
  const outputIds = new Set<string>();
  config.outputs.forEach((o, i) => {
    if (outputIds.has(o.id))
      problems.push({ path: `/outputs/${i}/id`, message: `duplicate output id '${o.id}'` });
    outputIds.add(o.id);
    const v = optionValidators.get(o.type);
    if (v !== undefined && !v(o.options ?? {})) {
      for (const e of v.errors ?? [])
        problems.push({ path: `/outputs/${i}/options${e.instancePath}`, message: e.message ?? 'invalid' });
    }
  });
  config.outputs.forEach((o, i) => {
    if (o.deadLetter === undefined) return;
    if (o.deadLetter === o.id)
      problems.push({
        path: `/outputs/${i}/deadLetter`,
        message: 'an output cannot be its own dead-letter output',
      });
    else if (!outputIds.has(o.deadLetter) && !external(o.deadLetter))
      problems.push({ path: `/outputs/${i}/deadLetter`, message: `unknown output '${o.deadLetter}'` });
  });
  const pipelineIds = new Set<string>();
  config.pipelines.forEach((p, i) => {
    const at = `/pipelines/${i}`;
    if (pipelineIds.has(p.id))
      problems.push({ path: `${at}/id`, message: `duplicate pipeline id '${p.id}'` });
    pipelineIds.add(p.id);
    p.outputs.forEach((id, j) => {
      if (!outputIds.has(id) && !external(id))
        problems.push({
          path: `${at}/outputs/${j}`,
          message: `unknown output '${id}': define it under outputs`,
        });
    });
    if (p.kind === 'LogPipeline') {
      const inc = p.input?.namespaces?.include;
      if (inc?.some((ns) => ns !== p.namespace))
        problems.push({
          path: `${at}/input/namespaces`,
          message: `a LogPipeline reads only its own namespace '${p.namespace}'; use a ClusterLogPipeline for others`,
        });
    }
    const ml = p.parse?.multiline;
    if (ml !== undefined) {
      if (ml.preset === 'custom' && ml.start === undefined && ml.continue === undefined)
        problems.push({
          path: `${at}/parse/multiline`,
          message: 'custom multiline needs start and/or continue',
        });
      if (ml.start !== undefined) checkRegex(ml.start, `${at}/parse/multiline/start`, problems);
      if (ml.continue !== undefined) checkRegex(ml.continue, `${at}/parse/multiline/continue`, problems);
    }
    if (p.parse?.pattern !== undefined) checkRegex(p.parse.pattern, `${at}/parse/pattern`, problems);
    (p.filters ?? []).forEach((f, j) => {
      checkFilter(f, `${at}/filters/${j}`, problems);
    });
  });
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}
