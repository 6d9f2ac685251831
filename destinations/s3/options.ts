// Options of an s3 output in the agent config, as the compiler writes them: the API's block minus
// `batch`, secrets as references. The TypeScript type (S3Options) is generated from this schema.
import { secretOptionSchema, tlsOptionsSchema } from '../../contract/options.ts';

export const DEFAULT_KEY_PREFIX = '{{ kubernetes.namespace }}/%Y/%m/%d/%H/';
export const DEFAULT_MULTIPART_BYTES = 8 * 1024 * 1024;

export const options = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket'],
  properties: {
    bucket: { type: 'string', minLength: 3, maxLength: 63 },
    region: { type: 'string', minLength: 1, description: 'Default us-east-1.' },
    endpoint: { type: 'string', pattern: '^https?://' },
    forcePathStyle: { type: 'boolean' },
    keyPrefix: {
      type: 'string',
      description: 'Key prefix template; default `{{ kubernetes.namespace }}/%Y/%m/%d/%H/`.',
    },
    compression: { enum: ['gzip', 'none'], description: 'Default gzip.' },
    credentials: {
      type: 'object',
      additionalProperties: false,
      required: ['accessKeyId', 'secretAccessKey'],
      description:
        'Static keys; absent = the default AWS credential chain (IRSA, pod identity, instance profile).',
      properties: { accessKeyId: secretOptionSchema, secretAccessKey: secretOptionSchema },
    },
    serverSideEncryption: { enum: ['AES256', 'aws:kms'] },
    kmsKeyId: { type: 'string', minLength: 1 },
    storageClass: { type: 'string', minLength: 1 },
    tls: tlsOptionsSchema,
    multipartBytes: {
      type: 'integer',
      minimum: 5 * 1024 * 1024,
      description:
        'Objects larger than this (after compression) are uploaded in parts of this size. Default 8 MiB (min 5 MiB).',
    },
    requestTimeoutMs: { type: 'integer', minimum: 100, description: 'Default 60000.' },
  },
} as const;
