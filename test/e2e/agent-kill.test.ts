// Kill test (DESIGN.md guarantees): the generator writes ≥ 20,000 lines/s while `sluice run` is
// SIGKILLed at random moments 20 times and restarted; a final `--once` run drains the rest. The
// checker must find every line, with duplicates bounded by one batch per kill.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'bin/sluice.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BATCH = 4096; // DEFAULTS.batchMaxRecords

describe('agent under SIGKILL', () => {
  test('20 kills at ≥ 20,000 lines/s: 0 lost, duplicates ≤ one batch per kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kill-'));
    const logs = join(dir, 'logs');
    const out = join(dir, 'out.ndjson');
    const data = join(dir, 'data');
    const manifest = join(dir, 'manifest.json');
    const gen = spawn(
      process.execPath,
      [
        cli,
        'generate',
        '--dir',
        logs,
        '--files',
        '4',
        '--rate',
        '16000',
        '--duration',
        '30',
        '--manifest',
        manifest,
        '--partial-fraction',
        '0.05',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const genDone = new Promise<number>((r) => gen.on('exit', (c) => r(c ?? -1)));
    await sleep(300);
    const agentArgs = [cli, 'run', '--logs', logs, '--output', out, '--data-dir', data];
    let kills = 0;
    const started = Date.now();
    while (kills < 20) {
      const agent: ChildProcess = spawn(process.execPath, agentArgs, {
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      await sleep(400 + Math.random() * 800);
      agent.kill('SIGKILL');
      await new Promise((r) => agent.once('exit', r));
      kills++;
    }
    const elapsed = (Date.now() - started) / 1000;
    gen.kill('SIGTERM');
    expect(await genDone).toBe(0);
    const r = spawnSync(process.execPath, [...agentArgs, '--once'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { files: Record<string, number>; lines: number };
    const rep = verifyOutputs([out], m.files);
    process.stdout.write(
      `kill test: ${m.lines} lines in ${elapsed.toFixed(1)} s of kills (${Math.round(m.lines / elapsed)} lines/s), ${kills} kills, lost ${rep.lost}, duplicates ${rep.duplicates}\n`,
    );
    expect(m.lines / elapsed).toBeGreaterThan(20_000);
    expect(rep.lost).toBe(0);
    expect(rep.lostSample).toEqual([]);
    expect(rep.duplicates).toBeLessThanOrEqual(kills * BATCH);
  }, 180_000);
});
