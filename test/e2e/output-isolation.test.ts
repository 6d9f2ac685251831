// Output isolation on the real servers (issue 15): one pipeline with Kafka, OpenSearch and S3
// outputs, each with the default buffer (4 MiB in memory, whenFull: block). OpenSearch is stopped
// for SLUICE_OUTAGE_SECONDS (60 here; 300 for the figures in docs/agent.md) while the generator
// keeps writing: Kafka and S3 must keep ≥ 90 % of the generator's rate once OpenSearch's buffer is
// full. The agent is SIGKILLed during the outage and restarted; OpenSearch comes back and its
// backlog arrives. Every sequence tag must reach all three outputs, and per output the duplicates
// stay within one batch of that output.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, test } from '@jest/globals';
import { DEFAULTS } from '../../agent/src/config/defaults.ts';
import { Tally } from '../../agent/src/loadgen/verify.ts';
import { kafkaEnv, openSearchEnv, s3Env, stopComponentProcess } from '../env/index.ts';
import { openSearchClient, readBucket, readIndex, s3Client, TopicReader } from '../installed/sinks.ts';
import {
  type Agent,
  type OutputStatus,
  startAgent,
  status,
  waitFor,
  workDir,
  writeSecret,
} from '../integration/sinks/harness.ts';
import { exited, generate, sleep } from './agent-helpers.ts';

const OUTAGE_S = Number(process.env.SLUICE_OUTAGE_SECONDS ?? 60);
const BATCH = DEFAULTS.batchMaxRecords; // Kafka's and OpenSearch's batch: 4,096 records
const RATE = 1500; // generator events/s over 2 files: ~2,000 tagged lines/s

const kafka = kafkaEnv();
const osEnv = openSearchEnv();
const s3e = s3Env();
const search = openSearchClient(osEnv);
const s3 = s3Client(s3e);
const name = `isolation-${Date.now()}`;
const reader = new TopicReader(kafka, name);

afterAll(async () => {
  await reader.stop();
  await search.indices.delete({ index: name }).catch(() => {});
});

const tags = (texts: string[]): number => {
  let n = 0;
  for (const t of texts) n += t.match(/SEQ:/g)?.length ?? 0;
  return n;
};

const resources = `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: events, namespace: bench}
spec:
  kafka: {brokers: [${kafka.plaintext.brokers.map((b) => JSON.stringify(b)).join(', ')}], topic: ${name}}
  retry: {initialBackoff: 200ms, maxBackoff: 2s}
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: search, namespace: bench}
spec:
  opensearch: {endpoints: [${JSON.stringify(osEnv.url)}], index: ${name}}
  retry: {initialBackoff: 200ms, maxBackoff: 2s}
---
apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: archive, namespace: bench}
spec:
  s3:
    bucket: ${name}
    region: ${s3e.region}
    endpoint: ${s3e.endpoint}
    forcePathStyle: true
    credentials: {accessKeyId: {name: s3-keys, key: id}, secretAccessKey: {name: s3-keys, key: secret}}
    batch: {maxAge: 1s}
  retry: {initialBackoff: 200ms, maxBackoff: 2s}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: app, namespace: bench}
spec:
  outputs: [{name: events}, {name: search}, {name: archive}]
`;

describe('one dead output of a pipeline', () => {
  test(`OpenSearch down ${OUTAGE_S} s: Kafka and S3 keep their rate, a SIGKILL meanwhile, then every line everywhere`, async () => {
    const dir = workDir('isolation');
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(join(dir, 'resources.yaml'), resources);
    writeSecret(dir, 'bench', 's3-keys', { id: s3e.accessKeyId, secret: s3e.secretAccessKey });
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await reader.start();
    const manifest = () =>
      JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, number>; lines: number };
    const gen = generate(logs, manifestPath, {
      files: 2,
      rate: RATE,
      duration: OUTAGE_S + 600,
      partialFraction: 0.02,
    });
    const genDone = exited(gen);
    let agent: Agent = await startAgent(dir);
    const out = async (id: string): Promise<OutputStatus | undefined> =>
      (await status(agent))?.find((o) => o.id.endsWith(id));
    try {
      await waitFor(
        'all three outputs delivering',
        async () => {
          const s = await status(agent);
          return s !== undefined && s.length === 3 && s.every((o) => o.delivered > 2000);
        },
        120_000,
      );
      const stopped = stopComponentProcess('opensearch');
      const outageStart = Date.now();
      let ratios = { kafka: 0, s3: 0 };
      try {
        // Measure from when OpenSearch's buffer is full: before isolation, everything stopped there.
        await waitFor(
          "OpenSearch's buffer full",
          async () => ((await out('search'))?.bufferedBytes ?? 0) >= DEFAULTS.memoryBufferBytes * 0.9,
          60_000,
        );
        const fullAfter = (Date.now() - outageStart) / 1000;
        const a = { gen: manifest().lines, kafka: tags(reader.values), s3: tags(await readBucket(s3, name)) };
        const windowMs = Math.max(10_000, OUTAGE_S * 1000 - (Date.now() - outageStart) - 15_000);
        await sleep(windowMs);
        // Records of the last second are still on their way (S3 batches for 1 s): settle 3 s.
        const genB = manifest().lines;
        await sleep(3000);
        const b = { kafka: tags(reader.values), s3: tags(await readBucket(s3, name)) };
        const generated = genB - a.gen;
        ratios = { kafka: (b.kafka - a.kafka) / generated, s3: (b.s3 - a.s3) / generated };
        process.stdout.write(
          `isolation: OpenSearch buffer full after ${fullAfter.toFixed(1)} s; over ${(windowMs / 1000).toFixed(0)} s of outage ${generated} lines generated, Kafka ${b.kafka - a.kafka} (${(ratios.kafka * 100).toFixed(1)} %), S3 ${b.s3 - a.s3} (${(ratios.s3 * 100).toFixed(1)} %)\n`,
        );
        // SIGKILL while OpenSearch is still down: its position is far behind the others'.
        agent.proc.kill('SIGKILL');
        await agent.exited;
        const beforeRestart = tags(reader.values);
        agent = await startAgent(dir);
        await waitFor(
          'Kafka delivering again after the restart, OpenSearch still down',
          async () => tags(reader.values) > beforeRestart + 2 * RATE,
          60_000,
        );
        const rest = OUTAGE_S * 1000 - (Date.now() - outageStart);
        if (rest > 0) await sleep(rest);
      } finally {
        stopped.start();
      }
      await waitFor(
        'OpenSearch back',
        async () => (await fetch(`${osEnv.url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).ok,
        420_000,
      );
      await sleep(5000); // a little traffic after the outage
      gen.kill('SIGTERM');
      expect(await genDone).toBe(0);
      const m = manifest();
      const tallies: Record<string, Tally> = {};
      await waitFor(
        'every line in every output',
        async () => {
          tallies.kafka = new Tally(m.files);
          for (const v of reader.values) tallies.kafka.add(v);
          tallies.opensearch = new Tally(m.files);
          for (const v of await readIndex(search, name)) tallies.opensearch.add(v);
          tallies.s3 = new Tally(m.files);
          for (const v of await readBucket(s3, name)) tallies.s3.add(v);
          return Object.values(tallies).every((t) => t.report().lost === 0);
        },
        300_000,
      ).catch(() => undefined);
      const reports = Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, t.report()]));
      process.stdout.write(
        `isolation: ${m.lines} lines; ${Object.entries(reports)
          .map(([k, r]) => `${k} lost ${r.lost} duplicates ${r.duplicates}`)
          .join(', ')}\n`,
      );
      expect(ratios.kafka).toBeGreaterThanOrEqual(0.9);
      expect(ratios.s3).toBeGreaterThanOrEqual(0.9);
      for (const r of Object.values(reports)) {
        expect(r.lost).toBe(0);
        // One kill: at most the batch in flight per output (S3: 1 s of records, < 4,096 tags).
        expect(r.duplicates).toBeLessThanOrEqual(BATCH);
      }
    } finally {
      gen.kill('SIGTERM');
      agent.proc.kill('SIGTERM');
      await agent.exited;
    }
  }, 1_500_000);
});
