// BENCHMARKS.md §4, "an output down for 5 minutes": `sluice run` ships generated logs to the
// OpenSearch of test/env through a disk buffer while the generator keeps writing; OpenSearch is
// stopped for BENCH_OUTAGE_SECONDS (default 300) and started again; every sequence tag is then
// looked up in the index. Needs `npm run test:env -- up opensearch`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { Tally, type VerifyReport } from '../../agent/src/loadgen/verify.ts';
import { exited, sleep, sluice } from '../e2e/agent-helpers.ts';
import { openSearchEnv, stopComponentProcess } from '../env/index.ts';
import { eachSource } from '../integration/sinks/opensearch-docs.ts';
import { generator, manifestOf, type Row } from './reliability.ts';

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).status === 200;
  } catch {
    return false;
  }
}

/** Counts each tag in the index: distinct delivered, lost, repeated. */
async function tally(os: Client, index: string, manifest: Record<string, number>): Promise<VerifyReport> {
  const t = new Tally(manifest);
  await eachSource(os, index, (json) => t.add(json));
  return t.report();
}

export async function outage(): Promise<Row> {
  const seconds = Number(process.env.BENCH_OUTAGE_SECONDS ?? 300);
  const env = openSearchEnv();
  const os = new Client({ node: env.url });
  const index = `reliability-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-outage-'));
  writeFileSync(
    join(dir, 'resources.yaml'),
    `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: search, namespace: bench}
spec:
  opensearch: {endpoints: ["${env.url}"], index: ${index}}
  buffer: {type: disk, maxSize: 2Gi, whenFull: block}
  retry: {initialBackoff: 500ms, maxBackoff: 10s}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: app, namespace: bench}
spec:
  outputs: [{name: search}]
`,
  );
  const rate = 2000;
  const gen = await generator(dir, [
    '--files',
    '2',
    '--rate',
    String(rate),
    '--duration',
    String(seconds + 60),
  ]);
  const agent = sluice(
    ['run', '-f', join(dir, 'resources.yaml'), '--logs', join(dir, 'logs'), '--data-dir', join(dir, 'data')],
    'ignore',
  );
  await sleep(30_000);
  const stopped = stopComponentProcess('opensearch');
  try {
    await sleep(seconds * 1000);
  } finally {
    stopped.start();
  }
  for (let i = 0; i < 360 && !(await healthy(env.url)); i++) await sleep(500);
  await exited(gen.proc);
  const m = manifestOf(gen.manifest);
  // Drained when the index holds every line (or stops growing for a minute).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 600 && still < 60; i++) {
    await sleep(1000);
    const n = await os
      .count({ index })
      .then((r) => (r.body as { count: number }).count)
      .catch(() => -1);
    if (n >= m.lines) break;
    still = n === last ? still + 1 : 0;
    last = n;
  }
  await os.indices.refresh({ index });
  const rep = await tally(os, index, m.files);
  agent.kill('SIGTERM');
  await exited(agent);
  await os.indices.delete({ index }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  return {
    scenario: `OpenSearch stopped for ${seconds / 60 >= 1 ? `${seconds / 60} min` : `${seconds} s`} mid-run (disk buffer)`,
    generated: m.lines,
    rep,
    allowedDuplicates: 0,
    orderMeasured: false, // documents are read back in index order, not delivery order
    note: `${Math.round(m.lines / (seconds + 60)).toLocaleString('en')} lines/s (the generator's ${rate.toLocaleString('en')} events/s; traces are several lines) from 2 files throughout; documents carry ids from file identity and offset, so retries overwrite`,
  };
}
