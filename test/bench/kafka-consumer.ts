// Issue 17: does kafkajs's consumer hold up for an aggregator tier that reads what the agents
// wrote to Kafka? Side by side with @platformatic/kafka (pure JavaScript, maintained; a
// devDependency for this comparison only), on the real Kafka 3.9 and 4.x brokers of test/env:
// 1,000,000 agent-shaped JSON events (zstd, as the agents' Kafka output writes them) on a
// 12-partition topic, consumed by one group member (records per CPU-second, peak RSS, time to
// the first record; BENCH_RUNS runs, interleaved, medians), then by two members where the second
// joins at 30 % (a rebalance: records received by both, longest stall). Each member is its own
// process (kafka-consumer-member.ts) and commits what it received, batch by batch.
//   npm run test:env -- up kafka kafka4 && BENCH_ONLY=kafka-consumer npm run bench
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kafkajs from 'kafkajs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';
import { KAFKA_COMPONENTS, kafkaEnv, loadEnv } from '../env/index.ts';
import { median } from './median.ts';

export const KAFKA_CONSUMER_TITLE = 'Kafka consumer clients for the aggregator tier (issue 17)';

const RECORDS = Number(process.env.BENCH_CONSUMER_RECORDS ?? 1_000_000);
const PARTITIONS = 12;
const dir = join(tmpdir(), 'sluice-bench-kafka-consumer');
const member = new URL('./kafka-consumer-member.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client and its fetch sizes: what an aggregator replica would run. */
interface Setup {
  name: string;
  client: 'kafkajs' | 'platformatic';
  fetch?: [maxBytes: number, maxBytesPerPartition: number];
}
const SETUPS: Setup[] = [
  {
    name: 'kafkajs 2.2.4, fetch 1 MiB / 256 KiB per partition',
    client: 'kafkajs',
    fetch: [1 << 20, 256 << 10],
  },
  { name: 'kafkajs 2.2.4, its default fetch (10 MB / 1 MB)', client: 'kafkajs' },
  {
    name: '@platformatic/kafka 2.12.1, fetch 1 MiB / 256 KiB per partition',
    client: 'platformatic',
    fetch: [1 << 20, 256 << 10],
  },
];

interface Status {
  n: number;
  cpuSeconds: number;
  peakRssMb: number;
  firstMs: number;
  stallMs: number;
  idleMs: number;
  done?: boolean;
}

const WORDS =
  'GET POST PUT /api/v1/orders /api/v1/carts /healthz user=alice user=bob status=200 status=404 status=500 latency_ms took cache miss hit order_id session retry upstream'.split(
    ' ',
  );

/** What an agent's Kafka output writes: one enriched event per message (message text varies). */
function event(i: number, rnd: () => number): string {
  let msg = '';
  while (msg.length < 120)
    msg += `${WORDS[Math.floor(rnd() * WORDS.length)]} ${Math.floor(rnd() * 1e6).toString(16)} `;
  const pod = `shop-${i % 37}-7d9f8c6b5-x${(i % 37).toString(36)}q2z`;
  return `{"@timestamp":"2026-12-03T10:00:${String(Math.floor(i / 20_000) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z","stream":"stdout","message":"${msg.trim()}","n":${i},"kubernetes":{"namespace":"shop","pod":"${pod}","container":"app","node":"node-${i % 5}","labels":{"app":"shop","tier":"web"}},"pipeline":"shop-logs"}`;
}

async function produce(brokers: string[], topic: string): Promise<number> {
  installCodecs(kafkajs);
  const k = new kafkajs.Kafka({ clientId: 'bench-producer', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const p = k.producer();
  await p.connect();
  let seed = 17;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const t = Date.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; ) {
    const messages: { key: string; value: string }[] = [];
    for (let j = 0; j < 5000 && i < RECORDS; j++, i++)
      messages.push({ key: `pod-${i % 37}`, value: event(i, rnd) });
    sends.push(p.send({ topic, messages, compression: kafkajs.CompressionTypes.ZSTD, acks: -1 }));
    if (sends.length >= 4) await sends.shift();
  }
  await Promise.all(sends);
  await p.disconnect();
  return Date.now() - t;
}

class Member {
  readonly proc: ChildProcess;
  status: Status = { n: 0, cpuSeconds: 0, peakRssMb: 0, firstMs: -1, stallMs: 0, idleMs: 0 };
  readonly seenFile: string;
  private readonly exited: Promise<unknown>;

  constructor(s: Setup, brokers: string[], topic: string, group: string, id: string) {
    this.seenFile = join(dir, `${group}-${id}.seen`);
    this.proc = spawn(
      process.execPath,
      [
        member,
        s.client,
        brokers.join(','),
        topic,
        group,
        String(RECORDS),
        this.seenFile,
        ...(s.fetch ?? []).map(String),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.exited = new Promise((r) => this.proc.once('exit', r));
    let buf = '';
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.status = JSON.parse(line) as Status;
        } catch {
          // a client's own output
        }
      }
    });
  }

  /** Writes its seen counts and exits; resolves with its last status. */
  async stop(): Promise<Status> {
    this.proc.kill('SIGUSR2');
    await this.exited;
    return this.status;
  }

  seen(): Uint8Array {
    return new Uint8Array(readFileSync(this.seenFile));
  }
}

async function until(what: string, ok: () => boolean, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`kafka-consumer bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function single(s: Setup, brokers: string[], topic: string, run: string): Promise<Status> {
  const m = new Member(s, brokers, topic, `bench-${run}`, 'a');
  await until(`${s.name} to receive ${RECORDS} records`, () => m.status.n >= RECORDS);
  return m.stop();
}

interface Rebalance {
  unique: number;
  received: number;
  duplicates: number;
  stallMs: number;
  a: Status;
  b: Status;
}

async function rebalance(s: Setup, brokers: string[], topic: string, run: string): Promise<Rebalance> {
  const a = new Member(s, brokers, topic, `bench-${run}`, 'a');
  await until('the first member to reach 30 %', () => a.status.n >= RECORDS * 0.3);
  const b = new Member(s, brokers, topic, `bench-${run}`, 'b');
  // Both idle for 3 s once every record has arrived somewhere (duplicates make the sum larger).
  await until(
    'the two members to receive every record',
    () => a.status.n + b.status.n >= RECORDS && a.status.idleMs > 3000 && b.status.idleMs > 3000,
  );
  const [sa, sb] = [await a.stop(), await b.stop()];
  const ca = a.seen();
  const cb = b.seen();
  let unique = 0;
  let received = 0;
  for (let i = 0; i < RECORDS; i++) {
    const c = ca[i]! + cb[i]!;
    if (c > 0) unique++;
    received += c;
  }
  return {
    unique,
    received,
    duplicates: received - unique,
    stallMs: Math.max(sa.stallMs, sb.stallMs),
    a: sa,
    b: sb,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

export async function kafkaConsumerSection(runs: number): Promise<string> {
  process.stdout.write(`${KAFKA_CONSUMER_TITLE}\n`);
  const env = loadEnv();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stamp = Date.now().toString(36);
  const rows: string[] = [];
  const rebalanceRows: string[] = [];
  const load0 = loadavg()[0]!;
  for (const component of KAFKA_COMPONENTS) {
    const brokers = kafkaEnv(env, component).plaintext.brokers;
    const topic = `consumer-bench-${stamp}-${component}`;
    process.stdout.write(`  ${component}: producing ${fmt(RECORDS)} records to ${topic}... `);
    const ms = await produce(brokers, topic);
    process.stdout.write(`${(ms / 1000).toFixed(1)} s\n`);
    const results = new Map<Setup, Status[]>(SETUPS.map((s) => [s, []]));
    for (let r = 0; r < runs; r++)
      for (const [i, s] of SETUPS.entries()) {
        const st = await single(s, brokers, topic, `${stamp}-${component}-${i}-${r}`);
        results.get(s)!.push(st);
        process.stdout.write(
          `  ${component} | ${s.name} | run ${r + 1}: ${fmt(st.n / st.cpuSeconds)} rec/CPU-s, peak RSS ${st.peakRssMb.toFixed(0)} MB, first record after ${st.firstMs} ms, longest stall ${st.stallMs} ms\n`,
        );
      }
    for (const [i, s] of SETUPS.entries()) {
      const st = results.get(s)!;
      rows.push(
        `| ${component === 'kafka' ? 'Kafka 3.9' : 'Kafka 4.x'} | ${s.name} | **${fmt(median(st.map((x) => x.n / x.cpuSeconds)))}** | ${median(st.map((x) => x.peakRssMb)).toFixed(0)} MB | ${fmt(median(st.map((x) => x.firstMs)))} ms | ${fmt(median(st.map((x) => x.stallMs)))} ms |`,
      );
      const rb = await rebalance(s, brokers, topic, `${stamp}-${component}-${i}-rb`);
      process.stdout.write(
        `  ${component} | ${s.name} | rebalance: ${fmt(rb.unique)} of ${fmt(RECORDS)} received, ${fmt(rb.duplicates)} twice, longest stall ${rb.stallMs} ms\n`,
      );
      rebalanceRows.push(
        `| ${component === 'kafka' ? 'Kafka 3.9' : 'Kafka 4.x'} | ${s.name} | ${fmt(rb.unique)} / ${fmt(RECORDS)} | ${fmt(rb.a.n)} + ${fmt(rb.b.n)} | ${fmt(rb.duplicates)} | ${fmt(rb.stallMs)} ms |`,
      );
    }
  }
  return [
    `## ${KAFKA_CONSUMER_TITLE}`,
    '',
    `Workload: ${fmt(RECORDS)} agent-shaped JSON events (~330 bytes, zstd) on a ${PARTITIONS}-partition topic of each broker; each consumer a process of its own that only counts and commits (no pipeline), ${runs} runs per client interleaved, medians. Machine load (1-minute average, ${cpus().length} cores) ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| broker | client | records / CPU-s | peak RSS | first record | longest stall |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'A second member joins the group once the first has received 30 % (one rebalance); each commits what it received, batch by batch:',
    '',
    '| broker | client | records received | first + second member | received twice | longest stall |',
    '|---|---|---|---|---|---|',
    ...rebalanceRows,
    '',
    'The kafkajs member commits each partition batch before it takes the next (`eachBatch` awaits the commit); the @platformatic/kafka member commits every 1,000 messages of a partition without waiting, so its duplicates are what it received after the last commit of each partition it gave up (its prefetch included): a property of that commit pattern as much as of the client. In the aggregator, offsets are committed only once the outputs have the records, so a rebalance re-delivers what was in flight whichever the client.',
    '',
  ].join('\n');
}
