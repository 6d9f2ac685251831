// Sink constructors by output type, each from its own folder. The kafka, opensearch and s3 sinks
// load their client libraries on first connect, so an agent without them pays nothing.
import type { FileOutputOptions, OutputConfig } from '../config/types.ts';
import { fileSink } from './file/index.ts';
import type { KafkaOptions } from './kafka/config.ts';
import { kafkaSink } from './kafka/index.ts';
import type { OpenSearchOptions } from './opensearch/config.ts';
import { openSearchSink } from './opensearch/index.ts';
import type { S3Options } from './s3/config.ts';
import { s3Sink } from './s3/index.ts';
import { stdoutSink } from './stdout/index.ts';
import type { Sink, SinkContext } from './types.ts';

export type SinkFactory = (output: OutputConfig, ctx: SinkContext) => Sink;

export const sinkFactories: Record<string, SinkFactory> = {
  file: (o) => fileSink(o.options as unknown as FileOutputOptions),
  stdout: () => stdoutSink(),
  kafka: (o, ctx) => kafkaSink(o.options as unknown as KafkaOptions, ctx),
  opensearch: (o, ctx) => openSearchSink(o.options as unknown as OpenSearchOptions, ctx),
  s3: (o, ctx) => s3Sink(o.options as unknown as S3Options, ctx),
};

export function registerSink(type: string, factory: SinkFactory): void {
  sinkFactories[type] = factory;
}

export function makeSink(o: OutputConfig, ctx: SinkContext): Sink {
  const f = sinkFactories[o.type];
  if (f === undefined) throw new Error(`output type '${o.type}' is not available in this build of the agent`);
  return f(o, ctx);
}
