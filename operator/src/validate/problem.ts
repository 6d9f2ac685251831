// A problem found in a resource: where (a field path as users write it, e.g.
// `spec.outputs[0].name`), what is wrong, and how to fix it.
export interface Problem {
  path: string;
  message: string;
  hint?: string;
}

export function problem(path: string, message: string, hint?: string): Problem {
  return hint === undefined ? { path, message } : { path, message, hint };
}

export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/** The unescaped segments of a JSON pointer (`/a~1b/0` → `['a/b', '0']`). */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/spec/outputs/0/name` (JSON pointer, as ajv reports) → `spec.outputs[0].name`. */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const seg of pointerSegments(pointer)) {
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}
