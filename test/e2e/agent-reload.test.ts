// Hot reload under load (issue 4): while the generator writes at a high rate, the agent's config
// file is rewritten again and again — picked up by the file watch, and by SIGHUP — each time
// changing the pipeline so it is rebuilt. The agent must report each new config hash (/status
// and the sluice_config_info metric), lose nothing, and repeat at most one batch per reload.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { configHash, validateAgentConfig } from '../../agent/src/config/validate.ts';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import {
  exited,
  freePort,
  getJson,
  manifestFiles,
  sleep,
  sluice,
  until,
  untilComplete,
  writeJson,
} from './agent-helpers.ts';

const BATCH = 4096; // DEFAULTS.batchMaxRecords

describe('agent hot reload under load', () => {
  test('config rewritten and SIGHUPed during a high-rate run: new hash reported, 0 lost, dups ≤ one batch per reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-reload-'));
    const logs = join(dir, 'logs');
    const out = join(dir, 'out.ndjson');
    const manifest = join(dir, 'manifest.json');
    const configFile = join(dir, 'agent.json');
    const port = await freePort();
    const configOf = (n: number) => ({
      apiVersion: 'agent.sluice.dev/v1',
      agent: {
        podLogsDir: logs,
        dataDir: join(dir, 'data'),
        httpPort: port,
        httpHost: '127.0.0.1',
        pollIntervalMs: 200,
        enrichment: { kubernetes: false },
      },
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
    writeJson(configFile, configOf(0));
    const agent = sluice(['agent', '--config', configFile], 'ignore');
    await until(
      async () => ((await getJson(port, '/status')).configHash === hashOf(0) ? true : undefined),
      20_000,
    );
    const gen = sluice([
      'generate',
      '--dir',
      logs,
      '--files',
      '4',
      '--rate',
      '12000',
      '--duration',
      '12',
      '--manifest',
      manifest,
      '--partial-fraction',
      '0.05',
    ]);
    let reloads = 0;
    const seen: string[] = [];
    for (let n = 1; n <= 8; n++) {
      await sleep(700 + Math.random() * 500);
      writeJson(configFile, configOf(n));
      if (n % 2 === 0) agent.kill('SIGHUP'); // odd ones: the file watch alone
      const want = hashOf(n);
      await until(
        async () => ((await getJson(port, '/status')).configHash === want ? true : undefined),
        15_000,
      );
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`sluice_config_info{hash="${want}"} 1`);
      seen.push(want);
      reloads++;
    }
    expect(await exited(gen)).toBe(0);
    const files = manifestFiles(manifest);
    const lines = Object.values(files).reduce((a, b) => a + b, 0);
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
