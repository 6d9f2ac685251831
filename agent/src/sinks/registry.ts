// Sink constructors by output type. file and stdout are built in; the sinks issue registers
// kafka, opensearch and s3 here (each from its own folder), with their option schemas.
import type { FileOutputOptions, OutputConfig } from '../config/types.ts';
import { fileSink } from './file/index.ts';
import { stdoutSink } from './stdout/index.ts';
import type { Sink } from './types.ts';

export type SinkFactory = (output: OutputConfig) => Sink;

export const sinkFactories: Record<string, SinkFactory> = {
  file: (o) => fileSink(o.options as unknown as FileOutputOptions),
  stdout: () => stdoutSink(),
};

export function registerSink(type: string, factory: SinkFactory): void {
  sinkFactories[type] = factory;
}

export function makeSink(o: OutputConfig): Sink {
  const f = sinkFactories[o.type];
  if (f === undefined) throw new Error(`output type '${o.type}' is not available in this build of the agent`);
  return f(o);
}
