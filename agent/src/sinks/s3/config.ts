// Options of the s3 output as the compiler writes them (operator/src/api/destinations.ts minus
// `batch`; secrets as references).
import type { SecretOption } from '../../secrets/types.ts';
import { secretOptionSchema, type TlsOptions, tlsOptionsSchema } from '../shared/options.ts';

export interface S3Options {
  bucket: string;
  /** Default us-east-1. */
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Key prefix template; default `{{ kubernetes.namespace }}/%Y/%m/%d/%H/`. */
  keyPrefix?: string;
  /** Default gzip. */
  compression?: 'gzip' | 'none';
  /** Static keys; absent = the default AWS credential chain (IRSA, pod identity, instance profile). */
  credentials?: { accessKeyId: SecretOption; secretAccessKey: SecretOption };
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  storageClass?: string;
  tls?: TlsOptions;
  /** Objects larger than this (after compression) are uploaded in parts of this size. Default 8 MiB (min 5 MiB). */
  multipartBytes?: number;
  /** Default 60000. */
  requestTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = '{{ kubernetes.namespace }}/%Y/%m/%d/%H/';
export const DEFAULT_MULTIPART_BYTES = 8 * 1024 * 1024;

export const s3OptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket'],
  properties: {
    bucket: { type: 'string', minLength: 3, maxLength: 63 },
    region: { type: 'string', minLength: 1 },
    endpoint: { type: 'string', pattern: '^https?://' },
    forcePathStyle: { type: 'boolean' },
    keyPrefix: { type: 'string', description: 'Key prefix template.' },
    compression: { enum: ['gzip', 'none'] },
    credentials: {
      type: 'object',
      additionalProperties: false,
      required: ['accessKeyId', 'secretAccessKey'],
      properties: { accessKeyId: secretOptionSchema, secretAccessKey: secretOptionSchema },
    },
    serverSideEncryption: { enum: ['AES256', 'aws:kms'] },
    kmsKeyId: { type: 'string', minLength: 1 },
    storageClass: { type: 'string', minLength: 1 },
    tls: tlsOptionsSchema,
    multipartBytes: { type: 'integer', minimum: 5 * 1024 * 1024 },
    requestTimeoutMs: { type: 'integer', minimum: 100 },
  },
} as const;
