// Loads kafkajs once, with two fixes applied before its modules are first required:
// - kafkajs 2.2.4 groups a batch's messages per partition with an array spread per message
//   (O(n²): a 4,096-message batch copies ~3 million array slots); the linear equivalent below
//   returns the same object (partition → messages in order).
// - the snappy, lz4 and zstd codecs are registered (codecs.ts);
// - record encoding without a Buffer per varint and per record, and a memoised key hash in the
//   default partitioner (fastpath.ts);
// - the request queue's throttle check never schedules a negative delay: kafkajs 2.2.4 computes
//   `throttledUntil - Date.now()` with throttledUntil = -1 when not throttled, which Node ≥ 23
//   reports as a TimeoutNegativeWarning on stderr (not JSON) for every connection
//   (tulios/kafkajs#1751); Node then uses 1 ms, which the fix keeps.
import { createRequire } from 'node:module';
import { installCodecs } from './codecs.ts';
import { type EncoderClass, makeRecordEncoder, memoisedPartitioner, patchEncoder } from './fastpath.ts';

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

const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs 2.2.4's constant

interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

/** kafkajs 2.2.4's RequestQueue#scheduleCheckPendingRequests with the delay clamped to ≥ 1 ms. */
export function scheduleCheckPendingRequests(this: Queue): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (!this.throttleCheckTimeoutId) {
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(1, scheduleAt),
    );
  }
}

let loaded: Promise<KafkaJs> | undefined;
let partitioner: (() => unknown) | undefined;

/** The producer's partitioner: kafkajs's default, with the key hash memoised (after loadKafkajs). */
export function defaultPartitioner(k: KafkaJs): KafkaJs['Partitioners']['DefaultPartitioner'] {
  return (partitioner ?? k.Partitioners.DefaultPartitioner) as KafkaJs['Partitioners']['DefaultPartitioner'];
}

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
    try {
      const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
      patchEncoder(Encoder);
      const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
      const original = require(path);
      const cached = require.cache[path];
      if (cached !== undefined) cached.exports = makeRecordEncoder(Encoder, original);
    } catch {
      // another kafkajs layout: keep its own encoding
    }
    try {
      const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
        prototype: { scheduleCheckPendingRequests(): void };
      };
      RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
    } catch {
      // another kafkajs layout: keep its own scheduling
    }
    const k = installCodecs(await import('kafkajs'));
    try {
      const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js');
      partitioner = memoisedPartitioner(k.Partitioners.DefaultPartitioner as never, murmur2);
    } catch {
      partitioner = undefined;
    }
    return k;
  })();
  return loaded;
}
