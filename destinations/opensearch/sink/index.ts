// The opensearch sink (SinkFactory of the destination table): `_bulk` requests with deterministic
// document ids (encode.ts), sent and answered per item (service.ts).
import type { Sink, SinkContext } from '../../../agent/src/sinks/types.ts';
import type { OpensearchOptions } from '../../../contract/agent-config/types.ts';
import { OPENSEARCH_BATCH_DEFAULTS } from '../batch.ts';
import { type BulkRequest, bulkEncoder } from './encode.ts';
import { OpenSearchService } from './service.ts';

export function sink(options: OpensearchOptions, ctx: SinkContext): Sink<BulkRequest> {
  return {
    encoder: bulkEncoder(options),
    service: new OpenSearchService(options, ctx),
    batch: OPENSEARCH_BATCH_DEFAULTS,
  };
}
