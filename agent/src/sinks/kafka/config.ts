// Options of the kafka output as the compiler writes them (operator/src/api/destinations.ts minus
// `batch`, which becomes the output's batch; secrets as references). The schema is validated by
// the agent config validator; the type mirrors it.
import type { SecretOption } from '../../secrets/types.ts';
import { secretOptionSchema, type TlsOptions, tlsOptionsSchema } from '../shared/options.ts';

export const KAFKA_COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSION)[number];

export interface KafkaOptions {
  brokers: string[];
  /** Topic, or the fallback when `topicField` is missing or not a valid topic name. */
  topic: string;
  topicField?: string;
  /** Record field whose value is the message key. */
  key?: string;
  /** Default zstd. */
  compression?: KafkaCompression;
  headers?: Record<string, string>;
  tls?: TlsOptions;
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: SecretOption;
    password: SecretOption;
  };
  /** A record larger than this (bytes) is rejected before sending. Default 1,000,000 (the broker's message.max.bytes). */
  maxMessageBytes?: number;
  /** Default 30000. */
  requestTimeoutMs?: number;
}

export const kafkaOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers', 'topic'],
  properties: {
    brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' } },
    topic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$', description: 'Topic or fallback topic.' },
    topicField: { type: 'string', minLength: 1, description: 'Record field holding the topic.' },
    key: { type: 'string', minLength: 1, description: 'Record field holding the message key.' },
    compression: { enum: [...KAFKA_COMPRESSION] },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    tls: tlsOptionsSchema,
    sasl: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: { enum: ['plain', 'scram-sha-256', 'scram-sha-512'] },
        username: secretOptionSchema,
        password: secretOptionSchema,
      },
    },
    maxMessageBytes: { type: 'integer', minimum: 1024 },
    requestTimeoutMs: { type: 'integer', minimum: 100 },
  },
} as const;

export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
