// The destination blocks of LogOutput / ClusterLogOutput. `namespacedSecrets` is true for the
// cluster-scoped kind, whose secret references must name a namespace.
import { secretKeyRef, tls } from './common.ts';
import { arr, bool, duration, enumOf, int, obj, quantity, type Schema, str, strMap } from './dsl.ts';

export const DESTINATIONS = ['kafka', 'opensearch', 's3', 'file', 'stdout'] as const;
export type Destination = (typeof DESTINATIONS)[number];
export const KAFKA_COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

const TEMPLATE_HELP =
  'Placeholders: `{{ kubernetes.namespace }}`, `{{ kubernetes.pod }}`, `{{ kubernetes.container }}`, `{{ kubernetes.node }}`, `{{ kubernetes.workload }}`, `{{ kubernetes.labels.KEY }}`, `{{ kubernetes.annotations.KEY }}`, `{{ pipeline }}`, `{{ stream }}`, and UTC dates `%Y` `%m` `%d` `%H`.';

const batch = (maxBytes: string, linger: string): Schema =>
  obj('When a batch is sent: whichever limit is reached first.', {
    maxBytes: quantity('Largest batch in bytes (before compression).', { default: maxBytes }),
    maxRecords: int('Most records in a batch.', { minimum: 1, maximum: 1_000_000, default: 10_000 }),
    maxAge: duration('Longest a record waits for its batch to fill.', { default: linger }),
  });

export function kafka(ns: boolean): Schema {
  return obj(
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
      batch: batch('1Mi', '100ms'),
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
  );
}

export function opensearch(ns: boolean): Schema {
  return obj(
    'OpenSearch (or Elasticsearch-compatible) `_bulk` indexing with deterministic document ids, so retries never duplicate.',
    {
      endpoints: arr('Base URLs of the nodes.', str('URL.', { maxLength: 1024, pattern: '^https?://' }), {
        minItems: 1,
        maxItems: 16,
        example: ['https://opensearch.logging:9200'],
      }),
      // No schema default: the apiserver applies defaults before CEL rules, so a defaulted index
      // would make every dataStream output fail "set either index or dataStream". The agent
      // applies this default when neither is set.
      index: str(`Index name; default \`logs-{{ kubernetes.namespace }}-%Y.%m.%d\`. ${TEMPLATE_HELP}`, {
        maxLength: 255,
        example: 'logs-{{ kubernetes.namespace }}-%Y.%m.%d',
      }),
      dataStream: str('Write to this data stream (op_type create) instead of `index`.', { maxLength: 255 }),
      auth: obj(
        'Authentication. Set at most one.',
        {
          basic: obj(
            'HTTP basic authentication.',
            { username: secretKeyRef('User name.', ns), password: secretKeyRef('Password.', ns) },
            { required: ['username', 'password'] },
          ),
          awsSigV4: obj(
            'AWS Signature V4 with the credentials of the default chain (IRSA, pod identity).',
            {
              region: str('AWS region.', { maxLength: 64, minLength: 1 }),
              service: enumOf('`es` for managed OpenSearch, `aoss` for Serverless.', ['es', 'aoss'], {
                default: 'es',
              }),
            },
            { required: ['region'] },
          ),
        },
        {
          'x-kubernetes-validations': [
            {
              rule: '!(has(self.basic) && has(self.awsSigV4))',
              message: 'set at most one of basic, awsSigV4',
            },
          ],
        },
      ),
      tls: tls(ns),
      compression: enumOf('Request body compression.', ['none', 'gzip'], { default: 'gzip' }),
      batch: batch('5Mi', '1s'),
    },
    {
      required: ['endpoints'],
      'x-kubernetes-validations': [
        {
          rule: '!(has(self.index) && has(self.dataStream))',
          message: 'set either index or dataStream, not both',
        },
      ],
    },
  );
}

export function s3(ns: boolean): Schema {
  return obj(
    'Amazon S3 or any S3-compatible store: gzip NDJSON objects, batched by size and age, with deterministic keys so a retry overwrites instead of duplicating.',
    {
      bucket: str('Bucket name.', { maxLength: 63, minLength: 3, pattern: '^[a-z0-9][a-z0-9.-]+[a-z0-9]$' }),
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
      batch: batch('16Mi', '5m'),
      credentials: obj(
        'Static access keys. Omit to use the default AWS credential chain (IRSA, EKS pod identity, instance profile).',
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
  );
}

export const file: Schema = obj(
  'NDJSON files on each node, under the agent data directory (for debugging and local runs).',
  {
    path: str('File name relative to `<agent data dir>/files/<namespace>/`.', {
      maxLength: 255,
      minLength: 1,
      pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$',
      example: 'checkout.ndjson',
    }),
    maxSize: quantity('Rotate the file at this size.', { default: '100Mi' }),
    maxFiles: int('Rotated files to keep.', { minimum: 1, maximum: 100, default: 5 }),
  },
  { required: ['path'] },
);

export const stdout: Schema = obj(
  "NDJSON on the agent's standard output, one record per line (for debugging: `kubectl logs`).",
  {},
);
