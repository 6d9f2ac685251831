// The kafka sink (SinkFactory of the destination table): records encoded into per-topic batches
// (encode.ts), produced by an idempotent kafkajs producer with acks=all (service.ts).
import type { Sink, SinkContext } from '../../../agent/src/sinks/types.ts';
import type { KafkaOptions } from '../../../contract/agent-config/types.ts';
import { KAFKA_BATCH_DEFAULTS } from '../batch.ts';
import { type KafkaRequest, kafkaEncoder } from './encode.ts';
import { KafkaService } from './service.ts';

export function sink(options: KafkaOptions, ctx: SinkContext): Sink<KafkaRequest> {
  return {
    encoder: kafkaEncoder(options),
    service: new KafkaService(options, ctx),
    batch: KAFKA_BATCH_DEFAULTS,
  };
}
