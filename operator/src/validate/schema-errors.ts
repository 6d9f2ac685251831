// Turn ajv's errors into problems users can act on: the field path as they write it, the
// message in plain words, and a hint (the closest known field, the allowed values, the format).
import { DNS_LABEL, DNS_SUBDOMAIN } from '../api/common.ts';
import { DURATION_PATTERN, QUANTITY_PATTERN, type Schema } from '../api/dsl.ts';
import type { KindDef } from '../api/kinds.ts';
import type { ValidationError } from '../api/validators.generated.js';
import { joinPath, type Problem, pointerSegments, pointerToPath, problem } from './problem.ts';
import { closest } from './suggest.ts';

const PATTERN_HINTS: Record<string, string> = {
  [QUANTITY_PATTERN]: 'a byte size such as 512Mi, 2Gi or 1048576; it cannot be negative',
  [DURATION_PATTERN]: 'a duration such as 500ms, 5s, 1m30s or 2h',
  [DNS_LABEL]: 'lowercase letters, digits and "-", starting and ending with a letter or digit',
  [DNS_SUBDOMAIN]: 'a lowercase DNS name: letters, digits, "-" and "."',
};

/** Unknown fields that users reach for when they need another kind; the hint says which. */
function tenancyHint(kind: string, path: string, field: string): string | undefined {
  if (kind === 'LogPipeline') {
    if (path === 'spec.input' && ['hostFiles', 'namespaces', 'includeAgentLogs'].includes(field)) {
      return 'a LogPipeline only collects containers of its own namespace; host files and other namespaces need a ClusterLogPipeline';
    }
    if (/^spec\.outputs\[\d+\]$/.test(path) && field === 'namespace') {
      return 'a LogPipeline can only use LogOutputs of its own namespace, or a ClusterLogOutput that allows this namespace';
    }
  }
  if (kind === 'LogOutput') {
    if (field === 'namespace')
      return 'a LogOutput can only reference Secrets of its own namespace; use a ClusterLogOutput for shared credentials';
    if (path === 'spec' && field === 'allowedNamespaces')
      return 'only ClusterLogOutput has allowedNamespaces';
  }
  return undefined;
}

/** The schema node at an instance path, for suggestions. */
function schemaAt(root: Schema, pointer: string): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of pointerSegments(pointer)) {
    if (!s) return undefined;
    if (s.type === 'array') s = s.items;
    else if (s.properties) s = s.properties[seg];
    else s = s.additionalProperties;
  }
  return s;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let v: unknown = doc;
  for (const seg of pointerSegments(pointer)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object (key: value pairs)',
  array: 'a list',
};

export function schemaProblems(
  def: KindDef,
  objectSchema: Schema,
  doc: unknown,
  errors: ValidationError[],
): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const value = valueAt(doc, e.instancePath);
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = String(e.params.additionalProperty);
        const known = Object.keys(schemaAt(objectSchema, e.instancePath)?.properties ?? {});
        const suggestion = closest(field, known);
        out.push(
          problem(
            joinPath(path, field),
            `unknown field "${field}"`,
            tenancyHint(def.kind, path, field) ??
              (suggestion
                ? `did you mean "${suggestion}"?`
                : known.length
                  ? `known fields: ${known.join(', ')}`
                  : undefined),
          ),
        );
        break;
      }
      case 'required':
        out.push(problem(joinPath(path, String(e.params.missingProperty)), 'required field is missing'));
        break;
      case 'enum': {
        const allowed = (e.params.allowedValues as unknown[]).map(String);
        const suggestion = typeof value === 'string' ? closest(value, allowed) : undefined;
        out.push(
          problem(
            path,
            `${describe(value)} is not allowed; must be one of ${allowed.join(', ')}`,
            suggestion && suggestion !== value ? `did you mean "${suggestion}"?` : undefined,
          ),
        );
        break;
      }
      case 'type':
        out.push(
          problem(
            path,
            `must be ${TYPE_WORDS[String(e.params.type)] ?? e.params.type}, not ${describe(value)}`,
          ),
        );
        break;
      case 'pattern': {
        const hint = PATTERN_HINTS[String(e.params.pattern)];
        out.push(
          problem(
            path,
            `${describe(value)} is not valid`,
            hint ? `expected ${hint}` : `must match ${e.params.pattern}`,
          ),
        );
        break;
      }
      case 'maxLength':
        out.push(
          problem(
            path,
            `is ${(value as string).length} characters long; at most ${e.params.limit} are allowed`,
          ),
        );
        break;
      case 'minLength':
        out.push(problem(path, 'must not be empty'));
        break;
      case 'minItems':
        out.push(problem(path, `needs at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`));
        break;
      case 'maxItems':
        out.push(
          problem(path, `has ${(value as unknown[]).length} items; at most ${e.params.limit} are allowed`),
        );
        break;
      case 'maxProperties':
        out.push(problem(path, `has too many entries; at most ${e.params.limit} are allowed`));
        break;
      case 'minimum':
      case 'maximum':
        out.push(
          problem(
            path,
            `${describe(value)} is out of range; must be ${e.params.comparison} ${e.params.limit}`,
          ),
        );
        break;
      default:
        out.push(problem(path, e.message ?? `fails ${e.keyword}`));
    }
  }
  return out;
}
