// Options of a kafka output in the agent config, as the compiler writes them: the API's block
// minus `batch` (it becomes the output's batch), secrets as references. The TypeScript type
// (KafkaOptions) is generated from this schema.
import { secretOptionSchema, tlsOptionsSchema } from '../../contract/options.ts';

export const KAFKA_COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** The broker's default message.max.bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

export const options = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers', 'topic'],
  properties: {
    brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' } },
    topic: {
      type: 'string',
      pattern: '^[a-zA-Z0-9._-]{1,249}$',
      description: 'Topic, or the fallback when `topicField` is missing or not a valid topic name.',
    },
    topicField: { type: 'string', minLength: 1, description: 'Record field holding the topic.' },
    key: { type: 'string', minLength: 1, description: 'Record field whose value is the message key.' },
    compression: { enum: [...KAFKA_COMPRESSION], description: 'Default zstd.' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    tls: tlsOptionsSchema,
    sasl: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: { enum: [...SASL_MECHANISMS] },
        username: secretOptionSchema,
        password: secretOptionSchema,
      },
    },
    maxMessageBytes: {
      type: 'integer',
      minimum: 1024,
      description: 'A record larger than this (bytes) is rejected before sending. Default 1,000,000.',
    },
    requestTimeoutMs: { type: 'integer', minimum: 100, description: 'Default 30000.' },
  },
} as const;
