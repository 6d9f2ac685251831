// BENCHMARKS.md §1 into the real sinks of test/env: the §1 pipeline (CRI files read from the head,
// partials reassembled, JSON parsed, pod metadata from a local cache, checkpointing on) shipping
// to Kafka (PLAINTEXT, zstd), OpenSearch (direct HTTP, gzip bulk) and S3 (MinIO, gzip objects),
// each by the compiled agent (`sluice agent --config --once`, as the image runs it). Measured in
// the agent process: CPU-seconds and peak RSS; delivery is checked by counting at the sink.
// Needs `npm run test:env -- up kafka opensearch s3`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { compileResources } from '../../operator/src/compile/index.ts';
import { kafkaEnv, loadEnv, openSearchEnv, s3Env } from '../env/index.ts';
import { NODE_FLAGS } from './agent-throughput.ts';
import type { Bench, BenchRun } from './types.ts';
import { workload } from './workload.ts';

const FILES = 8;
const {
  root,
  logs,
  metadataPath,
  prepare: prepareWorkload,
} = workload({
  name: 'sinks',
  files: FILES,
  events: Number(process.env.BENCH_SINK_EVENTS ?? 25_000),
  seed: 7,
  pod: (i, { ns, pod, uid }) => ({
    metadata: { name: pod, namespace: ns, uid, labels: { app: `app-${i}`, tier: 'backend' } },
    spec: { nodeName: 'bench-node', containers: [{ name: 'app', image: `registry.local/app:${i}.0` }] },
  }),
  namespaces: [{ metadata: { name: 'bench' } }],
});

/** Runs the compiled agent once over the workload with one output; returns its usage. */
function runAgent(
  name: string,
  destination: object,
): { userUs: number; systemUs: number; peakRssKb: number } {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'secrets', 'bench', 's3'), { recursive: true });
  const s3 = s3Env();
  writeFileSync(join(dir, 'secrets', 'bench', 's3', 'id'), s3.accessKeyId);
  writeFileSync(join(dir, 'secrets', 'bench', 's3', 'secret'), s3.secretAccessKey);
  const docs = [
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'LogOutput',
      metadata: { name: 'out', namespace: 'bench' },
      spec: destination,
    },
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'LogPipeline',
      metadata: { name: 'app', namespace: 'bench' },
      spec: { outputs: [{ name: 'out' }] },
    },
  ];
  const r = compileResources(docs, {
    agent: {
      podLogsDir: logs,
      dataDir: join(dir, 'data'),
      httpPort: 0,
      enrichment: { kubernetes: false, metadataFile: metadataPath },
      secrets: { directory: join(dir, 'secrets') },
    },
  });
  if (r.problems.length > 0) throw new Error(JSON.stringify(r.problems));
  const config = join(dir, 'agent.json');
  writeFileSync(config, JSON.stringify(r.config));
  const usage = join(dir, 'usage.json');
  const agent = new URL('../../dist/cli/commands/agent.js', import.meta.url).href;
  const entry = `const {command} = await import(${JSON.stringify(agent)}); process.exitCode = await command.run(process.argv.slice(1));`;
  const p = spawnSync(
    process.execPath,
    [...NODE_FLAGS, '--input-type=module', '-e', entry, '--', '--config', config, '--once'],
    {
      env: { ...process.env, SLUICE_USAGE_FILE: usage },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (p.status !== 0) throw new Error(`agent failed (${p.status}): ${p.stderr.slice(-2000)}`);
  return JSON.parse(readFileSync(usage, 'utf8'));
}

function result(records: number, u: { userUs: number; systemUs: number; peakRssKb: number }): BenchRun {
  const cpu = (u.userUs + u.systemUs) / 1e6;
  return {
    records,
    cpuSeconds: cpu,
    userSeconds: u.userUs / 1e6,
    systemSeconds: u.systemUs / 1e6,
    recordsPerCpuSecond: records / cpu,
    peakRssMb: u.peakRssKb / 1024,
  };
}

async function kafkaRun(expected: number): Promise<BenchRun> {
  const env = kafkaEnv();
  const topic = `bench-${Date.now()}`;
  const admin = new Kafka({
    clientId: 'bench',
    brokers: env.plaintext.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const u = runAgent('kafka', {
    kafka: { brokers: env.plaintext.brokers, topic, compression: 'zstd', key: 'kubernetes.pod' },
  });
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const n = offsets.reduce((s, o) => s + Number(o.high), 0);
  if (n < expected) throw new Error(`kafka has ${n} of ${expected} records`);
  return result(expected, u);
}

async function openSearchRun(expected: number): Promise<BenchRun> {
  const env = openSearchEnv();
  const index = `bench-${Date.now()}`;
  const u = runAgent('opensearch', {
    opensearch: { endpoints: [env.url], index: `${index}-%Y.%m.%d`, compression: 'gzip' },
  });
  const os = new Client({ node: env.url });
  await os.indices.refresh({ index: `${index}-*` });
  const n = Number((await os.count({ index: `${index}-*` })).body.count);
  await os.close();
  if (n !== expected) throw new Error(`opensearch has ${n} of ${expected} documents`);
  return result(expected, u);
}

async function s3Run(expected: number): Promise<BenchRun> {
  const env = s3Env();
  const bucket = `bench-${Date.now()}`;
  const s3 = new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const u = runAgent('s3', {
    s3: {
      bucket,
      region: env.region,
      endpoint: env.endpoint,
      forcePathStyle: true,
      keyPrefix: 'logs/%Y/%m/%d/',
      credentials: { accessKeyId: { name: 's3', key: 'id' }, secretAccessKey: { name: 's3', key: 'secret' } },
      batch: { maxAge: '2s' },
    },
  });
  let lines = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))
      ).Body!.transformToByteArray();
      const text = gunzipSync(body);
      for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  s3.destroy();
  if (lines !== expected) throw new Error(`s3 objects hold ${lines} of ${expected} records`);
  return result(expected, u);
}

/** The §1 file-output rate (records per CPU-second) last written to docs/benchmarks.md, for the ratio. */
function fileRate(): number | undefined {
  try {
    const doc = readFileSync(new URL('../../docs/benchmarks.md', import.meta.url), 'utf8');
    const section = doc.split('\n## ').find((s) => s.startsWith('Agent throughput'));
    const m =
      section === undefined ? null : /\| \*\*median\*\* \|[^|]*\|[^|]*\| \*\*([\d,]+)\*\*/.exec(section);
    return m === null ? undefined : Number(m[1]!.replace(/,/g, ''));
  } catch {
    return undefined;
  }
}

function sinkBench(name: string, title: string, run: (expected: number) => Promise<BenchRun>): Bench {
  let expected = 0;
  let last: BenchRun | undefined;
  return {
    name,
    title,
    runs: 1,
    notes: () => {
      if (last === undefined) return [];
      const f = fileRate();
      const perRecord = `${((last.cpuSeconds / last.records) * 1e6).toFixed(1)} µs of agent CPU per record`;
      return [
        f === undefined
          ? `${perRecord}.`
          : `${perRecord}; ${(last.recordsPerCpuSecond / f).toFixed(2)}× the records per CPU-second of the same pipeline into a file (§1 above, ${f.toLocaleString('en')}).`,
        '',
      ];
    },
    prepare: () => {
      loadEnv();
      const b = spawnSync(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
        {
          cwd: new URL('../../', import.meta.url).pathname,
          stdio: 'inherit',
        },
      );
      if (b.status !== 0) throw new Error('build failed');
      const s = prepareWorkload();
      expected = s.lines;
      return `${FILES} files, ${s.lines.toLocaleString('en')} records, ${(s.bytes / 1e6).toFixed(0)} MB of CRI logs (the §1 mix), one run against the real server of test/env`;
    },
    once: async () => {
      last = await run(expected);
      return last;
    },
    target: (m) => m.recordsPerCpuSecond >= 80_000,
    targetText:
      'above Fluent Bit’s file-output rate of ~80,000 records per CPU-second, every record counted at the sink',
  };
}

export const sinkBenches: Bench[] = [
  sinkBench('sink-kafka', 'Pipeline into Kafka (§1 into a real sink)', kafkaRun),
  sinkBench('sink-opensearch', 'Pipeline into OpenSearch (§1 into a real sink)', openSearchRun),
  sinkBench('sink-s3', 'Pipeline into S3 (§1 into a real sink)', s3Run),
];
