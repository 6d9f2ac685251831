// Loads kafkajs once, with two fixes applied before its modules are first required:
// - kafkajs 2.2.4 groups a batch's messages per partition with an array spread per message
//   (O(n²): a 4,096-message batch copies ~3 million array slots); the linear equivalent below
//   returns the same object (partition → messages in order).
// - the snappy and zstd codecs are registered (codecs.ts).
import { createRequire } from 'node:module';
import { installCodecs } from './codecs.ts';

type KafkaJs = typeof import('kafkajs');
interface GroupArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (a: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}

export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupArgs) {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const p = partitioner({ topic, partitionMetadata, message });
    let list = result[p];
    if (list === undefined) {
      list = [];
      result[p] = list;
    }
    list.push(message);
  }
  return result;
}

let loaded: Promise<KafkaJs> | undefined;

export function loadKafkajs(): Promise<KafkaJs> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    try {
      const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
      require(path);
      const cached = require.cache[path];
      if (cached !== undefined) cached.exports = groupMessagesPerPartition;
    } catch {
      // another kafkajs layout: keep its own grouping
    }
    return installCodecs(await import('kafkajs'));
  })();
  return loaded;
}
