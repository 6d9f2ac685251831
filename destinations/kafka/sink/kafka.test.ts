import { describe, expect, test } from '@jest/globals';
import { eventOf } from '../../../agent/src/record/record.ts';
import { kafkaEncoder } from './encode.ts';
import { classifyKafkaError } from './service.ts';

const ev = (o: object) => eventOf(JSON.stringify(o));

describe('kafka encoder', () => {
  const enc = kafkaEncoder({
    brokers: ['b:9092'],
    topic: 'fallback',
    topicField: 'kubernetes.labels.topic',
    key: 'kubernetes.podUid',
    maxMessageBytes: 1024,
  });
  test('topic from the field when valid, else the fallback; key from the field; value is the record', () => {
    const events = [
      ev({ kubernetes: { podUid: 'u1', labels: { topic: 'orders' } } }),
      ev({ kubernetes: { podUid: 'u2', labels: { topic: 'bad topic!' } } }),
      ev({ kubernetes: {} }),
    ];
    const r = enc.encode(events);
    expect(r.messages.map((m) => m?.topic)).toEqual(['orders', 'fallback', 'fallback']);
    expect(r.messages.map((m) => m?.key)).toEqual(['u1', 'u2', null]);
    expect(r.messages[0]!.value.toString()).toBe(
      JSON.stringify({ kubernetes: { podUid: 'u1', labels: { topic: 'orders' } } }),
    );
  });
  test('a record over maxMessageBytes is rejected before sending, with the reason', () => {
    const r = enc.encode([ev({ m: 'x'.repeat(2000) }), ev({ m: 'ok' })]);
    expect(r.messages[0]).toBeNull();
    expect(r.errors[0]).toMatch(/exceeds the maximum message size of 1024 bytes/);
    expect(r.messages[1]).not.toBeNull();
  });
});

describe('kafka error classes', () => {
  test.each([
    [{ name: 'KafkaJSSASLAuthenticationError', message: 'SASL SCRAM SHA512 authentication failed' }, 'auth'],
    [
      { name: 'KafkaJSNumberOfRetriesExceeded', originalError: { type: 'TOPIC_AUTHORIZATION_FAILED' } },
      'auth',
    ],
    [{ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' }, 'tooLarge'],
    [{ name: 'KafkaJSAggregateError', errors: [{ type: 'RECORD_LIST_TOO_LARGE' }] }, 'tooLarge'],
    [{ name: 'KafkaJSConnectionError', message: 'Connection error: ECONNREFUSED' }, 'retry'],
    // what kafkajs throws when a mutual-TLS broker gets no (or an untrusted) client certificate
    [
      {
        name: 'KafkaJSNumberOfRetriesExceeded',
        message: 'Connection error: ssl/tls alert bad certificate',
        cause: { code: 'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE' },
      },
      'clientCert',
    ],
    [
      { name: 'KafkaJSConnectionError', cause: { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' } },
      'clientCert',
    ],
    [{ name: 'KafkaJSConnectionError', cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } }, 'serverCert'],
    [{ name: 'KafkaJSConnectionError', cause: { code: 'ERR_SSL_WRONG_VERSION_NUMBER' } }, 'retry'],
    [new Error('anything else'), 'retry'],
  ])('%j → %s', (e, kind) => {
    expect(classifyKafkaError(e)).toBe(kind);
  });
});

describe('kafkajs partition grouping (linear replacement)', () => {
  test('same result as kafkajs: partition → messages in order', async () => {
    const { groupMessagesPerPartition } = await import('./kafkajs.ts');
    const messages = Array.from({ length: 10 }, (_, i) => ({ value: String(i) }));
    const r = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{}, {}, {}],
      messages,
      partitioner: ({ message }) => Number((message as { value: string }).value) % 3,
    });
    expect(r).toEqual({
      0: [messages[0], messages[3], messages[6], messages[9]],
      1: [messages[1], messages[4], messages[7]],
      2: [messages[2], messages[5], messages[8]],
    });
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 }),
    ).toEqual({});
  });
});

describe('lz4 codec', () => {
  test('standard LZ4 frames with independent blocks (what Kafka reads), round trip', async () => {
    const { lz4Codec } = await import('./codecs.ts');
    const data = Buffer.from('{"message":"retrying..."}\n'.repeat(10_000));
    const c = lz4Codec();
    const z = await c.compress({ buffer: data });
    expect(z.readUInt32LE(0)).toBe(0x184d2204); // frame magic
    expect(z[4]! & 0xc0).toBe(0x40); // version 01
    expect(z[4]! & 0x20).toBe(0x20); // block independence
    expect(z.length).toBeLessThan(data.length / 20);
    expect((await c.decompress(z)).equals(data)).toBe(true);
  });
});

describe('kafkajs encoding fast path (fastpath.ts) writes what kafkajs writes', () => {
  test('varints, varlongs, records and key partitions', async () => {
    const { createRequire } = await import('node:module');
    const { makeRecordEncoder, memoisedPartitioner, patchEncoder } = await import('./fastpath.ts');
    const require = createRequire(import.meta.url);
    // A private copy of kafkajs's encoder module, so the originals stay untouched for comparison.
    const path = require.resolve('kafkajs/src/protocol/encoder.js');
    const saved = require.cache[path];
    delete require.cache[path];
    const Fast = require(path);
    delete require.cache[path];
    const Slow = require(path);
    if (saved !== undefined) require.cache[path] = saved;
    patchEncoder(Fast);
    const ints = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      127,
      128,
      300,
      2 ** 20,
      -(2 ** 20),
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 32 - 1,
    ];
    const longs = [...ints, 2 ** 40, -(2 ** 40), 2 ** 51, -(2 ** 51), 1_700_000_000_123];
    for (const v of ints)
      expect(new Fast().writeUVarInt(v).buffer).toEqual(new Slow().writeUVarInt(v).buffer);
    for (const v of ints) expect(new Fast().writeVarInt(v).buffer).toEqual(new Slow().writeVarInt(v).buffer);
    for (const v of longs) {
      expect(new Fast().writeVarLong(v).buffer).toEqual(new Slow().writeVarLong(v).buffer);
      expect(Fast.sizeOfVarLong(v)).toBe(Slow.sizeOfVarLong(v));
    }
    const recPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
    const Record = require(recPath);
    const fast = makeRecordEncoder(Fast, Record);
    for (const args of [
      { offsetDelta: 0, timestampDelta: 0, key: 'pod-a', value: Buffer.from('{"m":1}') },
      { offsetDelta: 4095, timestampDelta: 123456, key: null, value: Buffer.alloc(70_000, 0x61) },
      { offsetDelta: 7, timestampDelta: 5, key: 'k', value: Buffer.from('v'), headers: { h: 'x' } },
    ])
      expect((fast(args) as { buffer: Buffer }).buffer).toEqual(Record(args).buffer);
    const recs = [1, 2, 3].map((i) => fast({ offsetDelta: i, key: 'k', value: Buffer.from(`v${i}`) }));
    expect(new Fast().writeInt8(9).writeEncoderArray(recs).buffer).toEqual(
      new Slow().writeInt8(9).writeEncoderArray(recs).buffer,
    );
    const kafkajs = (await import('kafkajs')).default;
    const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js');
    const a = kafkajs.Partitioners.DefaultPartitioner();
    const b = memoisedPartitioner(kafkajs.Partitioners.DefaultPartitioner as never, murmur2, 3)();
    const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({ partitionId, leader: 1 })) as never[];
    for (let i = 0; i < 50; i++) {
      const message = { key: `pod-${i % 7}`, value: 'x' };
      expect(b({ topic: 't', partitionMetadata, message })).toBe(
        a({ topic: 't', partitionMetadata, message }),
      );
    }
  });
});

describe('kafkajs request queue (tulios/kafkajs#1751)', () => {
  test('an unthrottled queue schedules its check without a negative delay', async () => {
    const { createRequire } = await import('node:module');
    const { loadKafkajs, scheduleCheckPendingRequests } = await import('./kafkajs.ts');
    await loadKafkajs();
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(scheduleCheckPendingRequests);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let checked = 0;
    const queue = {
      throttledUntil: -1, // kafkajs's "not throttled"
      throttleCheckTimeoutId: null,
      pending: [],
      checkPendingRequests: () => checked++,
    };
    scheduleCheckPendingRequests.call(queue);
    await new Promise((r) => setTimeout(r, 20));
    process.off('warning', onWarning);
    expect([checked, queue.throttleCheckTimeoutId, warnings]).toEqual([1, null, []]);
  });
});
