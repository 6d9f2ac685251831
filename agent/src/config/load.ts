// Reading a config file (YAML or JSON; YAML is a superset) into a validated AgentConfig. The file
// may be gzip-compressed (recognised by its magic bytes, whatever its name): the operator ships
// the config gzipped because a ConfigMap holds at most 1 MiB.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { configHash } from '../../../contract/agent-config/hash.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import { loadYaml } from '../../../contract/yaml.ts';
import { type ConfigProblem, validateAgentConfig } from './validate.ts';

export type LoadResult =
  | { ok: true; config: AgentConfig; hash: string }
  | { ok: false; problems: ConfigProblem[] };

export async function loadConfigFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    const raw = await readFile(path);
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  } catch (e) {
    return { ok: false, problems: [{ path: '/', message: `cannot read ${path}: ${(e as Error).message}` }] };
  }
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    return {
      ok: false,
      problems: [{ path: '/', message: `${path} is not valid YAML/JSON: ${(e as Error).message}` }],
    };
  }
  const r = validateAgentConfig(doc);
  return r.ok ? { ok: true, config: r.config, hash: configHash(r.config) } : r;
}
