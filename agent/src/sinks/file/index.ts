import type { FileOptions } from '../../../../contract/agent-config/types.ts';
import type { Sink } from '../types.ts';
import { reusingNdjsonEncoder } from './encode.ts';
import { FileService } from './service.ts';

export function fileSink(options: FileOptions): Sink<Buffer> {
  return { encoder: reusingNdjsonEncoder(), service: new FileService(options) };
}
