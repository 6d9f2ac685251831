// The s3 sink (SinkFactory of the destination table): gzip NDJSON objects with deterministic keys
// (encode.ts), uploaded with the AWS SDK (service.ts).
import type { Sink, SinkContext } from '../../../agent/src/sinks/types.ts';
import type { S3Options } from '../../../contract/agent-config/types.ts';
import { S3_BATCH_DEFAULTS } from '../batch.ts';
import { type S3Request, s3Encoder } from './encode.ts';
import { S3Service } from './service.ts';

export function sink(options: S3Options, ctx: SinkContext): Sink<S3Request> {
  return { encoder: s3Encoder(options), service: new S3Service(options, ctx), batch: S3_BATCH_DEFAULTS };
}
