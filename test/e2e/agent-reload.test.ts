// Hot reload under load (issue 4): while the generator writes at a high rate, the agent's config
// file is rewritten again and again — picked up by the file watch, and by SIGHUP — each time
// changing the pipeline so it is rebuilt. The agent must report each new config hash (/status
// and the sluice_config_info metric), lose nothing, and repeat at most one batch per reload.
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DEFAULTS } from '../../agent/src/config/defaults.ts';
import { validateAgentConfig } from '../../agent/src/config/validate.ts';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import {
  agentConfig,
  exited,
  generate,
  getJson,
  manifestFiles,
  sleep,
  sluice,
  totalLines,
  until,
  untilComplete,
  workDir,
  writeJson,
} from './agent-helpers.ts';

const BATCH = DEFAULTS.batchMaxRecords; // 4096

describe('agent hot reload under load', () => {
  test('config rewritten and SIGHUPed during a high-rate run: new hash reported, 0 lost, dups ≤ one batch per reload', async () => {
    const w = await workDir('reload');
    const { dir, logs, manifest, config: configFile, port } = w;
    const out = join(dir, 'out.ndjson');
    const configOf = (n: number) =>
      agentConfig(w, {
        pollIntervalMs: 200,
        pipelines: [
          {
            id: 'ClusterLogPipeline/all',
            kind: 'ClusterLogPipeline',
            name: 'all',
            // A different filter each time: the pipeline is stopped and rebuilt from its checkpoints.
            filters: [{ add: { fields: { generation: String(n) } } }],
            outputs: ['file'],
          },
        ],
        outputs: [{ id: 'file', type: 'file', options: { path: out } }],
      });
    const hashOf = (n: number) => {
      const v = validateAgentConfig(configOf(n));
      if (!v.ok) throw new Error(JSON.stringify(v.problems));
      return configHash(v.config);
    };
    const untilHash = (want: string, timeoutMs: number) =>
      until(async () => ((await getJson(port, '/status')).configHash === want ? true : undefined), timeoutMs);
    writeJson(configFile, configOf(0));
    const agent = sluice(['agent', '--config', configFile], 'ignore');
    await untilHash(hashOf(0), 20_000);
    const gen = generate(logs, manifest, { files: 4, rate: 12000, duration: 12, partialFraction: 0.05 });
    let reloads = 0;
    const seen: string[] = [];
    for (let n = 1; n <= 8; n++) {
      await sleep(700 + Math.random() * 500);
      writeJson(configFile, configOf(n));
      if (n % 2 === 0) agent.kill('SIGHUP'); // odd ones: the file watch alone
      const want = hashOf(n);
      await untilHash(want, 15_000);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`sluice_config_info{hash="${want}"} 1`);
      seen.push(want);
      reloads++;
    }
    expect(await exited(gen)).toBe(0);
    const files = manifestFiles(manifest);
    const lines = totalLines(files);
    const rep = await untilComplete([out], files, 90_000);
    const status = await getJson(port, '/status');
    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);
    const final = verifyOutputs([out], files);
    process.stdout.write(
      `reload test: ${lines} lines, ${reloads} reloads (status reloads=${status.reloads}), lost ${final.lost}, duplicates ${final.duplicates}\n`,
    );
    expect(new Set(seen).size).toBe(8);
    expect(status.reloads).toBe(8);
    expect(rep.lost).toBe(0);
    expect({ lost: final.lost, sample: final.lostSample }).toEqual({ lost: 0, sample: [] });
    expect(final.duplicates).toBeLessThanOrEqual(reloads * BATCH);
  }, 240_000);
});
