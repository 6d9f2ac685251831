// BENCHMARKS.md §2: end-to-end latency. A writer appends CRI lines at a steady 10,000 lines/s for
// 60 s (BENCH_LATENCY_SECONDS) to 4 container logs, each line carrying its sequence number and
// write time; the compiled agent (`sluice agent`, one pipeline, two outputs) ships them to Kafka
// and OpenSearch. Latency is write → consumed from Kafka (every record) and write → searchable in
// OpenSearch (every 10th record, polled every 250 ms, so ±125 ms resolution; OpenSearch makes
// documents searchable on its 1 s refresh). At the end every record is counted at both sinks.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import * as kafkajs from 'kafkajs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';
import { compileResources } from '../../operator/src/compile/index.ts';
import { kafkaEnv, openSearchEnv } from '../env/index.ts';
import { NODE_FLAGS } from './agent-throughput.ts';
import type { Bench, BenchRun } from './types.ts';

const RATE = 10_000;
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 60);
const FILES = 4;
const PROBE = 10;
const root = join(tmpdir(), 'sluice-bench-latency');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let notes: string[] = [];

async function once(): Promise<BenchRun> {
  rmSync(root, { recursive: true, force: true });
  const logs = join(root, 'logs');
  const fds: number[] = [];
  for (let i = 0; i < FILES; i++) {
    const d = join(logs, `bench_lat-${i}-5d8c7b9f4-q${i}x_0000000${i}-dddd-eeee-ffff-00000000000${i}`, 'app');
    mkdirSync(d, { recursive: true });
    fds.push(openSync(join(d, '0.log'), 'a'));
  }
  const kenv = kafkaEnv();
  const oenv = openSearchEnv();
  const stamp = Date.now();
  const topic = `latency-${stamp}`;
  const index = `latency-${stamp}`;
  const k = new kafkajs.Kafka({
    clientId: 'bench',
    brokers: kenv.plaintext.brokers,
    logLevel: kafkajs.logLevel.NOTHING,
  });
  installCodecs(kafkajs);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const r = compileResources(
    [
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'LogOutput',
        metadata: { name: 'kafka', namespace: 'bench' },
        spec: { kafka: { brokers: kenv.plaintext.brokers, topic, compression: 'zstd' } },
      },
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'LogOutput',
        metadata: { name: 'search', namespace: 'bench' },
        spec: { opensearch: { endpoints: [oenv.url], index } },
      },
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'LogPipeline',
        metadata: { name: 'app', namespace: 'bench' },
        spec: { outputs: [{ name: 'kafka' }, { name: 'search' }] },
      },
    ],
    {
      agent: {
        podLogsDir: logs,
        dataDir: join(root, 'data'),
        httpPort: 0,
        enrichment: { kubernetes: false },
      },
    },
  );
  if (r.problems.length > 0) throw new Error(JSON.stringify(r.problems));
  writeFileSync(join(root, 'agent.json'), JSON.stringify(r.config));
  const usage = join(root, 'usage.json');
  const entry = `const {command} = await import(${JSON.stringify(new URL('../../dist/cli/commands/agent.js', import.meta.url).href)}); process.exitCode = await command.run(process.argv.slice(1));`;
  const agent: ChildProcess = spawn(
    process.execPath,
    [...NODE_FLAGS, '--input-type=module', '-e', entry, '--', '--config', join(root, 'agent.json')],
    {
      env: { ...process.env, SLUICE_USAGE_FILE: usage },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((res) => agent.on('exit', res));

  const total = RATE * SECONDS;
  const written = new Float64Array(total);
  const kafkaSeen = new Float64Array(total);
  const osSeen = new Float64Array(total);
  const consumer = k.consumer({ groupId: `${topic}-bench`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const N = /"n":(\d+)/;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const n = Number(N.exec(m.value!.toString('latin1'))?.[1]);
        if (n < total && kafkaSeen[n] === 0) kafkaSeen[n] = now;
      }
    },
  });
  const os = new Client({ node: oenv.url });
  let low = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await sleep(250);
      try {
        for (;;) {
          const res = await os.search({
            index,
            body: {
              size: 10_000,
              _source: false,
              docvalue_fields: ['n'],
              sort: [{ n: 'asc' }],
              query: { bool: { filter: [{ term: { probe: true } }, { range: { n: { gte: low } } }] } },
            },
          } as never);
          const now = Date.now();
          const hits = (res.body as unknown as { hits: { hits: { fields: { n: number[] } }[] } }).hits.hits;
          for (const h of hits) {
            const n = h.fields.n[0]!;
            if (osSeen[n] === 0) osSeen[n] = now;
          }
          while (low < total && (osSeen[low] !== 0 || low % PROBE !== 0)) low++;
          if (hits.length < 10_000) break;
        }
      } catch {
        // the index appears with the first bulk request
      }
    }
  })();

  // The writer: 10,000 lines/s, in 10 ms ticks, round-robin over the files.
  await sleep(1000);
  const start = Date.now();
  let n = 0;
  const seq = new Array(FILES).fill(0);
  while (n < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) * RATE) / 1000));
    const chunks: string[][] = fds.map(() => []);
    const now = Date.now();
    const iso = new Date(now).toISOString().replace('Z', '000000Z');
    for (; n < due; n++) {
      const f = n % FILES;
      written[n] = now;
      chunks[f]!.push(
        `${iso} stdout F {"n":${n},"wt":${now},"probe":${n % PROBE === 0},"msg":"latency probe SEQ:f${f}:${seq[f]++};"}\n`,
      );
    }
    for (let f = 0; f < FILES; f++) if (chunks[f]!.length > 0) writeSync(fds[f]!, chunks[f]!.join(''));
    await sleep(10);
  }
  for (const fd of fds) closeSync(fd);
  const deadline = Date.now() + 60_000;
  const allSeen = () => {
    for (let i = 0; i < total; i++)
      if (kafkaSeen[i] === 0 || (i % PROBE === 0 && osSeen[i] === 0)) return false;
    return true;
  };
  while (Date.now() < deadline && !allSeen()) await sleep(500);
  polling = false;
  await poller;
  await consumer.disconnect();
  agent.kill('SIGTERM');
  await exited;
  await os.indices.refresh({ index });
  const indexed = Number((await os.count({ index })).body.count);
  await os.close();

  const kl: number[] = [];
  const ol: number[] = [];
  let kafkaLost = 0;
  for (let i = 0; i < total; i++) {
    if (kafkaSeen[i] === 0) kafkaLost++;
    else kl.push(kafkaSeen[i]! - written[i]!);
    if (i % PROBE === 0 && osSeen[i] !== 0) ol.push(osSeen[i]! - written[i]!);
  }
  kl.sort((a, b) => a - b);
  ol.sort((a, b) => a - b);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const p99 = Math.max(percentile(kl, 99), percentile(ol, 99));
  notes = [
    `| to | records measured | p50 | p99 | max | lost |`,
    `|---|---|---|---|---|---|`,
    `| Kafka (consumed) | ${kl.length.toLocaleString('en')} | ${s(percentile(kl, 50))} | ${s(percentile(kl, 99))} | ${s(kl.at(-1) ?? Number.NaN)} | ${kafkaLost} |`,
    `| OpenSearch (searchable) | ${ol.length.toLocaleString('en')} probes | ${s(percentile(ol, 50))} | ${s(percentile(ol, 99))} | ${s(ol.at(-1) ?? Number.NaN)} | ${total - indexed} (of ${total.toLocaleString('en')} counted) |`,
    '',
  ];
  process.stdout.write(`  ${notes.slice(2, 4).join('\n  ')}\n`);
  latencyP99 = p99;
  lostTotal = kafkaLost + (total - indexed);
  const u = JSON.parse(readFileSync(usage, 'utf8')) as {
    userUs: number;
    systemUs: number;
    peakRssKb: number;
  };
  const cpu = (u.userUs + u.systemUs) / 1e6;
  return {
    records: total,
    cpuSeconds: cpu,
    userSeconds: u.userUs / 1e6,
    systemSeconds: u.systemUs / 1e6,
    recordsPerCpuSecond: total / cpu,
    peakRssMb: u.peakRssKb / 1024,
  };
}

let latencyP99 = Number.NaN;
let lostTotal = -1;

export const latency: Bench = {
  name: 'latency',
  title: 'End-to-end latency at 10,000 lines/s (BENCHMARKS.md §2)',
  runs: 1,
  prepare: () =>
    `${RATE.toLocaleString('en')} lines/s for ${SECONDS} s over ${FILES} files, one agent shipping to Kafka and OpenSearch (agent CPU-s over the whole run, idle included)`,
  once,
  notes: () => notes,
  target: () => latencyP99 < 2000 && lostTotal === 0,
  targetText: 'p99 < 2 s from write to Kafka and to searchable in OpenSearch, nothing lost',
};
