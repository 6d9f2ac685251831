// What the operator knows of one input: its fields in a pipeline's `input` block, what it checks
// beyond the schema, and its part of the agent config's pipeline input.
import type { PipelineInput } from '../../../contract/agent-config/types.ts';
import type { Schema } from '../api/dsl.ts';
import type { ClusterLogPipelineSpec, LogPipelineSpec } from '../api/types.generated.ts';
import type { Pipeline } from '../compile/ids.ts';
import type { Problem } from '../validate/problem.ts';

export type InputBlock = NonNullable<LogPipelineSpec['input']> & NonNullable<ClusterLogPipelineSpec['input']>;

export interface InputCompileContext {
  /** Namespace labels by name (a ClusterLogPipeline's namespace selector); none offline. */
  namespaces: Map<string, Record<string, string>> | undefined;
}

export interface Input {
  /** Its fields in the `input` block of a LogPipeline (cluster false) or a ClusterLogPipeline. */
  fields(cluster: boolean): Record<string, Schema>;
  /**
   * For a ClusterLogPipeline, which must read something: a CEL test on the `input` block that
   * this input is asked for, the same test in code, and what to tell a user who set none.
   */
  asked: { cel: string; test(input: InputBlock): boolean; hint: string };
  /** Problems with its fields beyond the schema (paths under `spec.input`). */
  check(input: InputBlock, cluster: boolean): Problem[];
  /** Its part of the agent config's pipeline input. */
  compile(p: Pipeline, ctx: InputCompileContext): Partial<PipelineInput>;
}
