// Pipelines on the same files (issue 15): 1, 5 and 20 ClusterLogPipelines selecting every file of
// one workload, each with its own file output, run by `sluice agent --once` with the agent's V8
// flags. Each pipeline reads the files itself today; this measures what that costs per record as
// pipelines are added (CPU-s per record per pipeline, flat = each pipeline costs the same).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import { AGENT_ENV, AGENT_NODE_OPTIONS } from '../../contract/node-flags.ts';
import { workload } from './workload.ts';

const FILES = 4;
const EVENTS = 50_000;
const COUNTS = [1, 5, 20];
const repo = new URL('../../', import.meta.url).pathname;

const w = workload({
  name: 'pipelines',
  files: FILES,
  events: EVENTS,
  seed: 15,
  pod: (i, id) => ({
    uid: id.uid,
    name: id.pod,
    namespace: id.ns,
    labels: { app: `app-${i}` },
    containers: [{ name: 'app', image: 'registry.example/app:1.0' }],
  }),
  namespaces: [],
});

interface Run {
  pipelines: number;
  records: number;
  cpuSeconds: number;
  peakRssMb: number;
}

function once(n: number): Run {
  const dir = join(w.root, `run-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outs = Array.from({ length: n }, (_, i) => join(dir, `out${i}.ndjson`));
  const config = {
    apiVersion: 'agent.sluice.dev/v1',
    agent: {
      podLogsDir: w.logs,
      dataDir: join(dir, 'data'),
      httpPort: 0,
      enrichment: { metadataFile: w.metadataPath },
    },
    pipelines: outs.map((_o, i) => ({
      id: `p${i}`,
      kind: 'ClusterLogPipeline',
      name: `p${i}`,
      outputs: [`o${i}`],
    })),
    outputs: outs.map((path, i) => ({ id: `o${i}`, type: 'file', options: { path } })),
  };
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(config));
  const usage = join(dir, 'usage.json');
  const r = spawnSync(process.execPath, [join(repo, 'bin/sluice.js'), 'agent', '--config', file, '--once'], {
    env: {
      ...process.env,
      NODE_OPTIONS: AGENT_NODE_OPTIONS,
      ...AGENT_ENV,
      SLUICE_USAGE_FILE: usage,
      SLUICE_NODE_FLAGS: 'off',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`sluice agent failed (${r.status}): ${r.stderr}`);
  const u = JSON.parse(readFileSync(usage, 'utf8')) as {
    userUs: number;
    systemUs: number;
    peakRssKb: number;
  };
  const files = (JSON.parse(readFileSync(w.manifestPath, 'utf8')) as { files: Record<string, number> }).files;
  let records = 0;
  for (const o of outs) {
    const v = verifyOutputs([o], files);
    if (v.lost > 0) throw new Error(`${n} pipelines: lost ${v.lost} records in ${o}`);
    records += v.delivered;
  }
  rmSync(dir, { recursive: true, force: true });
  return { pipelines: n, records, cpuSeconds: (u.userUs + u.systemUs) / 1e6, peakRssMb: u.peakRssKb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export const PIPELINES_TITLE = 'Pipelines on the same files (issue 15)';

export function pipelinesSection(runs: number): string {
  const size = w.prepare();
  process.stdout.write(`  workload: ${FILES} files, ${size.lines.toLocaleString('en')} lines\n`);
  const byN = new Map<number, Run[]>(COUNTS.map((n) => [n, []]));
  // Interleaved: each round runs every count once, so load changes hit them alike.
  for (let round = 0; round < runs; round++)
    for (const n of COUNTS) {
      const r = once(n);
      byN.get(n)!.push(r);
      process.stdout.write(
        `  ${n} pipelines: ${r.records} records, ${r.cpuSeconds.toFixed(2)} CPU-s, peak RSS ${r.peakRssMb.toFixed(1)} MB\n`,
      );
    }
  const base = median(byN.get(1)!.map((r) => (r.cpuSeconds / r.records) * 1e6));
  const rows = COUNTS.map((n) => {
    const rs = byN.get(n)!;
    const us = median(rs.map((r) => (r.cpuSeconds / r.records) * 1e6));
    return `| ${n} | ${median(rs.map((r) => r.records)).toLocaleString('en')} | ${median(rs.map((r) => r.cpuSeconds)).toFixed(2)} | ${us.toFixed(2)} µs | ×${(us / base).toFixed(2)} | ${median(rs.map((r) => r.peakRssMb)).toFixed(1)} MB |`;
  });
  return [
    `## ${PIPELINES_TITLE}`,
    '',
    `${FILES} container log files, ${size.lines.toLocaleString('en')} lines (the §1 generator's mix), read by 1, 5 and 20 ClusterLogPipelines that each select every file and write their own file output; \`sluice agent --once\` with the agent's V8 flags; ${runs} interleaved rounds, medians. Records are delivered records summed over the pipelines (every one verified, none lost). Each pipeline reads the files itself.`,
    '',
    '| pipelines | records delivered | CPU-s | CPU per delivered record | vs 1 pipeline | peak RSS |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Each pipeline added costs ${marginal(byN, size.lines).toFixed(2)} µs of CPU per record it delivers (the ${COUNTS.at(-1)}-pipeline run against the 1-pipeline run), and ${rssPer(byN).toFixed(1)} MB of peak RSS.`,
    '',
  ].join('\n');
}

/** CPU µs per record of each pipeline beyond the first. */
function marginal(byN: Map<number, Run[]>, lines: number): number {
  const n = COUNTS.at(-1)!;
  const cpu = (k: number) => median(byN.get(k)!.map((r) => r.cpuSeconds));
  return ((cpu(n) - cpu(1)) / ((n - 1) * lines)) * 1e6;
}

/** Peak RSS of each pipeline beyond the first, MB. */
function rssPer(byN: Map<number, Run[]>): number {
  const n = COUNTS.at(-1)!;
  const rss = (k: number) => median(byN.get(k)!.map((r) => r.peakRssMb));
  return (rss(n) - rss(1)) / (n - 1);
}
