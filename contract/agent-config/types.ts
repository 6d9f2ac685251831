// The agent's configuration as TypeScript types: generated from the JSON Schema in schema.ts and
// the destination table (types.generated.ts, written by `npm run generate`, verified by
// `generate --check`), so the schemas are the one source; this module adds the names the code
// uses for parts of them.
//
// Who writes it: the operator renders one AgentConfig per cluster into a ConfigMap (from
// LogPipeline / ClusterLogPipeline / LogOutput / ClusterLogOutput), and `sluice run -f` compiles
// the same resources locally. Secrets never appear as values: outputs reference them.
import type {
  DestinationOptions,
  FilterConfig,
  OutputConfig,
  PipelineInput,
  SecretOption,
} from './types.generated.ts';

export type {
  AgentConfig,
  AgentSettings,
  BatchConfig,
  BufferConfig,
  Condition,
  DestinationOptions,
  EnrichmentConfig,
  FieldCondition,
  FileOptions,
  FilterConfig,
  KafkaOptions,
  LabelSelector,
  MultilineConfig,
  NameFilter,
  OpensearchOptions,
  OutputConfig,
  ParseConfig,
  PipelineConfig,
  PipelineInput,
  RetryConfig,
  S3Options,
  SecretOption,
  StdoutOptions,
  TlsOptions,
} from './types.generated.ts';

export type Stream = NonNullable<PipelineInput['streams']>[number];
export type MultilinePreset = import('./types.generated.ts').MultilineConfig['preset'];
export type BuiltinRedactPattern = NonNullable<
  Extract<FilterConfig, { redact: unknown }>['redact']['patterns']
>[number];
export type OutputType = OutputConfig['type'];

/** Where a Secret value is read from: the agent resolves it at run time. */
export type SecretRef = SecretOption['secret'];

/** An output of one destination type, with that type's options. */
export type OutputOf<K extends OutputType> = OutputConfig & { type: K; options: DestinationOptions[K] };
