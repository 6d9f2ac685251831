// Apache Kafka: the kafka block of LogOutput / ClusterLogOutput and its agent options
// (options.ts; the sink is sink/).

import { secretKeyRef, tls } from '../../operator/src/api/common.ts';
import { arr, enumOf, obj, str, strMap } from '../../operator/src/api/dsl.ts';
import { qualifySecrets } from '../../operator/src/compile/secrets.ts';
import { batchSchema, checkBatch, compileBatch } from '../../operator/src/destinations/shared.ts';
import type { Destination } from '../../operator/src/destinations/types.ts';
import { KAFKA_BATCH_DEFAULTS } from './batch.ts';
import { KAFKA_COMPRESSION, SASL_MECHANISMS } from './options.ts';

export const api: Destination<'kafka'> = {
  schema: (ns) =>
    obj(
      'Apache Kafka. Records are produced with acks=all by an idempotent producer and acknowledged only after the broker has them.',
      {
        brokers: arr(
          'Bootstrap brokers, `host:port`.',
          str('Broker.', { maxLength: 512, pattern: '^[^\\s:]+:[0-9]{1,5}$' }),
          {
            minItems: 1,
            maxItems: 32,
            example: ['kafka-0.data:9092'],
          },
        ),
        topic: str('Topic, or the fallback topic when `topicField` is missing in a record.', {
          maxLength: 249,
          minLength: 1,
          pattern: '^[a-zA-Z0-9._-]+$',
        }),
        topicField: str('Take the topic from this record field when present.', { maxLength: 256 }),
        key: str('Record field used as the message key (same key, same partition, kept in order).', {
          maxLength: 256,
          example: 'kubernetes.podUid',
        }),
        compression: enumOf('Compression codec for batches.', KAFKA_COMPRESSION, { default: 'zstd' }),
        headers: strMap('Static headers added to every message.'),
        batch: batchSchema(KAFKA_BATCH_DEFAULTS),
        tls: tls(ns),
        sasl: obj(
          'SASL authentication.',
          {
            mechanism: enumOf('Mechanism.', SASL_MECHANISMS),
            username: secretKeyRef('The user name.', ns),
            password: secretKeyRef('The password.', ns),
          },
          { required: ['mechanism', 'username', 'password'] },
        ),
      },
      { required: ['brokers', 'topic'] },
    ),
  check: (k, at) => checkBatch(at, k.batch, { max: 256 * 1024 * 1024 }, { maxMs: 600_000 }),
  hosts: (k, at) =>
    k.brokers.map((b, i) => {
      const c = b.lastIndexOf(':');
      return { path: `${at}.brokers[${i}]`, host: b.slice(0, c), port: Number(b.slice(c + 1)) };
    }),
  routing: (k, at) =>
    k.topicField === undefined ? [] : [{ path: `${at}.topicField`, fields: [k.topicField] }],
  compile: ({ batch, ...rest }, ctx) => ({
    options: qualifySecrets(rest, ctx.namespace),
    batch: compileBatch(batch),
  }),
};
