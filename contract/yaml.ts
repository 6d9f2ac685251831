// YAML (a superset of JSON) for the agent's files — its config, a pod metadata file, a kubeconfig —
// with js-yaml loaded only for text that is not JSON. The operator writes the config as JSON and
// metadata caches usually are: js-yaml's module cost the agent ~1.7 MB of resident memory before it
// read a byte (docs/benchmarks.md). Valid JSON means the same document either way; for anything
// else (YAML, or broken JSON) js-yaml decides, with its error messages.
import { createRequire } from 'node:module';

type JsYaml = typeof import('js-yaml');
let jsYaml: JsYaml | undefined;
const yaml = (): JsYaml => {
  jsYaml ??= createRequire(import.meta.url)('js-yaml') as JsYaml;
  return jsYaml;
};

const json = (text: string): { ok: true; value: unknown } | { ok: false } => {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
};

/** One document (js-yaml `load`). */
export function loadYaml(text: string): unknown {
  const j = json(text);
  return j.ok ? j.value : yaml().load(text);
}

/** Every document of a stream (js-yaml `loadAll`). */
export function loadAllYaml(text: string): unknown[] {
  const j = json(text);
  return j.ok ? [j.value] : yaml().loadAll(text);
}
