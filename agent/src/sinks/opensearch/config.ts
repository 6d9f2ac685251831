// Options of the opensearch output as the compiler writes them (operator/src/api/destinations.ts
// minus `batch`; secrets as references).
import type { SecretOption } from '../../secrets/types.ts';
import { secretOptionSchema, type TlsOptions, tlsOptionsSchema } from '../shared/options.ts';

export interface OpenSearchOptions {
  endpoints: string[];
  /** Index name template; default `logs-{{ kubernetes.namespace }}-%Y.%m.%d`. */
  index?: string;
  /** Write to this data stream (op_type create); takes precedence over `index`. */
  dataStream?: string;
  auth?: {
    basic?: { username: SecretOption; password: SecretOption };
    awsSigV4?: { region: string; service?: 'es' | 'aoss' };
  };
  tls?: TlsOptions;
  /** Request body compression; default gzip. */
  compression?: 'none' | 'gzip';
  /** Default 30000. */
  requestTimeoutMs?: number;
}

export const DEFAULT_INDEX = 'logs-{{ kubernetes.namespace }}-%Y.%m.%d';

export const openSearchOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoints'],
  properties: {
    endpoints: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://' } },
    index: { type: 'string', minLength: 1, description: 'Index name template.' },
    dataStream: { type: 'string', minLength: 1, description: 'Data stream name.' },
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
    compression: { enum: ['none', 'gzip'] },
    requestTimeoutMs: { type: 'integer', minimum: 100 },
  },
} as const;
