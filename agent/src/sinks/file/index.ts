import type { FileOutputOptions } from '../../config/types.ts';
import type { Sink } from '../types.ts';
import { reusingNdjsonEncoder } from './encode.ts';
import { FileService } from './service.ts';

export { fileOutputOptionsSchema } from '../../config/schema.ts';

export function fileSink(options: FileOutputOptions): Sink<Buffer> {
  return { encoder: reusingNdjsonEncoder(), service: new FileService(options) };
}
