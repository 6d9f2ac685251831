import type { OpensearchOptions } from '../../../../contract/agent-config/types.ts';
import type { Sink, SinkContext } from '../types.ts';
import { type BulkRequest, bulkEncoder } from './encode.ts';
import { OpenSearchService } from './service.ts';

export function openSearchSink(options: OpensearchOptions, ctx: SinkContext): Sink<BulkRequest> {
  return { encoder: bulkEncoder(options), service: new OpenSearchService(options, ctx) };
}
