// add / remove / rename of fields (dotted paths). A record without parsed fields gets a field
// object holding its message first, so the result is still one flat event.
import type { LogRecord } from '../record/record.ts';

function fieldsOf(r: LogRecord): Record<string, unknown> {
  if (r.fields === undefined) r.fields = { message: r.message };
  r.pristine = false;
  return r.fields;
}

function parentOf(
  o: Record<string, unknown>,
  path: string[],
  create: boolean,
): Record<string, unknown> | undefined {
  let cur = o;
  for (let i = 0; i < path.length - 1; i++) {
    let next = cur[path[i]];
    if (next === null || typeof next !== 'object') {
      if (!create) return undefined;
      next = {};
      cur[path[i]] = next;
    }
    cur = next as Record<string, unknown>;
  }
  return cur;
}

export function makeAdd(fields: Record<string, string>): (r: LogRecord) => void {
  const entries = Object.entries(fields).map(([k, v]) => [k.split('.'), v] as const);
  return (r) => {
    const f = fieldsOf(r);
    for (const [p, v] of entries) parentOf(f, p, true)![p[p.length - 1]] = v;
  };
}

export function makeRemove(fields: string[]): (r: LogRecord) => void {
  const paths = fields.map((k) => k.split('.'));
  return (r) => {
    const f = fieldsOf(r);
    for (const p of paths) {
      const parent = parentOf(f, p, false);
      if (parent !== undefined) delete parent[p[p.length - 1]];
    }
  };
}

export function makeRename(fields: Record<string, string>): (r: LogRecord) => void {
  const pairs = Object.entries(fields).map(([a, b]) => [a.split('.'), b.split('.')] as const);
  return (r) => {
    const f = fieldsOf(r);
    for (const [from, to] of pairs) {
      const parent = parentOf(f, from, false);
      const key = from[from.length - 1];
      if (parent === undefined || !(key in parent)) continue;
      const v = parent[key];
      delete parent[key];
      parentOf(f, to, true)![to[to.length - 1]] = v;
    }
  };
}
