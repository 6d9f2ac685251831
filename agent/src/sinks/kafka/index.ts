import type { Sink, SinkContext } from '../types.ts';
import type { KafkaOptions } from './config.ts';
import { type KafkaRequest, kafkaEncoder } from './encode.ts';
import { KafkaService } from './service.ts';

export { kafkaOptionsSchema } from './config.ts';

export function kafkaSink(options: KafkaOptions, ctx: SinkContext): Sink<KafkaRequest> {
  return { encoder: kafkaEncoder(options), service: new KafkaService(options, ctx) };
}
