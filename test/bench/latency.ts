// BENCHMARKS.md §2: end-to-end latency. A writer appends CRI lines at a steady 10,000 lines/s for
// 60 s (BENCH_LATENCY_SECONDS) to 4 container logs, each line carrying its sequence number and
// write time; the compiled agent (`sluice agent`, one pipeline, two outputs) ships them to Kafka
// and OpenSearch. Latency is write → consumed from Kafka (every record) and write → searchable in
// OpenSearch (every 10th record, polled every 50 ms (BENCH_LATENCY_POLL_MS); OpenSearch makes
// documents searchable on its 1 s refresh, and the run reports how far apart the moments were
// when new probes became searchable). At the end every record is counted at both sinks.
// BENCH_LATENCY_DUMP=PREFIX writes every probe's times to PREFIX.<run>.tsv.
// As deployed: TLS on both outputs (Kafka's SASL_SSL listener with SCRAM-SHA-512, OpenSearch behind
// the test env's HTTPS proxy with basic auth, each trusting the env's CA), credentials from Secrets
// (files in the agent's secrets directory: no apiserver here), the metrics endpoint on, the agent
// compiled and started with contract/node-flags.ts. The bench itself consumes and searches over the
// plain listeners of the same servers. 3 runs (BENCH_LATENCY_RUNS).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import * as kafkajs from 'kafkajs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';
import { compileResources } from '../../operator/src/compile/index.ts';
import { kafkaEnv, openSearchEnv } from '../env/index.ts';
import { freePort } from '../env/ports.ts';
import { NODE_FLAGS } from './agent-throughput.ts';
import { buildDist } from './build-dist.ts';
import { median } from './median.ts';
import type { Bench, BenchRun } from './types.ts';

const RATE = 10_000;
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 60);
const FILES = 4;
const PROBE = 10;
/** How often the bench searches for new probes: the searchable time is known to within this. */
const POLL_MS = Number(process.env.BENCH_LATENCY_POLL_MS ?? 50);
const root = join(tmpdir(), 'sluice-bench-latency');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const notes: string[] = [];
const p99s: { kafka: number; search: number }[] = [];
let run = 0;

async function once(): Promise<BenchRun> {
  const load0 = loadavg()[0]!;
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
  const port = await freePort();
  // The Secrets the outputs reference, as files <dir>/<namespace>/<name>/<key>.
  const secrets = join(root, 'secrets');
  const secret = (name: string, data: Record<string, string>) => {
    mkdirSync(join(secrets, 'bench', name), { recursive: true });
    for (const [k, v] of Object.entries(data)) writeFileSync(join(secrets, 'bench', name, k), v);
  };
  secret('kafka-user', { username: kenv.saslSsl.username, password: kenv.saslSsl.password });
  secret('opensearch-writer', { username: oenv.secure.username, password: oenv.secure.password });
  for (const [name, ca] of [
    ['kafka-ca', kenv.saslSsl.caFile],
    ['opensearch-ca', oenv.secure.caFile],
  ] as const) {
    mkdirSync(join(secrets, 'bench', name), { recursive: true });
    copyFileSync(ca, join(secrets, 'bench', name, 'ca.crt'));
  }
  const r = compileResources(
    [
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'LogOutput',
        metadata: { name: 'kafka', namespace: 'bench' },
        spec: {
          kafka: {
            brokers: kenv.saslSsl.brokers,
            topic,
            compression: 'zstd',
            tls: { ca: { name: 'kafka-ca', key: 'ca.crt' } },
            sasl: {
              mechanism: 'scram-sha-512',
              username: { name: 'kafka-user', key: 'username' },
              password: { name: 'kafka-user', key: 'password' },
            },
          },
        },
      },
      {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'LogOutput',
        metadata: { name: 'search', namespace: 'bench' },
        spec: {
          opensearch: {
            endpoints: [oenv.secure.url],
            index,
            auth: {
              basic: {
                username: { name: 'opensearch-writer', key: 'username' },
                password: { name: 'opensearch-writer', key: 'password' },
              },
            },
            tls: { ca: { name: 'opensearch-ca', key: 'ca.crt' } },
          },
        },
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
        httpPort: port,
        httpHost: '127.0.0.1',
        enrichment: { kubernetes: false },
        secrets: { directory: secrets },
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
      await sleep(POLL_MS);
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

  // Warm-up: one line per file, and the measurement starts once both outputs delivered them (the
  // TLS handshakes, SASL and the first metadata requests are the agent's start, not its latency).
  const iso0 = new Date().toISOString().replace('Z', '000000Z');
  for (const fd of fds) writeSync(fd, `${iso0} stdout F {"n":-1,"warmup":true,"msg":"warm-up"}\n`);
  const warm = Date.now() + 60_000;
  for (;;) {
    if (agent.exitCode !== null || agent.signalCode !== null)
      throw new Error(
        `the agent exited (${agent.exitCode ?? agent.signalCode}) before the warm-up; its stderr is above`,
      );
    if (Date.now() > warm) throw new Error('the agent did not deliver the warm-up lines within 60 s');
    await sleep(100);
    try {
      const st = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        outputs: { delivered: number }[];
      };
      if (st.outputs.length === 2 && st.outputs.every((o) => o.delivered >= FILES)) break;
    } catch {
      // not listening yet
    }
  }
  // With BENCH_LATENCY_DUMP: the agent's delivered counts every 100 ms, to tell an agent that
  // stopped delivering from a sink that stopped showing what it received.
  const deliveries: string[] = [];
  let sampling = process.env.BENCH_LATENCY_DUMP !== undefined;
  const sampler = (async () => {
    while (sampling) {
      try {
        const st = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
          outputs: { delivered: number }[];
        };
        deliveries.push(`${Date.now()}\t${st.outputs.map((o) => o.delivered).join('\t')}`);
      } catch {
        // between two samples
      }
      await sleep(100);
    }
  })();
  // The writer: 10,000 lines/s, in 10 ms ticks, round-robin over the files.
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
  // Wait while the sinks still catch up: until everything arrived, or 60 s without progress.
  const missing = () => {
    let m = 0;
    for (let i = 0; i < total; i++) if (kafkaSeen[i] === 0 || (i % PROBE === 0 && osSeen[i] === 0)) m++;
    return m;
  };
  let left = missing();
  let progressAt = Date.now();
  while (left > 0 && Date.now() - progressAt < 60_000) {
    await sleep(500);
    const now = missing();
    if (now < left) progressAt = Date.now();
    left = now;
  }
  polling = false;
  await poller;
  sampling = false;
  await sampler;
  await consumer.disconnect();
  agent.kill('SIGTERM');
  await exited;
  await os.indices.refresh({ index });
  const indexed = Number(
    (await os.count({ index, body: { query: { range: { n: { gte: 0 } } } } } as never)).body.count,
  );
  await os.close();

  if (process.env.BENCH_LATENCY_DUMP) {
    // Per probe: sequence, write time, consumed from Kafka, searchable (ms since epoch; 0 = never).
    const rows = ['n\twritten\tkafka\tsearchable'];
    for (let i = 0; i < total; i += PROBE) rows.push(`${i}\t${written[i]}\t${kafkaSeen[i]}\t${osSeen[i]}`);
    writeFileSync(`${process.env.BENCH_LATENCY_DUMP}.${run + 1}.tsv`, `${rows.join('\n')}\n`);
    writeFileSync(`${process.env.BENCH_LATENCY_DUMP}.${run + 1}.delivered.tsv`, `${deliveries.join('\n')}\n`);
  }
  const kl: number[] = [];
  const ol: number[] = [];
  let kafkaLost = 0;
  for (let i = 0; i < total; i++) {
    if (kafkaSeen[i] === 0) kafkaLost++;
    else kl.push(kafkaSeen[i]! - written[i]!);
    if (i % PROBE === 0 && osSeen[i] !== 0) ol.push(osSeen[i]! - written[i]!);
  }
  // The moments new probes became searchable: OpenSearch's refreshes as the bench saw them.
  const moments = [...new Set(Array.from(osSeen).filter((t) => t > 0))].sort((a, b) => a - b);
  const gaps = moments.slice(1).map((t, i) => t - moments[i]!);
  gaps.sort((a, b) => a - b);
  kl.sort((a, b) => a - b);
  ol.sort((a, b) => a - b);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  run++;
  const k99 = percentile(kl, 99);
  const o99 = percentile(ol, 99);
  p99s.push({ kafka: k99, search: o99 });
  const rows = [
    `| ${run} | Kafka (consumed) | ${kl.length.toLocaleString('en')} | ${s(percentile(kl, 50))} | ${s(k99)} | ${s(kl.at(-1) ?? Number.NaN)} | ${kafkaLost} |`,
    `| ${run} | OpenSearch (searchable) | ${ol.length.toLocaleString('en')} probes | ${s(percentile(ol, 50))} | ${s(o99)} | ${s(ol.at(-1) ?? Number.NaN)} | ${total - indexed} (of ${total.toLocaleString('en')} counted) |`,
  ];
  refreshGaps.push(
    `run ${run}: ${moments.length} moments, ${s(percentile(gaps, 50))} apart (median), longest ${s(gaps.at(-1) ?? Number.NaN)}`,
  );
  loads.push(`run ${run}: ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`);
  if (notes.length === 0)
    notes.push('| run | to | records measured | p50 | p99 | max | lost |', '|---|---|---|---|---|---|---|');
  notes.push(...rows);
  process.stdout.write(`  ${rows.join('\n  ')}\n  searchable moments: ${refreshGaps.at(-1)}\n`);
  lostTotal += kafkaLost + (total - indexed);
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

let lostTotal = 0;
const refreshGaps: string[] = [];
const loads: string[] = [];
const kafkaP99 = () => median(p99s.map((p) => p.kafka));
const searchP99 = () => median(p99s.map((p) => p.search));

export const latency: Bench = {
  name: 'latency',
  title: 'End-to-end latency at 10,000 lines/s (BENCHMARKS.md §2)',
  runs: Number(process.env.BENCH_LATENCY_RUNS ?? 3),
  prepare: () => {
    buildDist();
    return `${RATE.toLocaleString('en')} lines/s for ${SECONDS} s over ${FILES} files, one agent shipping to Kafka (SASL_SSL, SCRAM-SHA-512) and OpenSearch (HTTPS, basic auth), TLS on both, credentials from Secret files, metrics on, the agent's V8 flags (agent CPU-s over the whole run, idle included)`;
  },
  once,
  notes: () => [
    ...notes,
    '',
    `Median p99 over the runs: Kafka ${(kafkaP99() / 1000).toFixed(2)} s, OpenSearch searchable ${(searchP99() / 1000).toFixed(2)} s.`,
    '',
    `When new probes became searchable (OpenSearch's 1 s refresh as the bench saw it): ${refreshGaps.join('; ')}.`,
    '',
    `Machine load (1-minute average, ${cpus().length} cores shared with OpenSearch, Kafka and the bench): ${loads.join('; ')}.`,
    '',
  ],
  target: () => kafkaP99() < 200 && searchP99() < 1500 && lostTotal === 0,
  targetText:
    'with TLS on, p99 < 0.2 s from write to Kafka and < 1.5 s to searchable in OpenSearch (median of the runs), nothing lost',
};
