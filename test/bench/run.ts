// `npm run bench`: every benchmark in ./benches, several runs each, medians printed and written
// to docs/benchmarks.md. Not a test: nothing fails on timings (machines are shared and noisy);
// CPU-seconds are measured inside the measured process, never wall time.
//   BENCH_RUNS=5 npm run bench          (default 3)   BENCH_ONLY=agent-throughput,sink-kafka npm run bench
//   BENCH_ONLY=patterns npm run bench   (the tenant pattern engine against irregexp, in-process)
//   BENCH_ONLY=pipelines npm run bench  (1, 5 and 20 pipelines on the same files)
// The sink and latency benchmarks need the test environment: npm run test:env -- up kafka opensearch s3
// (reliability needs opensearch; operator-scale brings up kube itself; kafka-consumer needs kafka and kafka4).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { TITLE as AGENT_TITLE, agentThroughputSection } from './agent-throughput.ts';
import { KAFKA_CONSUMER_TITLE, kafkaConsumerSection } from './kafka-consumer.ts';
import { latency } from './latency.ts';
import { median } from './median.ts';
import { operatorScale } from './operator-scale.ts';
import { patternEngine } from './patterns.ts';
import { PIPELINES_TITLE, pipelinesSection } from './pipelines.ts';
import { reliability } from './reliability.ts';
import { sinkBenches } from './sink-throughput.ts';
import type { Bench, BenchRun } from './types.ts';

const benches: Bench[] = [...sinkBenches, latency];

const runs = Number(process.env.BENCH_RUNS ?? 3);
const only = process.env.BENCH_ONLY;
const sections: string[] = [];
// §1 runs Sluice (as deployed and `sluice run` defaults) and Fluent Bit interleaved: its own section.
// It needs `kube` of test/env (started here when it is not running, and stopped after).
if (only === undefined || only.split(',').includes('agent-throughput')) {
  sections.push(await agentThroughputSection(runs));
}
for (const b of benches) {
  if (only !== undefined && !only.split(',').includes(b.name)) continue;
  process.stdout.write(`${b.title}\n  preparing... `);
  const workload = b.prepare();
  process.stdout.write(`${workload}\n`);
  const results: BenchRun[] = [];
  for (let i = 0; i < (b.runs ?? runs); i++) {
    const r = await b.once();
    results.push(r);
    process.stdout.write(
      `  run ${i + 1}: ${r.records} records, ${r.cpuSeconds.toFixed(2)} CPU-s (user ${r.userSeconds.toFixed(2)}, sys ${r.systemSeconds.toFixed(2)}), ${Math.round(r.recordsPerCpuSecond).toLocaleString('en')} rec/CPU-s, peak RSS ${r.peakRssMb.toFixed(1)} MB\n`,
    );
  }
  const m: BenchRun = {
    records: median(results.map((r) => r.records)),
    cpuSeconds: median(results.map((r) => r.cpuSeconds)),
    userSeconds: median(results.map((r) => r.userSeconds)),
    systemSeconds: median(results.map((r) => r.systemSeconds)),
    recordsPerCpuSecond: median(results.map((r) => r.recordsPerCpuSecond)),
    peakRssMb: median(results.map((r) => r.peakRssMb)),
  };
  const met = b.target(m);
  process.stdout.write(
    `  median: ${Math.round(m.recordsPerCpuSecond).toLocaleString('en')} rec/CPU-s, ${m.cpuSeconds.toFixed(2)} CPU-s, peak RSS ${m.peakRssMb.toFixed(1)} MB — target ${met ? 'met' : 'NOT met'}\n`,
  );
  sections.push(
    [
      `## ${b.title}`,
      '',
      `Workload: ${workload}.`,
      '',
      '| run | records | CPU-s (user + sys) | records / CPU-s | peak RSS |',
      '|---|---|---|---|---|',
      ...results.map(
        (r, i) =>
          `| ${i + 1} | ${r.records.toLocaleString('en')} | ${r.cpuSeconds.toFixed(2)} (${r.userSeconds.toFixed(2)} + ${r.systemSeconds.toFixed(2)}) | ${Math.round(r.recordsPerCpuSecond).toLocaleString('en')} | ${r.peakRssMb.toFixed(1)} MB |`,
      ),
      `| **median** | ${m.records.toLocaleString('en')} | ${m.cpuSeconds.toFixed(2)} | **${Math.round(m.recordsPerCpuSecond).toLocaleString('en')}** | **${m.peakRssMb.toFixed(1)} MB** |`,
      '',
      ...(b.notes?.() ?? []),
      `Target: ${b.targetText} — **${met ? 'met' : 'not met'}**.`,
      '',
      ...(b.compare?.(m).flatMap((l) => [l, '']) ?? []),
    ].join('\n'),
  );
}
// 1, 5 and 20 pipelines on the same files (its own section).
if (only === undefined || only.split(',').includes('pipelines')) {
  process.stdout.write(`${PIPELINES_TITLE}\n`);
  sections.push(pipelinesSection(runs));
}
// The tenant pattern engine against irregexp, in-process (its own section).
if (only === undefined || only.split(',').includes('patterns')) {
  process.stdout.write('Tenant pattern engine (issue 14)\n');
  sections.push(patternEngine(runs));
}
// Benchmarks against the test environment, one run each (they report their own section).
if (only === undefined || only.split(',').includes('operator-scale')) {
  process.stdout.write('Operator scale (BENCHMARKS.md §3)\n');
  sections.push(await operatorScale());
}
if (only === undefined || only.split(',').includes('kafka-consumer')) {
  sections.push(await kafkaConsumerSection(runs));
}
if (only === undefined || only.split(',').includes('reliability')) {
  process.stdout.write('Reliability (BENCHMARKS.md §4)\n');
  sections.push(await reliability());
}
mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
const docPath = new URL('../../docs/benchmarks.md', import.meta.url);
// With BENCH_ONLY, the sections of the benchmarks that did not run are kept as they were.
if (only !== undefined && existsSync(docPath)) {
  const ran = new Set(sections.map((s) => s.slice(0, s.indexOf('\n'))));
  const old = readFileSync(docPath, 'utf8')
    .split(/\n(?=## )/)
    .slice(1);
  // generated sections in run order; hand-written ones (other titles) after them
  const order = [
    `## ${AGENT_TITLE}`,
    ...benches.map((b) => `## ${b.title}`),
    `## ${PIPELINES_TITLE}`,
    '## Operator scale (BENCHMARKS.md §3)',
    `## ${KAFKA_CONSUMER_TITLE}`,
  ];
  const rank = (s: string) => {
    const i = order.indexOf(s.slice(0, s.indexOf('\n')));
    return i < 0 ? order.length : i;
  };
  for (const o of old)
    if (!ran.has(o.slice(0, o.indexOf('\n')))) sections.push(o.endsWith('\n') ? o : `${o}\n`);
  sections.sort((a, b) => rank(a) - rank(b));
}
writeFileSync(
  docPath,
  [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (${runs} runs each, medians) on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    'CPU-seconds are user + system time of the measured process; peak RSS is its VmHWM. Machines are shared: compare ratios, not wall time.',
    '',
    ...sections,
  ].join('\n'),
);
