// Options of an opensearch output in the agent config, as the compiler writes them: the API's
// block minus `batch`, secrets as references, `index` dropped when `dataStream` is set. The
// TypeScript type (OpenSearchOptions) is generated from this schema.
import { secretOptionSchema, tlsOptionsSchema } from '../../contract/options.ts';

export const DEFAULT_INDEX = 'logs-{{ kubernetes.namespace }}-%Y.%m.%d';

export const options = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoints'],
  properties: {
    endpoints: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://' } },
    index: {
      type: 'string',
      minLength: 1,
      description: 'Index name template; default `logs-{{ kubernetes.namespace }}-%Y.%m.%d`.',
    },
    dataStream: {
      type: 'string',
      minLength: 1,
      description: 'Write to this data stream (op_type create); takes precedence over `index`.',
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        basic: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: secretOptionSchema, password: secretOptionSchema },
        },
        awsSigV4: {
          type: 'object',
          additionalProperties: false,
          required: ['region'],
          properties: { region: { type: 'string', minLength: 1 }, service: { enum: ['es', 'aoss'] } },
        },
      },
    },
    tls: tlsOptionsSchema,
    compression: { enum: ['none', 'gzip'], description: 'Request body compression; default gzip.' },
    requestTimeoutMs: { type: 'integer', minimum: 100, description: 'Default 30000.' },
  },
} as const;
