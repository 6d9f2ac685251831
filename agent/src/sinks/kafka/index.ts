import type { KafkaOptions } from '../../../../contract/agent-config/types.ts';
import type { Sink, SinkContext } from '../types.ts';
import { type KafkaRequest, kafkaEncoder } from './encode.ts';
import { KafkaService } from './service.ts';

export function kafkaSink(options: KafkaOptions, ctx: SinkContext): Sink<KafkaRequest> {
  return { encoder: kafkaEncoder(options), service: new KafkaService(options, ctx) };
}
