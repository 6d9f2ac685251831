// Small reusable checks that return problems: regular expressions, label selectors, byte sizes,
// durations and templates. Each mirrors what the agent will do with the value.
import { compilePattern, patternRejection } from '../../../contract/patterns.ts';
import { DNS_SUBDOMAIN as DNS_SUBDOMAIN_PATTERN } from '../api/common.ts';
import { parseTemplate } from '../api/fields.ts';
import { parseDuration, parseQuantity } from '../api/units.ts';
import { joinPath, type Problem, problem } from './problem.ts';

export function checkRegex(
  path: string,
  source: string | undefined,
  opts: { namedGroups?: boolean } = {},
): Problem[] {
  if (source === undefined) return [];
  // The one rule of what a tenant pattern may be (the agent applies the same): it compiles and
  // runs on the linear-time engine.
  const rejected = patternRejection(source);
  if (rejected !== undefined) return [problem(path, `regular expression ${rejected.reason}`, rejected.fix)];
  if (compilePattern(source).test('')) {
    return [
      problem(
        path,
        'regular expression matches the empty string, so it would match every line',
        'anchor it or require at least one character',
      ),
    ];
  }
  if (opts.namedGroups && !/\(\?<[A-Za-z_][A-Za-z0-9_]*>/.test(source)) {
    return [
      problem(
        path,
        'regular expression has no named groups, so it would produce no fields',
        'name the parts you want as fields, e.g. (?<level>\\w+)',
      ),
    ];
  }
  return [];
}

const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = new RegExp(DNS_SUBDOMAIN_PATTERN);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label key: optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `the prefix "${prefix}" must be a lowercase DNS subdomain (e.g. example.com)`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'the name part must be 1-63 characters: letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return 'label values are at most 63 characters: letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function checkSelector(path: string, sel: LabelSelector | undefined): Problem[] {
  if (!sel) return [];
  const out: Problem[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const p = joinPath(joinPath(path, 'matchLabels'), k);
    const ke = labelKeyError(k);
    if (ke) out.push(problem(p, `invalid label key "${k}"`, ke));
    const ve = labelValueError(v);
    if (ve) out.push(problem(p, `invalid label value "${v}"`, ve));
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = joinPath(joinPath(path, 'matchExpressions'), i);
    const ke = labelKeyError(e.key);
    if (ke) out.push(problem(joinPath(p, 'key'), `invalid label key "${e.key}"`, ke));
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    const n = e.values?.length ?? 0;
    if (needsValues && n === 0)
      out.push(problem(joinPath(p, 'values'), `operator ${e.operator} needs at least one value`));
    if (!needsValues && n > 0)
      out.push(
        problem(
          joinPath(p, 'values'),
          `operator ${e.operator} takes no values`,
          'remove values, or use In / NotIn',
        ),
      );
    (e.values ?? []).forEach((v, j) => {
      const ve = labelValueError(v);
      if (ve) out.push(problem(joinPath(joinPath(p, 'values'), j), `invalid label value "${v}"`, ve));
    });
  });
  return out;
}

export function checkQuantity(
  path: string,
  text: string | undefined,
  limits: { min?: number; max: number },
): Problem[] {
  if (text === undefined) return [];
  const n = parseQuantity(text);
  if (n === undefined)
    return [problem(path, `"${text}" is not a byte size`, 'use a size such as 512Mi, 2Gi or 1048576')];
  if (n < (limits.min ?? 1))
    return [problem(path, `"${text}" is too small`, `use at least ${limits.min ?? 1} bytes`)];
  if (n > limits.max) return [problem(path, `"${text}" is too large`, `the limit is ${limits.max} bytes`)];
  return [];
}

export function checkDuration(
  path: string,
  text: string | undefined,
  limits: { minMs?: number; maxMs: number },
): Problem[] {
  if (text === undefined) return [];
  const ms = parseDuration(text);
  if (ms === undefined)
    return [problem(path, `"${text}" is not a duration`, 'use a duration such as 500ms, 5s or 1m30s')];
  if (ms < (limits.minMs ?? 1))
    return [problem(path, `"${text}" is too short`, `use at least ${limits.minMs ?? 1}ms`)];
  if (ms > limits.maxMs)
    return [problem(path, `"${text}" is too long`, `the limit is ${limits.maxMs / 1000}s`)];
  return [];
}

export function checkTemplate(path: string, template: string | undefined): Problem[] {
  if (template === undefined) return [];
  const r = parseTemplate(template);
  return 'error' in r ? [problem(path, `invalid template: ${r.error}`)] : [];
}

/** Mirror of the CEL rule `exactlyOne`: the user gets the same words offline and from the apiserver. */
export function exactlyOne(
  path: string,
  obj: object | undefined,
  fields: readonly string[],
  what: string,
): Problem[] {
  if (!obj) return [];
  const set = fields.filter((f) => (obj as Record<string, unknown>)[f] !== undefined);
  if (set.length === 1) return [];
  return [
    problem(
      path,
      set.length === 0
        ? `no ${what} is set`
        : `${set.join(' and ')} are ${set.length === 2 ? 'both' : 'all'} set`,
      `set exactly one of ${fields.join(', ')}`,
    ),
  ];
}
