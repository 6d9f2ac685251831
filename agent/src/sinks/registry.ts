// The sink of each destination type in the table (contract/destinations/index.ts), each from its
// own folder. tsc refuses a table entry without a sink here. The kafka, opensearch and s3 sinks
// load their client libraries on first connect, so an agent without such outputs pays nothing.
import type { DestinationOptions, OutputConfig } from '../../../contract/agent-config/types.ts';
import type { DestinationType } from '../../../destinations/index.ts';
import { fileSink } from './file/index.ts';
import { kafkaSink } from './kafka/index.ts';
import { openSearchSink } from './opensearch/index.ts';
import { s3Sink } from './s3/index.ts';
import { stdoutSink } from './stdout/index.ts';
import type { Sink, SinkContext } from './types.ts';

const SINKS: { [K in DestinationType]: (options: DestinationOptions[K], ctx: SinkContext) => Sink } = {
  kafka: kafkaSink,
  opensearch: openSearchSink,
  s3: s3Sink,
  file: fileSink,
  stdout: stdoutSink,
};

/** The sink of an output whose config was validated (its options match its type's schema). */
export function makeSink(o: OutputConfig, ctx: SinkContext): Sink {
  const make = SINKS[o.type] as (options: unknown, ctx: SinkContext) => Sink;
  return make(o.options, ctx);
}
