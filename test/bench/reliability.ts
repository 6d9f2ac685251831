// BENCHMARKS.md §4, reliability figures: lines generated vs delivered vs duplicated under
// - 20 random SIGKILLs of the agent during a run at ≥ 20,000 lines/s,
// - rename rotation, and copytruncate rotation, about every second,
// - an output down for 5 minutes (OpenSearch of test/env stopped; BENCH_OUTAGE_SECONDS to change).
// BENCH_RELIABILITY=kills,rename,copytruncate,outage picks scenarios (default all).
// Target: 0 lost, duplicates ≤ one batch per kill. Counts, not timings: a loaded machine slows the
// run but must not change the figures. The process-level tests prove the same at a smaller scale.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type VerifyReport, verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import { cli, exited, sleep, sluice } from '../e2e/agent-helpers.ts';
import { outage } from './reliability-outage.ts';

export const BATCH = 4096; // DEFAULTS.batchMaxRecords: the most one kill can re-deliver per output

export interface Row {
  scenario: string;
  generated: number;
  rep: VerifyReport;
  /** duplicates allowed (one batch per kill); 0 where nothing was killed */
  allowedDuplicates: number;
  /** false where the sink's read-back order is not delivery order (search results) */
  orderMeasured?: boolean;
  note: string;
}

/** `sluice generate` into dir/logs; resolves once that directory exists (`sluice run` refuses a missing one). */
export async function generator(
  dir: string,
  args: string[],
): Promise<{ proc: ChildProcess; manifest: string }> {
  const manifest = join(dir, 'manifest.json');
  const proc = sluice(['generate', '--dir', join(dir, 'logs'), '--manifest', manifest, ...args], 'ignore');
  while (!existsSync(join(dir, 'logs'))) await sleep(50);
  return { proc, manifest };
}
export const manifestOf = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, number>; lines: number };

async function kills(): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-kill-'));
  const out = join(dir, 'out.ndjson');
  const agentArgs = ['run', '--logs', join(dir, 'logs'), '--output', out, '--data-dir', join(dir, 'data')];
  const gen = await generator(dir, [
    '--files',
    '4',
    '--rate',
    '24000',
    '--duration',
    '40',
    '--partial-fraction',
    '0.05',
  ]);
  const started = Date.now();
  let n = 0;
  while (n < 20) {
    const agent = sluice(agentArgs, 'ignore');
    await sleep(500 + Math.random() * 1000);
    agent.kill('SIGKILL');
    await exited(agent);
    n++;
  }
  const seconds = (Date.now() - started) / 1000;
  gen.proc.kill('SIGTERM');
  await exited(gen.proc);
  spawnSync(process.execPath, [cli, ...agentArgs, '--once']);
  const m = manifestOf(gen.manifest);
  const rep = verifyOutputs([out], m.files);
  rmSync(dir, { recursive: true, force: true });
  return {
    scenario: '20 random SIGKILLs of the agent (`sluice run`, file output)',
    generated: m.lines,
    rep,
    allowedDuplicates: n * BATCH,
    note: `${Math.round(m.lines / seconds).toLocaleString('en')} lines/s while killing; 4 files, 5 % partial lines`,
  };
}

async function rotation(mode: 'rename' | 'copytruncate'): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-rel-${mode}-`));
  const out = join(dir, 'out.ndjson');
  // 2 files × 2,000 lines/s × ~240 B ≈ 480 kB/s per file: one rotation a second per file.
  const gen = await generator(dir, [
    '--files',
    '2',
    '--rate',
    '4000',
    '--duration',
    '60',
    '--rotate',
    mode,
    '--rotate-bytes',
    '480000',
  ]);
  const agent = sluice(
    ['run', '--logs', join(dir, 'logs'), '--output', out, '--data-dir', join(dir, 'data')],
    'ignore',
  );
  await exited(gen.proc);
  const m = manifestOf(gen.manifest);
  let rep = verifyOutputs([out], m.files);
  for (let i = 0; i < 120 && rep.lost > 0; i++) {
    await sleep(500);
    rep = verifyOutputs([out], m.files);
  }
  agent.kill('SIGTERM');
  await exited(agent);
  rmSync(dir, { recursive: true, force: true });
  return {
    scenario: `${mode} rotation about every second, for 60 s`,
    generated: m.lines,
    rep,
    allowedDuplicates: 0,
    note: '2 files at 2,000 lines/s each, rotated past 480 kB',
  };
}

function table(rows: Row[]): string[] {
  return [
    '| scenario | generated | delivered (distinct) | lost | duplicated | out of order | target met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const met = r.rep.lost === 0 && r.rep.duplicates <= r.allowedDuplicates;
      return `| ${r.scenario} | ${r.generated.toLocaleString('en')} | ${(r.rep.delivered - r.rep.duplicates).toLocaleString('en')} | **${r.rep.lost}** | ${r.rep.duplicates.toLocaleString('en')}${r.allowedDuplicates ? ` (≤ ${r.allowedDuplicates.toLocaleString('en')} allowed)` : ''} | ${r.orderMeasured === false ? '—' : r.rep.outOfOrder} | ${met ? 'yes' : '**no**'} |`;
    }),
    '',
    ...rows.map((r) => `- ${r.scenario}: ${r.note}.`),
  ];
}

/** The docs section; runs every scenario once. */
export async function reliability(): Promise<string> {
  const rows: Row[] = [];
  const scenarios: Record<string, () => Promise<Row>> = {
    kills,
    rename: () => rotation('rename'),
    copytruncate: () => rotation('copytruncate'),
    outage,
  };
  const only = process.env.BENCH_RELIABILITY?.split(',');
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    const r = await run();
    process.stdout.write(
      `  ${r.scenario}: generated ${r.generated}, delivered ${r.rep.delivered}, lost ${r.rep.lost}, duplicates ${r.rep.duplicates}, out of order ${r.orderMeasured === false ? 'not measured' : r.rep.outOfOrder}\n`,
    );
    rows.push(r);
  }
  return [
    '## Reliability (BENCHMARKS.md §4) — `test/bench/reliability.ts`',
    '',
    'Every line carries a sequence tag; the checker (`sluice generate --verify`) counts each tag delivered, missing or repeated. One run of each scenario.',
    '',
    ...table(rows),
    '',
    'Target: 0 lost, duplicates ≤ one batch (4,096 records) per kill.',
    '',
  ].join('\n');
}
