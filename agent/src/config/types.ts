// The agent's configuration as TypeScript types: generated from the JSON Schema in schema.ts
// (types.generated.ts, written by `npm run generate`, verified by `generate --check`), so the
// schema is the one source; this module adds the names the code uses for parts of them.
//
// Who writes it: the operator renders one AgentConfig per cluster into a ConfigMap (from
// LogPipeline / ClusterLogPipeline / LogOutput / ClusterLogOutput), and `sluice run -f` compiles
// the same resources locally. Secrets never appear as values: outputs reference them.
import type { FilterConfig, OutputConfig, PipelineInput } from './types.generated.ts';

export type {
  AgentConfig,
  AgentSettings,
  BatchConfig,
  BufferConfig,
  Condition,
  EnrichmentConfig,
  FieldCondition,
  FileOutputOptions,
  FilterConfig,
  LabelSelector,
  MultilineConfig,
  NameFilter,
  OutputConfig,
  ParseConfig,
  PipelineConfig,
  PipelineInput,
  RetryConfig,
} from './types.generated.ts';

export type Stream = NonNullable<PipelineInput['streams']>[number];
export type MultilinePreset = import('./types.generated.ts').MultilineConfig['preset'];
export type BuiltinRedactPattern = NonNullable<
  Extract<FilterConfig, { redact: unknown }>['redact']['patterns']
>[number];
export type OutputType = OutputConfig['type'];
