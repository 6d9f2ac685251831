// Validation of sluice.dev resources, shared by the operator and `sluice validate`: envelope
// (apiVersion, kind, metadata), schema (generated ajv validators, which also apply defaults),
// then the semantic checks. One call per object; nothing here needs a cluster.

import { objectSchema } from '../api/generate/object.ts';
import { API_VERSION, GROUP, KINDS, type KindDef, kindDef } from '../api/kinds.ts';
import type { SluiceResource } from '../api/types.generated.ts';
import type { ValidateFunction } from '../api/validators.generated.js';
import * as validators from '../api/validators.generated.js';
import { type Problem, problem } from './problem.ts';
import { schemaProblems } from './schema-errors.ts';
import { checkOutput, checkPipeline } from './semantic.ts';
import { closest } from './suggest.ts';

export type { Problem } from './problem.ts';
export { formatProblem } from './problem.ts';

export type Outcome =
  /** Not a sluice.dev object (a Secret, a Namespace...): not ours to judge. */
  | { status: 'ignored'; kind: string; name: string }
  | { status: 'invalid'; kind: string; name: string; problems: Problem[] }
  /** Valid; `resource` is a copy with the schema defaults applied, as the apiserver would store it. */
  | { status: 'valid'; kind: string; name: string; resource: SluiceResource };

const VALIDATORS = validators as unknown as Record<string, ValidateFunction>;
const SCHEMAS = new Map(KINDS.map((k) => [k.kind, objectSchema(k, { forCrd: false })]));

function envelope(value: Record<string, unknown>): { def?: KindDef; problems: Problem[] } {
  const apiVersion = value.apiVersion;
  const kind = value.kind;
  const problems: Problem[] = [];
  if (typeof kind !== 'string' || kind === '') problems.push(problem('kind', 'required field is missing'));
  if (typeof apiVersion !== 'string' || apiVersion === '')
    problems.push(problem('apiVersion', 'required field is missing'));
  if (problems.length) return { problems };
  const def = kindDef(kind as string);
  const group = (apiVersion as string).includes('/') ? (apiVersion as string).split('/')[0] : '';
  if (group === GROUP) {
    if (apiVersion !== API_VERSION) {
      problems.push(problem('apiVersion', `"${apiVersion}" is not served`, `use ${API_VERSION}`));
    }
    if (!def) {
      const guess = closest(
        kind as string,
        KINDS.map((k) => k.kind),
      );
      problems.push(
        problem(
          'kind',
          `"${kind}" is not a kind of ${GROUP}`,
          guess ? `did you mean "${guess}"?` : `use one of ${KINDS.map((k) => k.kind).join(', ')}`,
        ),
      );
    }
  } else if (def) {
    problems.push(
      problem(
        'apiVersion',
        `${kind} belongs to ${API_VERSION}, not "${apiVersion}"`,
        `set apiVersion: ${API_VERSION}`,
      ),
    );
  }
  return def ? { def, problems } : { problems };
}

function semanticProblems(res: SluiceResource, name: string): Problem[] {
  switch (res.kind) {
    case 'LogPipeline':
      return checkPipeline(res.spec, false);
    case 'ClusterLogPipeline':
      return checkPipeline(res.spec, true);
    case 'LogOutput':
    case 'ClusterLogOutput':
      return checkOutput(res.spec, { kind: res.kind, name });
  }
}

export function validateObject(value: unknown): Outcome {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      status: 'invalid',
      kind: '?',
      name: '?',
      problems: [
        problem(
          '(document)',
          `a Kubernetes object must be a mapping, not ${Array.isArray(value) ? 'a list' : typeof value}`,
        ),
      ],
    };
  }
  const obj = value as Record<string, unknown>;
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const kind = typeof obj.kind === 'string' ? obj.kind : '?';
  const name = typeof meta.name === 'string' ? meta.name : '?';
  const env = envelope(obj);
  if (!env.def) {
    if (env.problems.length === 0) return { status: 'ignored', kind, name };
    return { status: 'invalid', kind, name, problems: env.problems };
  }
  const def = env.def;
  const problems = [...env.problems];
  if (def.scope === 'Cluster' && meta.namespace !== undefined) {
    problems.push(
      problem(
        'metadata.namespace',
        `${def.kind} is cluster-scoped and has no namespace`,
        'remove metadata.namespace',
      ),
    );
  }
  const copy = structuredClone(obj);
  delete copy.status;
  if (def.scope === 'Cluster' && copy.metadata && typeof copy.metadata === 'object') {
    delete (copy.metadata as Record<string, unknown>).namespace;
  }
  const validate = VALIDATORS[`validate${def.kind}`]!;
  const schemaOk = validate(copy);
  if (!schemaOk) problems.push(...schemaProblems(def, SCHEMAS.get(def.kind)!, copy, validate.errors ?? []));
  // The semantic checks run even when the schema failed, so one pass shows every problem; on a
  // malformed object they may meet unexpected shapes, and a problem the schema already reported
  // at the same field is not repeated.
  let semantic: Problem[] = [];
  try {
    semantic = semanticProblems(copy as unknown as SluiceResource, name);
  } catch (err) {
    if (schemaOk) throw err;
  }
  const reported = problems.map((p) => p.path);
  problems.push(
    ...semantic.filter(
      (p) => !reported.some((r) => r === p.path || p.path.startsWith(`${r}.`) || p.path.startsWith(`${r}[`)),
    ),
  );
  const res = copy as unknown as SluiceResource;
  if (problems.length) return { status: 'invalid', kind: def.kind, name, problems };
  return { status: 'valid', kind: def.kind, name, resource: res };
}
