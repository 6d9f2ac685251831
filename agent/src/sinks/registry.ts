// The sink of an output: each destination's factory (destinations/<type>/sink/), gathered from
// the destination table by `npm run generate` (sinks.generated.ts). The kafka, opensearch and s3
// sinks load their client libraries on first connect, so an agent without such outputs pays
// nothing.
import type { OutputConfig } from '../../../contract/agent-config/types.ts';
import { SINKS } from './sinks.generated.ts';
import type { Sink, SinkContext } from './types.ts';

/** The sink of an output whose config was validated (its options match its type's schema). */
export function makeSink(o: OutputConfig, ctx: SinkContext): Sink {
  const make = SINKS[o.type] as (options: unknown, ctx: SinkContext) => Sink;
  return make(o.options, ctx);
}
