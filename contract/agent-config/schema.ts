// The one schema source of the agent config (JSON Schema draft-07), the document the operator
// writes and the agent runs: `npm run generate` compiles it into the agent's validators
// (agent/src/config/validators.generated.ts, ajv standalone) and derives types.generated.ts from
// it. Every field carries a description; unknown fields are rejected everywhere. An output's
// `options` are checked against its type's schema in the destination table (../destinations/).

import { DESTINATION_TYPES, DESTINATIONS } from '../../destinations/index.ts';
import { INPUT_TYPES, INPUTS } from '../../inputs/index.ts';
import { secretOptionSchema, tlsOptionsSchema } from '../options.ts';
import { nonNegInt, posInt, str, strList } from './schema-parts.ts';
import { labelSelectorSchema, nameFilterSchema } from './selectors.ts';

const scalar = { type: ['string', 'number', 'boolean'] } as const;

const condition = {
  description: 'A field condition, or all/any/not of conditions.',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['field'],
      properties: {
        field: str('Dotted path: level, message, stream, kubernetes.labels.app, ...'),
        equals: scalar,
        in: { type: 'array', items: scalar },
        matches: str('RegExp source matched against the value as a string.'),
        exists: { type: 'boolean' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['all'],
      properties: { all: { type: 'array', items: { $ref: '#/definitions/condition' } } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['any'],
      properties: { any: { type: 'array', items: { $ref: '#/definitions/condition' } } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['not'],
      properties: { not: { $ref: '#/definitions/condition' } },
    },
  ],
} as const;

const one = (key: string, body: object) =>
  ({ type: 'object', additionalProperties: false, required: [key], properties: { [key]: body } }) as const;

const filter = {
  description: 'One filter step; exactly one key.',
  oneOf: [
    one('drop', {
      type: 'object',
      additionalProperties: false,
      required: ['when'],
      properties: { when: { $ref: '#/definitions/condition' } },
    }),
    one('keep', {
      type: 'object',
      additionalProperties: false,
      required: ['when'],
      properties: { when: { $ref: '#/definitions/condition' } },
    }),
    one('redact', {
      type: 'object',
      additionalProperties: false,
      properties: {
        fields: strList('Field names whose values are replaced (any depth, case-insensitive).'),
        patterns: { type: 'array', items: { enum: ['creditCard', 'email', 'bearerToken', 'awsKey', 'jwt'] } },
        custom: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'regex'],
            properties: { name: str('Name (in metrics).'), regex: str('RegExp source.') },
          },
        },
        replacement: { type: 'string' },
      },
    }),
    one('add', {
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: { fields: { type: 'object', additionalProperties: { type: 'string' } } },
    }),
    one('remove', {
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: { fields: strList('Dotted paths to remove.') },
    }),
    one('rename', {
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: { fields: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } } },
    }),
    one('throttle', {
      type: 'object',
      additionalProperties: false,
      required: ['recordsPerSecond', 'per'],
      properties: {
        recordsPerSecond: posInt('Sustained rate per key.'),
        per: { enum: ['pod', 'namespace'] },
        burst: posInt('Bucket size; default = recordsPerSecond.'),
      },
    }),
  ],
} as const;

type InputFields = UnionToIntersection<(typeof INPUTS)[keyof typeof INPUTS]['properties']>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** Input fields only a ClusterLogPipeline may set. */
const clusterOnlyInputs: string[] = INPUT_TYPES.flatMap((t) => INPUTS[t].clusterOnly);

const pipeline = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'name', 'outputs'],
  properties: {
    id: str('Unique, stable id; checkpoints are keyed by it.'),
    kind: { enum: ['LogPipeline', 'ClusterLogPipeline'] },
    name: str('Resource name, for status attribution.'),
    namespace: str('Resource namespace (LogPipeline).'),
    input: {
      type: 'object',
      additionalProperties: false,
      description: "What the pipeline reads: each input's fields (../../inputs/).",
      properties: Object.assign({}, ...INPUT_TYPES.map((t) => INPUTS[t].properties)) as InputFields,
    },
    parse: {
      type: 'object',
      additionalProperties: false,
      properties: {
        format: {
          enum: ['auto', 'json', 'logfmt', 'regex', 'none'],
          description:
            'auto: JSON when the body is a JSON object, otherwise kept as `message`. Default auto.',
        },
        pattern: str('RegExp source with named groups (format regex).'),
        multiline: {
          type: 'object',
          additionalProperties: false,
          required: ['preset'],
          properties: {
            preset: { enum: ['java', 'go', 'python', 'custom'] },
            start: str('RegExp source: a matching line begins a record.'),
            continue: str('RegExp source: a matching line continues the open record.'),
            flushTimeoutMs: posInt('Emit an open record after this long without a new line.'),
          },
        },
        maxRecordBytes: {
          type: 'integer',
          minimum: 1024,
          description: 'Longer records are truncated with a marker and counted. Default 1 MiB.',
        },
        keepOriginal: {
          type: 'boolean',
          description:
            'Keep the original text in `message` when the body was parsed into fields. Default false.',
        },
      },
    },
    filters: { type: 'array', items: filter },
    namespaceRecordsPerSecond: nonNegInt(
      "Records per second that every pipeline with this namespace and this field together may process on this agent (the platform's tenancy cap maxRecordsPerSecond); beyond it records are dropped and counted (namespace_rate_cap). Checked before parsing and filters.",
    ),
    outputs: { ...strList('Output ids.'), minItems: 1 },
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'LogPipeline' } } },
      then: {
        required: ['namespace'],
        properties: {
          input: { not: { anyOf: clusterOnlyInputs.map((f) => ({ required: [f] })) } },
        },
      },
    },
    {
      if: { properties: { parse: { properties: { format: { const: 'regex' } }, required: ['format'] } } },
      then: { properties: { parse: { required: ['pattern'] } } },
    },
  ],
} as const;

/** The generated type of a destination's options: kafka → KafkaOptions, s3 → S3Options. */
export const optionsTypeName = (type: string): string => `${type[0]!.toUpperCase()}${type.slice(1)}Options`;

/** Each destination type's options, by type: generates `DestinationOptions`. */
const destinationOptions = {
  type: 'object',
  additionalProperties: false,
  required: [...DESTINATION_TYPES],
  properties: DESTINATIONS,
} as const;

const output = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: str('Unique output id.'),
    kind: { enum: ['LogOutput', 'ClusterLogOutput'] },
    name: str('Resource name, for status attribution.'),
    namespace: str('Resource namespace.'),
    type: { enum: DESTINATION_TYPES },
    options: {
      type: 'object',
      description: "The type's options (../destinations/); secrets are references, never values.",
    },
    buffer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { enum: ['memory', 'disk'], description: 'Default memory.' },
        maxSize: posInt('Bytes. Default 4 MiB (memory) / 1 GiB (disk).'),
        whenFull: {
          enum: ['block', 'dropNewest'],
          description:
            'block: the output stops taking records (never drops) and catches up from the files once it has room; reading pauses only when every output of the pipeline is full. dropNewest: drop and count. Default block.',
        },
        fsync: {
          enum: ['always', 'interval'],
          description: 'disk: fsync before acknowledging (always) or every fsyncIntervalMs. Default always.',
        },
        fsyncIntervalMs: posInt('Milliseconds.'),
      },
    },
    batch: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxRecords: posInt('Records per request.'),
        maxBytes: posInt('Bytes per request.'),
        maxAgeMs: posInt('Flush a partial batch after this long.'),
      },
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      description:
        'Retries go on forever; unrecoverable records go to deadLetter or are dropped and counted.',
      properties: {
        initialBackoffMs: posInt('First backoff. Default 500.'),
        maxBackoffMs: posInt('Backoff cap. Default 60000.'),
      },
    },
    deadLetter: str('Output id for unrecoverable records.'),
  },
} as const;

const agentSettings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    podLogsDir: str('Default /var/log/pods.'),
    hostRoot: str(
      'Prefix of hostFiles paths where the node filesystem is mounted (e.g. /host). Default none.',
    ),
    dataDir: str('Checkpoints and disk buffers. Default /var/lib/sluice.'),
    httpPort: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      description: 'Port of /healthz /readyz /metrics /status; 0 = off. Default 2020.',
    },
    httpHost: str('Default 0.0.0.0.'),
    httpAuth: {
      enum: ['kubernetes', 'none'],
      description:
        'Who may read /metrics and /status: kubernetes = a caller whose bearer token the apiserver accepts (TokenReview) and who may get that non-resource URL (SubjectAccessReview), as Prometheus with its ServiceAccount token; none = anyone who reaches the port. /healthz and /readyz are always open (kubelet probes). Default none; the operator renders kubernetes.',
    },
    tapPort: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      description:
        'Serve /tap on this port of httpHost instead of httpPort, so a NetworkPolicy can admit the apiserver proxy to it alone. Default 0: on httpPort.',
    },
    statusFile: str('Write {configHash, ...} here after each (re)load.'),
    maxOpenFiles: posInt('Default 1024.'),
    readBufferBytes: { type: 'integer', minimum: 4096, description: 'Per followed file. Default 128 KiB.' },
    pollIntervalMs: posInt('Default 1000.'),
    rotateWaitMs: nonNegInt('Default 5000.'),
    watch: { type: 'boolean', description: 'Use inotify (fs.watch); false = polling only. Default true.' },
    enrichment: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kubernetes: {
          type: 'boolean',
          description: 'Watch the pods of this node (NODE_NAME) and the namespaces through the apiserver.',
        },
        metadataFile: str('Static pod metadata (JSON/YAML).'),
        deletedPodTtlSeconds: nonNegInt('Default 60.'),
        cacheMaxBytes: posInt('Default 32 MiB.'),
      },
    },
    secrets: {
      type: 'object',
      additionalProperties: false,
      description: 'Where Secret references are read: the apiserver by default, or a local directory.',
      properties: {
        directory: str('Files <namespace>/<name>/<key> (sluice run without a cluster).'),
        refreshIntervalMs: posInt('Re-read referenced Secrets this often to follow rotation. Default 10000.'),
      },
    },
    bufferBudget: {
      type: 'object',
      additionalProperties: false,
      description:
        'Node-wide budget of the output buffers: when the maxSize of all memory (resp. disk) buffers add up to more, each is scaled down by the same factor (at least 64 KiB each) so that together they fit; an output whose buffer was scaled down counts its whenFull: dropNewest drops as node_buffer_budget. Default: no budget.',
      properties: {
        memoryBytes: posInt('Bytes all memory buffers of this agent may hold together.'),
        diskBytes: posInt('Bytes all disk buffers of this agent may hold together.'),
      },
    },
    configShards: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'labelSelector'],
      description:
        'Also run the pipelines and outputs of the ConfigMaps matching labelSelector in namespace, listed and watched through the apiserver (the operator writes one per namespace: contract/agent-config/shards.ts). Each carries an agent config without agent settings, gzip-compressed JSON under binaryData["config.json.gz"]; a shard that does not validate is skipped (its last loaded version keeps running) and reported. Default: none.',
      properties: {
        namespace: str("Namespace of the shard ConfigMaps (the agent's own)."),
        labelSelector: str('Label selector of the shard ConfigMaps.'),
      },
    },
    shutdownTimeoutMs: posInt('Default 25000.'),
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
  },
} as const;

export const agentConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://sluice.dev/schemas/agent-config.json',
  title: 'Sluice agent configuration',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'pipelines', 'outputs'],
  definitions: { condition },
  properties: {
    apiVersion: { const: 'agent.sluice.dev/v1' },
    agent: agentSettings,
    pipelines: { type: 'array', items: pipeline },
    outputs: { type: 'array', items: output },
  },
} as const;

/**
 * The named parts of the schema: `npm run generate` writes one TypeScript type per entry
 * (types.generated.ts), so the types are derived from this schema and never hand-kept.
 */
export const namedSchemas = {
  AgentConfig: agentConfigSchema,
  AgentSettings: agentSettings,
  EnrichmentConfig: agentSettings.properties.enrichment,
  PipelineConfig: pipeline,
  PipelineInput: pipeline.properties.input,
  NameFilter: nameFilterSchema,
  LabelSelector: labelSelectorSchema,
  ParseConfig: pipeline.properties.parse,
  MultilineConfig: pipeline.properties.parse.properties.multiline,
  Condition: condition,
  FieldCondition: condition.oneOf[0],
  FilterConfig: filter,
  OutputConfig: output,
  BufferConfig: output.properties.buffer,
  BatchConfig: output.properties.batch,
  RetryConfig: output.properties.retry,
  DestinationOptions: destinationOptions,
  ...Object.fromEntries(DESTINATION_TYPES.map((t) => [optionsTypeName(t), DESTINATIONS[t]])),
  TlsOptions: tlsOptionsSchema,
  SecretOption: secretOptionSchema,
} as const;
