// The Kafka sink against the real broker of test/env, over SASL/SCRAM-SHA-512 with TLS, through
// the real agent process (`sluice run`): 100,000 generated records with a SIGKILL mid-run arrive
// with at most one batch duplicated; a wrong password is reported (status, metric, log) and, once
// the Secret is fixed, every record arrives. Over the mutual-TLS listener (client certificate from a
// Secret): every record arrives; with no client certificate, or one the broker's CA did not sign,
// the refusal is reported and nothing is lost once the Secret holds a valid one. Every case runs
// against both brokers of test/env, Kafka 3.9 (`kafka`) and a current 4.x (`kafka4`), and each
// `--once` run reports its records/s, so one run compares kafkajs on the two.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import * as kafkajs from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';
import { KAFKA_COMPONENTS, type KafkaComponent, kafkaEnv } from '../env/index.ts';
import {
  metrics,
  prepare,
  sleep,
  startAgent,
  status,
  Tally,
  untilOutputError,
  waitFor,
  writeResources,
  writeSecret,
} from './sinks/harness.ts';

installCodecs(kafkajs); // the consumer reads zstd batches
const BATCH = 4096;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Runs `sluice run --once` over the case and reports its wall-clock records/s (one output). */
async function runOnce(
  dir: string,
  records: number,
  what: string,
): Promise<Awaited<ReturnType<typeof startAgent>>> {
  const t0 = performance.now();
  const agent = await startAgent(dir, { once: true });
  cleanups.push(async () => agent.proc.kill('SIGKILL'));
  const code = await agent.exited;
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${what}: ${records} records in ${s.toFixed(1)} s, ${Math.round(records / s)} records/s (agent start included)\n`,
  );
  expect(code).toBe(0);
  return agent;
}

describe.each(KAFKA_COMPONENTS)('%s broker', (component: KafkaComponent) => {
  const env = kafkaEnv(undefined, component);
  const label = `${component} ${env.version}`;
  const admin = new Kafka({
    clientId: 'sink-test',
    brokers: env.plaintext.brokers,
    logLevel: logLevel.NOTHING,
  });
  async function createTopic(topic: string, config: Record<string, string> = {}): Promise<void> {
    const a = admin.admin();
    await a.connect();
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    await a.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1, configEntries }],
      waitForLeaders: true,
    });
    await a.disconnect();
  }

  /** Reads the whole topic until `expected` messages arrived and nothing more came for 3 s. */
  async function consumeAll(
    topic: string,
    tally: Tally,
    expected: number,
    timeoutMs: number,
  ): Promise<number> {
    const consumer = admin.consumer({ groupId: `${topic}-check-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    let last = Date.now();
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          tally.add(m.value!.toString('latin1'));
          count++;
        }
        last = Date.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !(count >= expected && Date.now() - last > 3000)) await sleep(250);
    await consumer.disconnect();
    return count;
  }

  function setup(name: string, topic: string, password: string, events: number, compression = 'zstd') {
    const { dir, m } = prepare(name, 4, events);
    writeSecret(dir, 'bench', 'kafka-user', {
      username: env.saslSsl.username,
      password,
      'ca.crt': readFileSync(env.saslSsl.caFile, 'utf8'),
    });
    writeResources(
      dir,
      'kafka',
      `  kafka:
    brokers: [${env.saslSsl.brokers.map((b) => JSON.stringify(b)).join(', ')}]
    topic: ${topic}
    key: kubernetes.pod
    compression: ${compression}
    tls: {ca: {name: kafka-user, key: ca.crt}}
    sasl:
      mechanism: scram-sha-512
      username: {name: kafka-user, key: username}
      password: {name: kafka-user, key: password}
  retry: {initialBackoff: 200ms, maxBackoff: 5s}`,
    );
    return { dir, m };
  }

  describe('kafka sink (SASL/SCRAM-SHA-512 over TLS)', () => {
    test('100,000 records through a SIGKILL: none lost, at most one batch duplicated', async () => {
      const topic = `sink-kill-${Date.now()}`;
      await createTopic(topic);
      const { dir, m } = setup('kafka-kill', topic, env.saslSsl.password, 18_600);
      const first = await startAgent(dir);
      cleanups.push(async () => first.proc.kill('SIGKILL'));
      await waitFor(
        'some records delivered',
        async () => ((await status(first))?.[0]?.delivered ?? 0) > 20_000,
        90_000,
      );
      first.proc.kill('SIGKILL');
      await first.exited;
      const second = await startAgent(dir, { once: true });
      expect(await second.exited).toBe(0);
      const tally = new Tally(m.files);
      const count = await consumeAll(topic, tally, m.lines, 120_000);
      process.stdout.write(
        `${label} kill: ${m.lines} records, ${count} messages, lost ${tally.lost}, duplicates ${tally.duplicates}\n`,
      );
      expect(m.lines).toBeGreaterThanOrEqual(100_000);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.lost).toBe(0);
      expect(tally.duplicates).toBeLessThanOrEqual(BATCH);
    }, 300_000);

    test('throughput: 200,000 records (zstd) over SASL_SSL with --once, every record once', async () => {
      const topic = `sink-rate-${Date.now()}`;
      await createTopic(topic);
      const { dir, m } = setup('kafka-rate', topic, env.saslSsl.password, 37_200);
      const agent = await runOnce(dir, m.lines, `${label} throughput, zstd over SASL_SSL`);
      expect(agent.stderr()).not.toContain('output send failed');
      const tally = new Tally(m.files);
      const n = await consumeAll(topic, tally, m.lines, 150_000);
      expect(m.lines).toBeGreaterThanOrEqual(200_000);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.duplicates).toBe(0);
      expect(n).toBe(m.lines);
    }, 300_000);

    test('a wrong password is reported clearly, and nothing is lost once the Secret is fixed', async () => {
      const topic = `sink-auth-${Date.now()}`;
      await createTopic(topic);
      const { dir, m } = setup('kafka-auth', topic, 'wrong-password', 2_500);
      const agent = await startAgent(dir);
      cleanups.push(async () => agent.proc.kill('SIGKILL'));
      const out = await untilOutputError(agent, 'authentication failed');
      expect(out.delivered).toBe(0);
      expect(out.lastError).toContain('Secret bench/kafka-user');
      expect(await metrics(agent)).toMatch(
        /sluice_output_errors_total\{output="LogOutput\/bench\/kafka",code="SLUICE_ERR_SINK_AUTH"\} [1-9]/,
      );
      expect(agent.stderr()).toContain('SLUICE_ERR_SINK_AUTH');
      // Rotate the credential: the agent re-reads the Secret and retries without a restart.
      writeSecret(dir, 'bench', 'kafka-user', { password: env.saslSsl.password });
      const tally = new Tally(m.files);
      await waitFor(
        'every record delivered after the fix',
        async () => ((await status(agent))?.[0]?.delivered ?? 0) >= m.lines,
        60_000,
      );
      agent.proc.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      await consumeAll(topic, tally, m.lines, 60_000);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.duplicates).toBe(0);
    }, 180_000);

    test('lz4: the broker decompresses what the agent sends (topic recompresses to gzip), every record once', async () => {
      const topic = `sink-lz4-${Date.now()}`;
      // compression.type=gzip makes the broker itself decode the agent's LZ4 frames and recompress
      // them: a frame the broker's LZ4 (lz4-java) could not read would fail the produce request.
      await createTopic(topic, { 'compression.type': 'gzip' });
      const { dir, m } = setup('kafka-lz4', topic, env.saslSsl.password, 2_500, 'lz4');
      const agent = await runOnce(dir, m.lines, `${label} lz4 over SASL_SSL`);
      expect(agent.stderr()).not.toContain('output send failed');
      const tally = new Tally(m.files);
      const n = await consumeAll(topic, tally, m.lines, 60_000);
      process.stdout.write(`${label} lz4: ${m.lines} records, ${n} messages\n`);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.duplicates).toBe(0);
      expect(n).toBe(m.lines);
    }, 120_000);
  });

  /** The output over the mutual-TLS listener: CA, certificate and key all from Secret kafka-client. */
  function setupMtls(name: string, topic: string, events: number, cert: { crt: string; key: string }) {
    const { dir, m } = prepare(name, 4, events);
    writeSecret(dir, 'bench', 'kafka-client', {
      'ca.crt': readFileSync(env.mtls.caFile, 'utf8'),
      'tls.crt': cert.crt,
      'tls.key': cert.key,
    });
    writeResources(
      dir,
      'kafka',
      `  kafka:
    brokers: [${env.mtls.brokers.map((b) => JSON.stringify(b)).join(', ')}]
    topic: ${topic}
    key: kubernetes.pod
    tls:
      ca: {name: kafka-client, key: ca.crt}
      cert: {name: kafka-client, key: tls.crt}
      key: {name: kafka-client, key: tls.key}
  retry: {initialBackoff: 200ms, maxBackoff: 2s}`,
    );
    return { dir, m };
  }

  const validCert = () => ({
    crt: readFileSync(env.mtls.certFile, 'utf8'),
    key: readFileSync(env.mtls.keyFile, 'utf8'),
  });

  /** A self-signed client certificate: well-formed, but no CA the broker trusts signed it. */
  function selfSigned(dir: string): { crt: string; key: string } {
    const crt = join(dir, 'self.crt');
    const key = join(dir, 'self.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '1',
        '-subj',
        '/CN=stranger',
      ],
      { stdio: 'ignore' },
    );
    return { crt: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
  }

  const authErrors = async (a: Awaited<ReturnType<typeof startAgent>>): Promise<number> =>
    Number(
      /sluice_output_errors_total\{output="LogOutput\/bench\/kafka",code="SLUICE_ERR_SINK_AUTH"\} (\d+)/.exec(
        await metrics(a),
      )?.[1] ?? 0,
    );

  describe('kafka sink (mutual TLS: client certificate from a Secret)', () => {
    test('10,000+ records over the SSL listener with a client certificate: every record once', async () => {
      const topic = `sink-mtls-${Date.now()}`;
      await createTopic(topic);
      const { dir, m } = setupMtls('kafka-mtls', topic, 2_600, validCert());
      const agent = await runOnce(dir, m.lines, `${label} zstd over mutual TLS`);
      expect(agent.stderr()).not.toContain('output send failed');
      expect(agent.stderr()).not.toContain('SLUICE_ERR_SINK_AUTH');
      const tally = new Tally(m.files);
      const n = await consumeAll(topic, tally, m.lines, 60_000);
      process.stdout.write(`${label} mtls: ${m.lines} records, ${n} messages\n`);
      expect(m.lines).toBeGreaterThanOrEqual(10_000);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.duplicates).toBe(0);
      expect(n).toBe(m.lines);
    }, 120_000);

    test('no client certificate, then an untrusted one, are reported clearly; nothing is lost once a valid one is in the Secret', async () => {
      const topic = `sink-mtls-auth-${Date.now()}`;
      await createTopic(topic);
      // The Secret exists but its certificate is not issued yet: empty values send no certificate.
      const { dir, m } = setupMtls('kafka-mtls-auth', topic, 2_600, { crt: '', key: '' });
      const agent = await startAgent(dir);
      cleanups.push(async () => agent.proc.kill('SIGKILL'));
      const out = await untilOutputError(agent, 'refused the TLS client certificate');
      expect(out.delivered).toBe(0);
      expect(out.lastError).toContain(`Secret bench/kafka-client key 'tls.crt'`);
      expect(out.lastError).toContain('bad certificate');
      expect(out.lastError).toContain('the agent retries as soon as it changes');
      expect(await authErrors(agent)).toBeGreaterThan(0);
      expect(agent.stderr()).toContain('SLUICE_ERR_SINK_AUTH');
      expect(agent.stderr()).toContain('refused the TLS client certificate');

      // A certificate the broker's CA did not sign is refused the same way.
      const before = await authErrors(agent);
      writeSecret(dir, 'bench', 'kafka-client', selfSigned(dir));
      await waitFor(
        'a refusal of the self-signed certificate',
        async () => (await authErrors(agent)) > before,
        60_000,
      );
      const still = (await status(agent))![0]!;
      expect(still.delivered).toBe(0);
      expect(still.lastError).toContain('refused the TLS client certificate');

      // Rotate to a certificate the CA signed: the agent re-reads the Secret, no restart.
      writeSecret(dir, 'bench', 'kafka-client', { 'tls.crt': validCert().crt, 'tls.key': validCert().key });
      await waitFor(
        'every record delivered after the certificate was added',
        async () => ((await status(agent))?.[0]?.delivered ?? 0) >= m.lines,
        90_000,
      );
      agent.proc.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      const tally = new Tally(m.files);
      await consumeAll(topic, tally, m.lines, 60_000);
      expect(m.lines).toBeGreaterThanOrEqual(10_000);
      expect(tally.lostSample()).toEqual([]);
      expect(tally.duplicates).toBe(0);
    }, 240_000);
  });
});
