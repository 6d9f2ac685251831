// What the operator knows of one destination: its block in LogOutput / ClusterLogOutput, the
// checks the schema cannot express, and how a validated block becomes the agent's options.
import type { BatchConfig, DestinationOptions } from '../../../contract/agent-config/types.ts';
import type { DestinationType } from '../../../destinations/index.ts';
import type { Schema } from '../api/dsl.ts';
import type { ClusterLogOutputSpec, LogOutputSpec } from '../api/types.generated.ts';
import type { Problem } from '../validate/problem.ts';

/** The block of destination K in an output's spec (`spec.kafka`...). */
export type Block<K extends DestinationType> = NonNullable<(LogOutputSpec | ClusterLogOutputSpec)[K]>;

export interface CompileContext {
  /** The LogOutput's namespace; undefined for a ClusterLogOutput (its references name one). */
  namespace: string | undefined;
  /** The agent's data directory (file outputs live under it). */
  dataDir: string;
}

export interface Compiled<K extends DestinationType> {
  options: DestinationOptions[K];
  batch?: BatchConfig;
}

export interface Destination<K extends DestinationType> {
  /** The CRD block; `cluster`: the ClusterLogOutput's, whose secret references name a namespace. */
  schema(cluster: boolean): Schema;
  /** Problems with the block beyond its schema (`at` is `spec.<type>`). */
  check(block: Block<K>, at: string): Problem[];
  /**
   * Where the block picks a destination (index, key prefix, topic) from record fields: the setting's
   * path and the fields it reads. A shared ClusterLogOutput admits LogPipelines only when these are
   * fields tenants cannot set, or ones the platform listed (compile/resolve.ts).
   */
  routing?(block: Block<K>, at: string): { path: string; fields: string[] }[];
  /**
   * The setting through which the block authenticates with the agent's own identity (the default
   * cloud credential chain), if it does: a namespace needs the platform's leave for that.
   */
  agentIdentity?(block: Block<K>, at: string): string | undefined;
  /** The network destinations the block sends to (host and port), for the platform's allow-list. */
  hosts?(block: Block<K>, at: string): { path: string; host: string; port: number }[];
  /** The agent's options for a validated block. */
  compile(block: Block<K>, ctx: CompileContext): Compiled<K>;
}
