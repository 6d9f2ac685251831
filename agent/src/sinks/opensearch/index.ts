import type { Sink, SinkContext } from '../types.ts';
import type { OpenSearchOptions } from './config.ts';
import { type BulkRequest, bulkEncoder } from './encode.ts';
import { OpenSearchService } from './service.ts';

export { openSearchOptionsSchema } from './config.ts';

export function openSearchSink(options: OpenSearchOptions, ctx: SinkContext): Sink<BulkRequest> {
  return { encoder: bulkEncoder(options), service: new OpenSearchService(options, ctx) };
}
