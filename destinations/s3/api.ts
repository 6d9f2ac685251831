// Amazon S3 and S3-compatible stores: the s3 block of LogOutput / ClusterLogOutput and its agent
// options (options.ts; the sink is sink/).
import { secretKeyRef, tls } from '../../operator/src/api/common.ts';
import { bool, enumOf, obj, str } from '../../operator/src/api/dsl.ts';
import { templateFields } from '../../operator/src/api/fields.ts';
import { GiB } from '../../operator/src/api/units.ts';
import { qualifySecrets } from '../../operator/src/compile/secrets.ts';
import {
  batchSchema,
  checkBatch,
  checkUrl,
  compileBatch,
  TEMPLATE_HELP,
  urlHost,
} from '../../operator/src/destinations/shared.ts';
import type { Destination } from '../../operator/src/destinations/types.ts';
import { checkTemplate } from '../../operator/src/validate/checks.ts';
import { problem } from '../../operator/src/validate/problem.ts';
import { S3_BATCH_DEFAULTS } from './batch.ts';
import { DEFAULT_KEY_PREFIX } from './options.ts';

export const api: Destination<'s3'> = {
  schema: (ns) =>
    obj(
      'Amazon S3 or any S3-compatible store: gzip NDJSON objects, batched by size and age, with deterministic keys so a retry overwrites instead of duplicating.',
      {
        bucket: str('Bucket name.', {
          maxLength: 63,
          minLength: 3,
          pattern: '^[a-z0-9][a-z0-9.-]+[a-z0-9]$',
        }),
        region: str('Region.', { maxLength: 64, default: 'us-east-1' }),
        endpoint: str('Endpoint URL for S3-compatible stores (MinIO, Ceph, R2...).', {
          maxLength: 1024,
          pattern: '^https?://',
        }),
        forcePathStyle: bool('Path-style addressing (needed by most S3-compatible stores).', {
          default: false,
        }),
        keyPrefix: str(`Object key prefix. ${TEMPLATE_HELP}`, {
          maxLength: 512,
          default: '{{ kubernetes.namespace }}/%Y/%m/%d/%H/',
        }),
        compression: enumOf('Object compression.', ['gzip', 'none'], { default: 'gzip' }),
        batch: batchSchema(S3_BATCH_DEFAULTS),
        credentials: obj(
          "Static access keys. Omit to use the default AWS credential chain (IRSA, EKS pod identity, instance profile): the agent's own identity, which a LogOutput may use only in a namespace the platform labelled `sluice.dev/agent-identity: allowed`.",
          {
            accessKeyId: secretKeyRef('Access key id.', ns),
            secretAccessKey: secretKeyRef('Secret access key.', ns),
          },
          { required: ['accessKeyId', 'secretAccessKey'] },
        ),
        serverSideEncryption: enumOf('Server-side encryption.', ['AES256', 'aws:kms']),
        kmsKeyId: str('KMS key for `aws:kms`.', { maxLength: 2048 }),
        storageClass: str('Storage class, e.g. STANDARD_IA.', { maxLength: 64 }),
        tls: tls(ns),
      },
      {
        required: ['bucket'],
        'x-kubernetes-validations': [
          {
            rule: "!has(self.kmsKeyId) || (has(self.serverSideEncryption) && self.serverSideEncryption == 'aws:kms')",
            message: 'kmsKeyId needs serverSideEncryption aws:kms',
          },
        ],
      },
    ),
  check: (s, at) => [
    ...checkTemplate(`${at}.keyPrefix`, s.keyPrefix),
    ...(s.kmsKeyId !== undefined && s.serverSideEncryption !== 'aws:kms'
      ? [
          problem(
            `${at}.kmsKeyId`,
            'only used with serverSideEncryption aws:kms',
            'set serverSideEncryption: aws:kms or remove kmsKeyId',
          ),
        ]
      : []),
    ...checkUrl(`${at}.endpoint`, s.endpoint),
    ...checkBatch(at, s.batch, { min: 1024, max: 5 * GiB }, { minMs: 1000, maxMs: 24 * 3_600_000 }),
  ],
  agentIdentity: (s, at) =>
    s.credentials === undefined ? `${at} has no credentials: the default AWS credential chain` : undefined,
  hosts: (s, at) =>
    s.endpoint !== undefined
      ? urlHost(s.endpoint, `${at}.endpoint`)
      : [{ path: `${at}.region`, host: `s3.${s.region ?? 'us-east-1'}.amazonaws.com`, port: 443 }],
  routing: (s, at) => [
    { path: `${at}.keyPrefix`, fields: templateFields(s.keyPrefix ?? DEFAULT_KEY_PREFIX) },
  ],
  compile: ({ batch, ...rest }, ctx) => ({
    options: qualifySecrets(rest, ctx.namespace),
    batch: compileBatch(batch),
  }),
};
