// Runs the agent runtime in-process over a temp directory (`--once` semantics) for tests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateAgentConfig } from '../../agent/src/config/validate.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import type { AgentConfig, PipelineConfig } from '../../contract/agent-config/types.ts';

export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const T = '2024-01-01T00:00:00.000000001Z';

/** Writes a container log file; returns its path. */
export function writeLog(
  root: string,
  ns: string,
  pod: string,
  container: string,
  content: string | Buffer,
): string {
  const dir = join(root, 'logs', `${ns}_${pod}_uid-${pod}`, container);
  mkdirSync(dir, { recursive: true });
  const p = join(dir, '0.log');
  writeFileSync(p, content);
  return p;
}

export function config(
  root: string,
  pipelines: Partial<PipelineConfig>[],
  agent: AgentConfig['agent'] = {},
): AgentConfig {
  const c: AgentConfig = {
    apiVersion: 'agent.sluice.dev/v1',
    agent: { podLogsDir: join(root, 'logs'), dataDir: join(root, 'data'), httpPort: 0, ...agent },
    pipelines: pipelines.map((p, i) => ({
      id: `p${i}`,
      kind: 'ClusterLogPipeline',
      name: `p${i}`,
      outputs: [`o${i}`],
      ...p,
    })) as PipelineConfig[],
    outputs: pipelines.map((_p, i) => ({
      id: `o${i}`,
      type: 'file',
      options: { path: join(root, `out${i}.ndjson`) },
    })),
  };
  const v = validateAgentConfig(c);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return c;
}

export async function runOnce(c: AgentConfig): Promise<{ stats: AgentStats }> {
  const stats = new AgentStats();
  const rt = new Runtime({ stats, log: () => {}, once: true });
  await rt.apply(c, configHash(c));
  await rt.untilDone();
  await rt.shutdown(5000);
  return { stats };
}

export function readOut(root: string, i = 0): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(join(root, `out${i}.ndjson`), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Until `ok()` holds (polled), or fail naming `what`: tests wait for conditions, not times. */
export async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
