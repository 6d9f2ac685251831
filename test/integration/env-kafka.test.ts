// The Kafka broker of test/env is real: 10,000 messages go through the SASL/SCRAM-SHA-512 over TLS
// listener and come back; a wrong password and an unknown CA are refused; the PLAINTEXT listener
// serves the same cluster; the SSL listener admits a client with the env's client certificate and
// refuses one without. Both brokers: Kafka 3.9 (`kafka`) and the current 4.x (`kafka4`).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from '@jest/globals';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { KAFKA_COMPONENTS, type KafkaComponent, kafkaEnv, VERSIONS } from '../env/index.ts';
import { apiVersions, kafkajsChoices } from './kafka-protocol.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe.each(KAFKA_COMPONENTS)('test env: Kafka (%s)', (component: KafkaComponent) => {
  const env = kafkaEnv(undefined, component);
  const ca = readFileSync(env.saslSsl.caFile, 'utf8');
  const secure = (over: Partial<KafkaConfig> = {}) =>
    new Kafka({
      clientId: 'env-smoke',
      brokers: env.saslSsl.brokers,
      ssl: { ca: [ca] },
      sasl: { mechanism: 'scram-sha-512', username: env.saslSsl.username, password: env.saslSsl.password },
      logLevel: logLevel.NOTHING,
      ...over,
    });

  const N = 10_000;
  const topic = `smoke-${component}-${Date.now()}`;

  test('runs the pinned version', () => {
    expect(env.version).toBe(component === 'kafka4' ? VERSIONS.kafka4 : VERSIONS.kafka);
  });

  test('accepts the protocol version kafkajs sends for every API it implements (ApiVersions, live)', async () => {
    const ranges = await apiVersions(env.plaintext.brokers[0]!);
    expect(kafkajsChoices(ranges).filter((c) => !c.ok)).toEqual([]);
    // The unit test (test/unit/kafka-protocol.test.ts) checks the recorded answer of this version:
    // it must be what the broker says. A new pin needs its answer recorded there.
    const fixture = new URL(`../fixtures/kafka/api-versions-${env.version}.json`, import.meta.url);
    expect(existsSync(fixture)).toBe(true);
    expect(ranges).toEqual(JSON.parse(readFileSync(fixture, 'utf8')));
  });

  test(`produces and consumes ${N} messages over SASL_SSL with SCRAM-SHA-512`, async () => {
    const kafka = secure();
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });

    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    for (let start = 0; start < N; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        key: `k${(start + i) % 97}`,
        value: JSON.stringify({ seq: start + i }),
      }));
      await producer.send({ topic, acks: -1, messages });
    }

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.size} of ${N}`)), 60_000);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) seen.add(JSON.parse(m.value!.toString()).seq);
            if (seen.size === N) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    expect(seen.size).toBe(N);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(N - 1);
  }, 120_000);

  test('the PLAINTEXT listener serves the same cluster', async () => {
    const admin = new Kafka({
      clientId: 'env-smoke',
      brokers: env.plaintext.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    expect(await admin.listTopics()).toContain(topic);
  });

  test('a wrong SCRAM password is refused', async () => {
    const admin = secure({
      sasl: { mechanism: 'scram-sha-512', username: env.saslSsl.username, password: 'wrong' },
      retry: { retries: 0 },
    }).admin();
    await expect(admin.connect()).rejects.toThrow(
      /SASL SCRAM SHA512 authentication failed|Authentication failed/i,
    );
  });

  test('a client that does not trust the test CA is refused', async () => {
    const admin = secure({ ssl: { ca: [] }, retry: { retries: 0 }, connectionTimeout: 3000 }).admin();
    await expect(admin.connect()).rejects.toThrow();
  });

  test('the SSL listener requires a client certificate signed by the env CA', async () => {
    const mtls = (ssl: KafkaConfig['ssl']) =>
      new Kafka({
        clientId: 'env-smoke',
        brokers: env.mtls.brokers,
        ssl,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 3000,
      }).admin();
    const ok = mtls({
      ca: [readFileSync(env.mtls.caFile, 'utf8')],
      cert: readFileSync(env.mtls.certFile, 'utf8'),
      key: readFileSync(env.mtls.keyFile, 'utf8'),
    });
    await ok.connect();
    cleanups.push(() => ok.disconnect());
    expect((await ok.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`)).toEqual(env.mtls.brokers);
    const without = mtls({ ca: [readFileSync(env.mtls.caFile, 'utf8')] });
    cleanups.push(() => without.disconnect().catch(() => {}));
    await expect(without.connect()).rejects.toThrow(/bad certificate|certificate required/i);
  });
});
