// The file sink (SinkFactory of the destination table): NDJSON appended to a rotated file.
import type { Sink } from '../../../agent/src/sinks/types.ts';
import type { FileOptions } from '../../../contract/agent-config/types.ts';
import { ndjsonSliceEncoder } from './encode.ts';
import { FileService } from './service.ts';

export function sink(options: FileOptions): Sink<Buffer[]> {
  return { encoder: ndjsonSliceEncoder, service: new FileService(options) };
}
