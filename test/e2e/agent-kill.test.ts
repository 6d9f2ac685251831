// Kill test (DESIGN.md guarantees): the generator writes ≥ 20,000 lines/s (measured over the kill
// window from its manifest) while `sluice run` is SIGKILLed at random moments 20 times and
// restarted; a final `--once` run drains the rest. The checker must find every line, and the
// output written after each kill (the file's size is recorded at every kill) may repeat at most
// one batch: duplicates ≤ one batch per kill, per kill.

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DEFAULTS } from '../../agent/src/config/defaults.ts';
import { duplicatesBySegment, verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import { cli, exited, generate, sleep, sluice, until, workDir } from './agent-helpers.ts';

const BATCH = DEFAULTS.batchMaxRecords; // 4096

describe('agent under SIGKILL', () => {
  test('20 kills at ≥ 20,000 lines/s: 0 lost, duplicates ≤ one batch per kill', async () => {
    const { dir, logs, data, manifest } = await workDir('kill');
    const out = join(dir, 'out.ndjson');
    const gen = generate(logs, manifest, {
      files: 4,
      rate: 16000,
      duration: 30,
      partialFraction: 0.05,
    });
    const genDone = exited(gen);
    const runArgs = ['run', '--logs', logs, '--output', out, '--data-dir', data];
    // Lines written so far, by the generator's manifest (renamed into place, never half-written).
    const linesNow = (): number | undefined => {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { lines: number }).lines;
      } catch {
        return undefined; // not written yet
      }
    };
    // The kill window starts once the generator is writing (a loaded machine starts it late).
    const linesAtStart = await until(() => {
      const n = linesNow();
      return n !== undefined && n > 0 ? n : undefined;
    }, 30_000);
    const sizeNow = () => {
      try {
        return statSync(out).size;
      } catch {
        return 0;
      }
    };
    let kills = 0;
    const bounds = [0];
    const started = Date.now();
    while (kills < 20) {
      const agent = sluice(runArgs, 'ignore');
      await sleep(400 + Math.random() * 800);
      agent.kill('SIGKILL');
      await exited(agent);
      kills++;
      bounds.push(sizeNow());
    }
    const elapsed = (Date.now() - started) / 1000;
    const rate = (linesNow()! - linesAtStart) / elapsed;
    gen.kill('SIGTERM');
    expect(await genDone).toBe(0);
    const r = spawnSync(process.execPath, [cli, ...runArgs, '--once'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { files: Record<string, number>; lines: number };
    const rep = verifyOutputs([out], m.files);
    const perKill = duplicatesBySegment(out, bounds, m.files);
    process.stdout.write(
      `kill test: ${m.lines} lines, ${Math.round(rate)} lines/s over ${elapsed.toFixed(1)} s of kills, ${kills} kills, lost ${rep.lost}, duplicates ${rep.duplicates} (after each kill: ${perKill.slice(1).join(' ')})\n`,
    );
    expect(rate).toBeGreaterThanOrEqual(20_000);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(rep.lost).toBe(0);
    expect(rep.lostSample).toEqual([]);
    // Segment 0 is the first run (no kill before it); segment k what was written after kill k.
    expect(perKill[0]).toBe(0);
    expect(perKill.slice(1).filter((d) => d > BATCH)).toEqual([]);
    expect(perKill.reduce((a, b) => a + b, 0)).toBe(rep.duplicates);
  }, 180_000);
});
