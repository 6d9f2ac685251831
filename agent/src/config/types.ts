// The agent's configuration, as TypeScript types. The JSON Schema in schema.ts is the source of
// truth for validation and documentation; these types mirror it field for field (a unit test
// checks the default config and the examples against both).
//
// Who writes it: the operator renders one AgentConfig per cluster into a ConfigMap (from
// LogPipeline / ClusterLogPipeline / LogOutput / ClusterLogOutput), and `sluice run -f` compiles
// the same resources locally. Secrets never appear as values: outputs reference files (mounted
// Secrets) by path.

export type Stream = 'stdout' | 'stderr';

/** Kubernetes label selector (metav1.LabelSelector), evaluated against the enriched pod labels. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export interface NameFilter {
  /** Names (exact) to include; empty or absent = all. */
  include?: string[];
  /** Names (exact) to exclude; applied after include. */
  exclude?: string[];
}

export interface PipelineInput {
  /**
   * Namespaces whose container logs this pipeline reads. For kind LogPipeline the agent ignores
   * anything but `include: [<pipeline namespace>]` — a namespaced pipeline only ever sees its own
   * namespace, enforced from the /var/log/pods/<ns>_<pod>_<uid>/ path.
   */
  namespaces?: NameFilter;
  /** Pod label selector; absent = all pods. */
  pods?: LabelSelector;
  containers?: NameFilter;
  /** Default both. */
  streams?: Stream[];
  /** Cluster pipelines only: host files by glob (e.g. /var/log/syslog). */
  hostFiles?: { paths: string[]; exclude?: string[] };
  /** Cluster pipelines only: also read the agent's own pods (default false, avoids feedback loops). */
  includeAgentPods?: boolean;
  /** Set false to read no container logs at all (a host-files-only cluster pipeline). Default true. */
  containerLogs?: boolean;
}

export type MultilinePreset = 'java' | 'go' | 'python' | 'custom';

export interface MultilineConfig {
  preset: MultilinePreset;
  /** custom: a line matching `start` begins a new record (JavaScript RegExp source). */
  start?: string;
  /** custom: a line matching `continue` is appended to the open record. */
  continue?: string;
  /** Emit an open record after this long without a new line. Default 1000 ms. */
  flushTimeoutMs?: number;
}

export interface ParseConfig {
  /** auto: JSON when the body starts with '{', otherwise kept as `message`. Default auto. */
  format?: 'auto' | 'json' | 'logfmt' | 'regex' | 'none';
  /** regex format: a RegExp source with named groups; the groups become fields. */
  pattern?: string;
  multiline?: MultilineConfig;
  /** Records longer than this are truncated with a marker and counted. Default 1 MiB. */
  maxRecordBytes?: number;
  /** Keep the original text in `message` when the body was parsed into fields. Default false. */
  keepOriginal?: boolean;
}

/** A field condition. `field` is a dotted path into the record (`level`, `kubernetes.labels.app`, `message`, `stream`). */
export interface FieldCondition {
  field: string;
  equals?: string | number | boolean;
  in?: (string | number | boolean)[];
  /** RegExp source matched against the value as a string. */
  matches?: string;
  exists?: boolean;
}
export type Condition = FieldCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export type BuiltinRedactPattern = 'creditCard' | 'email' | 'bearerToken' | 'awsKey' | 'jwt';

export type FilterConfig =
  | { drop: { when: Condition } }
  | { keep: { when: Condition } }
  | {
      redact: {
        /** Field names whose values are replaced entirely (matched at any depth, case-insensitive). */
        fields?: string[];
        patterns?: BuiltinRedactPattern[];
        custom?: { name: string; regex: string }[];
        /** Default "[REDACTED]". */
        replacement?: string;
      };
    }
  | { add: { fields: Record<string, string> } }
  | { remove: { fields: string[] } }
  | { rename: { fields: Record<string, string> } }
  | { throttle: { recordsPerSecond: number; per: 'pod' | 'namespace'; burst?: number } };

export interface PipelineConfig {
  /** Unique, stable id (checkpoints are keyed by it), e.g. `LogPipeline/shop/checkout`. */
  id: string;
  /** Status attribution. */
  kind: 'LogPipeline' | 'ClusterLogPipeline';
  name: string;
  /** Required for kind LogPipeline. */
  namespace?: string;
  input?: PipelineInput;
  parse?: ParseConfig;
  /** Applied in order. */
  filters?: FilterConfig[];
  /** Output ids (OutputConfig.id); every record goes to each of them. */
  outputs: string[];
}

export interface BufferConfig {
  /** Default memory. */
  type?: 'memory' | 'disk';
  /** Bytes. Default 4 MiB (memory) / 1 GiB (disk). */
  maxSize?: number;
  /** block: pause the tailers (never drop); dropNewest: drop and count. Default block. */
  whenFull?: 'block' | 'dropNewest';
  /** disk: fsync policy. `always` before acknowledging, or every `fsyncIntervalMs`. Default always. */
  fsync?: 'always' | 'interval';
  fsyncIntervalMs?: number;
}

export interface BatchConfig {
  maxRecords?: number;
  maxBytes?: number;
  /** Flush a non-empty batch after this long. */
  maxAgeMs?: number;
}

export interface RetryConfig {
  /** Default 500 ms. */
  initialBackoffMs?: number;
  /** Default 60 s. Retries go on forever; unrecoverable (fatal) records go to deadLetter or are dropped and counted. */
  maxBackoffMs?: number;
}

export type OutputType = 'file' | 'stdout' | 'kafka' | 'opensearch' | 's3';

export interface FileOutputOptions {
  path: string;
  /** Rotate when the file exceeds this many bytes (0 = never). */
  rotateBytes?: number;
  /** Rotated files kept (path.1 .. path.N). Default 5. */
  maxFiles?: number;
  /** fsync after each batch before acknowledging. Default false (survives a process kill, not a power cut). */
  fsync?: boolean;
}

export interface OutputConfig {
  /** Unique id, e.g. `LogOutput/shop/shop-kafka`. */
  id: string;
  /** Status attribution of the resource this was compiled from. */
  kind?: 'LogOutput' | 'ClusterLogOutput';
  name?: string;
  namespace?: string;
  type: OutputType;
  /** Type-specific options; file and stdout are defined here, the others by their sinks. */
  options?: Record<string, unknown>;
  buffer?: BufferConfig;
  batch?: BatchConfig;
  retry?: RetryConfig;
  /** Output id receiving records this output rejected as unrecoverable. */
  deadLetter?: string;
}

export interface EnrichmentConfig {
  /** Watch pods of this node (and namespaces) through the apiserver. Default true in `sluice agent`. */
  kubernetes?: boolean;
  /** A static metadata file (JSON or YAML: a PodList-like `{pods: [...], namespaces: [...]}`). */
  metadataFile?: string;
  /** Keep metadata of deleted pods this long. Default 60. */
  deletedPodTtlSeconds?: number;
  /** Cache bound in bytes (approximate). Default 32 MiB. */
  cacheMaxBytes?: number;
}

export interface AgentSettings {
  /** Directory holding /var/log/pods-style pod log folders. Default /var/log/pods. */
  podLogsDir?: string;
  /** Prefix of host file paths (hostFiles), where the node's filesystem is mounted. Default none. */
  hostRoot?: string;
  /** Checkpoints and disk buffers live here. Default /var/lib/sluice. */
  dataDir?: string;
  /** HTTP port for /healthz /readyz /metrics /status; 0 = disabled. Default 2020. */
  httpPort?: number;
  httpHost?: string;
  /** Write the running config hash (and reload state) here after every (re)load. */
  statusFile?: string;
  maxOpenFiles?: number;
  readBufferBytes?: number;
  /** Rescan/stat interval when inotify misses events; also the only mechanism when watch is off. */
  pollIntervalMs?: number;
  /** How long a rotated/deleted file is kept open after it stops growing. Default 5000. */
  rotateWaitMs?: number;
  /** Use fs.watch (inotify); false = polling only. Default true. */
  watch?: boolean;
  enrichment?: EnrichmentConfig;
  /** SIGTERM: flush within this deadline. Default 25 s. */
  shutdownTimeoutMs?: number;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export interface AgentConfig {
  /** Schema version of this document. */
  apiVersion: 'agent.sluice.dev/v1';
  agent?: AgentSettings;
  pipelines: PipelineConfig[];
  outputs: OutputConfig[];
}
