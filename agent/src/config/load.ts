// Reading a config file (YAML or JSON; YAML is a superset) into a validated AgentConfig.
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import type { AgentConfig } from './types.ts';
import { type ConfigProblem, configHash, validateAgentConfig } from './validate.ts';

export type LoadResult =
  | { ok: true; config: AgentConfig; hash: string }
  | { ok: false; problems: ConfigProblem[] };

export async function loadConfigFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ path: '/', message: `cannot read ${path}: ${(e as Error).message}` }] };
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    return {
      ok: false,
      problems: [{ path: '/', message: `${path} is not valid YAML/JSON: ${(e as Error).message}` }],
    };
  }
  const r = validateAgentConfig(doc);
  return r.ok ? { ok: true, config: r.config, hash: configHash(r.config) } : r;
}
