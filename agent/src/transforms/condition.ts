// Field conditions compiled to predicates. Paths: `message`, `stream`, `timestamp`, `pipeline`,
// `kubernetes.<...>` (the API's record fields; `kubernetes.labels.KEY` and
// `kubernetes.annotations.KEY` take the whole rest as the key, dots and all), anything else is
// a dotted path into the parsed fields.
import type { Condition } from '../../../contract/agent-config/types.ts';
import { compilePattern } from '../../../contract/patterns.ts';
import type { LogRecord } from '../record/record.ts';

export type Predicate = (r: LogRecord) => boolean;

export function getPath(r: LogRecord, path: string[]): unknown {
  const [first] = path;
  let v: unknown;
  let i = 1;
  if (first === 'message' && (r.fields === undefined || !('message' in r.fields))) return r.message;
  if (first === 'stream') return r.stream;
  if (first === 'timestamp') return r.ts;
  if (first === 'pipeline' && path.length === 1) return r.source.pipeline;
  if (first === 'kubernetes') {
    v = r.source.kubernetes();
    if ((path[1] === 'labels' || path[1] === 'annotations') && path.length > 3) {
      const map = (v as Record<string, unknown>)[path[1]] as Record<string, unknown> | undefined;
      return map?.[path.slice(2).join('.')];
    }
  } else {
    v = r.fields;
    i = 0;
  }
  for (; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[path[i]];
  }
  return v;
}

export function compileCondition(c: Condition): Predicate {
  if ('all' in c) {
    const ps = c.all.map(compileCondition);
    return (r) => ps.every((p) => p(r));
  }
  if ('any' in c) {
    const ps = c.any.map(compileCondition);
    return (r) => ps.some((p) => p(r));
  }
  if ('not' in c) {
    const p = compileCondition(c.not);
    return (r) => !p(r);
  }
  const path = c.field.split('.');
  const checks: ((v: unknown) => boolean)[] = [];
  if (c.exists !== undefined) {
    const want = c.exists;
    checks.push((v) => (v !== undefined && v !== null) === want);
  }
  if (c.equals !== undefined) {
    const want = String(c.equals);
    checks.push((v) => v !== undefined && v !== null && String(v) === want);
  }
  if (c.in !== undefined) {
    const set = new Set(c.in.map(String));
    checks.push((v) => v !== undefined && v !== null && set.has(String(v)));
  }
  if (c.matches !== undefined) {
    const re = compilePattern(c.matches); // linear-time engine (contract/patterns.ts)
    checks.push(
      (v) => v !== undefined && v !== null && re.test(typeof v === 'string' ? v : JSON.stringify(v)),
    );
  }
  return (r) => {
    const v = getPath(r, path);
    for (const ch of checks) if (!ch(v)) return false;
    return true;
  };
}
