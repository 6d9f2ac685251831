// BENCHMARKS.md §4, "an output down for 5 minutes": `sluice run` ships generated logs to the
// OpenSearch of test/env through a disk buffer while the generator keeps writing; OpenSearch is
// stopped for BENCH_OUTAGE_SECONDS (default 300) and started again; every sequence tag is then
// looked up in the index. Needs `npm run test:env -- up opensearch`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import type { VerifyReport } from '../../agent/src/loadgen/verify.ts';
import { openSearchEnv, stopComponentProcess } from '../env/index.ts';
import { generator, manifestOf, type Row } from './reliability.ts';

const root = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAG = /SEQ:(f\d+):(\d+);/g;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).status === 200;
  } catch {
    return false;
  }
}

/** Counts each tag in the index: distinct delivered, lost, repeated. */
async function tally(os: Client, index: string, manifest: Record<string, number>): Promise<VerifyReport> {
  const seen = new Map<string, Uint16Array>();
  for (const [f, n] of Object.entries(manifest)) seen.set(f, new Uint16Array(n));
  let unknown = 0;
  let after: unknown[] | undefined;
  for (;;) {
    const r = await os.search({
      index,
      body: {
        size: 10_000,
        sort: ['_doc'],
        ...(after ? { search_after: after } : {}),
        query: { match_all: {} },
      },
    } as never);
    const hits = (r.body as { hits: { hits: { _source: unknown; sort: unknown[] }[] } }).hits.hits;
    if (hits.length === 0) break;
    for (const h of hits)
      for (const m of JSON.stringify(h._source).matchAll(TAG)) {
        const counts = seen.get(m[1]!);
        const i = Number(m[2]);
        if (counts && i < counts.length) counts[i]!++;
        else unknown++;
      }
    after = hits[hits.length - 1]!.sort;
  }
  const rep: VerifyReport = {
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    lostSample: [],
    unknown,
  };
  for (const [f, counts] of seen)
    counts.forEach((c, i) => {
      rep.expected++;
      if (c === 0) {
        rep.lost++;
        if (rep.lostSample.length < 20) rep.lostSample.push(`${f}:${i}`);
      } else {
        rep.delivered += c; // every delivery, as verifyOutputs counts
        rep.duplicates += c - 1;
      }
    });
  return rep;
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
  const gen = generator(dir, ['--files', '2', '--rate', String(rate), '--duration', String(seconds + 60)]);
  while (!existsSync(join(dir, 'logs'))) await sleep(50);
  const agent: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'bin/sluice.js'),
      'run',
      '-f',
      join(dir, 'resources.yaml'),
      '--logs',
      join(dir, 'logs'),
      '--data-dir',
      join(dir, 'data'),
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  await sleep(30_000);
  const stopped = stopComponentProcess('opensearch');
  try {
    await sleep(seconds * 1000);
  } finally {
    stopped.start();
  }
  for (let i = 0; i < 360 && !(await healthy(env.url)); i++) await sleep(500);
  await new Promise((r) => (gen.proc.exitCode !== null ? r(0) : gen.proc.once('exit', r)));
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
  await new Promise((r) => (agent.exitCode !== null ? r(0) : agent.once('exit', r)));
  await os.indices.delete({ index }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  return {
    scenario: `OpenSearch stopped for ${seconds / 60 >= 1 ? `${seconds / 60} min` : `${seconds} s`} mid-run (disk buffer)`,
    generated: m.lines,
    rep,
    allowedDuplicates: 0,
    note: `${Math.round(m.lines / (seconds + 60)).toLocaleString('en')} lines/s (the generator's ${rate.toLocaleString('en')} events/s; traces are several lines) from 2 files throughout; documents carry ids from file identity and offset, so retries overwrite`,
  };
}
